import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { Ajv, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";

/**
 * Validates request bodies against eBay's published OpenAPI contracts (../shared/specs/ebay),
 * read where they are published instead of being copied in. eBay's schemas leave objects open;
 * here every object that lists its properties is closed (additionalProperties: false), so a
 * misspelt field is caught instead of silently ignored by eBay. Undefined where the specs are
 * absent: callers skip with a message.
 */

export type EbaySpecFile = "sell_fulfillment_v1_oas3.json" | "sell_inventory_v1_oas3.json" | "commerce_notification_v1_oas3.json";

export function ebaySpecsDir(): string {
  return path.join(process.env.SPECS_DIR ?? path.resolve(process.cwd(), "../shared/specs"), "ebay");
}

const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule) as unknown as (ajv: Ajv) => Ajv;
let ajv: Ajv | undefined;
const loaded = new Set<string>();
const compiled = new Map<string, ValidateFunction>();

export function ebaySchemaValidator(file: EbaySpecFile, schemaName: string): ((body: unknown) => string[]) | undefined {
  const key = `${file}#${schemaName}`;
  let validate = compiled.get(key);
  if (!validate) {
    const specPath = path.join(ebaySpecsDir(), file);
    if (!existsSync(specPath)) return undefined;
    ajv ??= addFormats(new Ajv({ strict: false, allErrors: true, validateFormats: true }));
    if (!loaded.has(file)) {
      const spec = JSON.parse(readFileSync(specPath, "utf8")) as { components: { schemas: Record<string, unknown> } };
      ajv.addSchema({ $id: file, components: { schemas: closeObjects(spec.components.schemas) } });
      loaded.add(file);
    }
    validate = ajv.getSchema(`${file}#/components/schemas/${schemaName}`);
    if (!validate) throw new Error(`${file} has no schema ${schemaName}`);
    compiled.set(key, validate);
  }
  const check = validate;
  return (body) => (check(body) ? [] : (check.errors ?? []).map((e) => `${e.instancePath || "(body)"} ${e.message ?? "is invalid"}${e.params && "additionalProperty" in e.params ? `: ${String(e.params.additionalProperty)}` : ""}`));
}

function closeObjects(node: unknown): any {
  if (Array.isArray(node)) return node.map(closeObjects);
  if (!node || typeof node !== "object") return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) out[k] = k === "properties" ? Object.fromEntries(Object.entries(v as object).map(([p, s]) => [p, closeObjects(s)])) : closeObjects(v);
  if (out.properties && out.additionalProperties === undefined) out.additionalProperties = false;
  return out;
}
