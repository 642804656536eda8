import { Ajv, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";
import { loadAmazonSpec, type AmazonSpecName } from "./amazon-specs.js";

/**
 * Validates request and response bodies against the published SP-API models: a Swagger 2.0
 * definition (e.g. ListingsItemPatchRequest in listingsItems_2021-08-01.json) or a whole JSON
 * Schema file (the JSON_LISTINGS_FEED document). Used by the sandbox on every request and by
 * the contract tests on what the connector sends. Undefined when the specs are absent.
 */

export interface SpecValidation {
  valid: boolean;
  /** ajv's messages, each with the JSON pointer of the offending value. */
  errors: string[];
}

export type SpecValidator = (value: unknown) => SpecValidation;

// ajv-formats ships CommonJS with a default export that ESM sees as the module object.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv) => Ajv;

function newAjv(): Ajv {
  // Swagger carries vendor keywords (x-docgen-…, example) that are not JSON Schema: not strict.
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  return ajv;
}

const compiled = new Map<string, ValidateFunction | null>();

function wrap(validate: ValidateFunction): SpecValidator {
  return (value) => {
    const valid = validate(value) as boolean;
    return {
      valid,
      errors: valid ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message ?? "is invalid"}`),
    };
  };
}

/** A validator for one `definitions` entry of a Swagger 2.0 model. */
export function swaggerDefinitionValidator(spec: AmazonSpecName, definition: string): SpecValidator | undefined {
  const key = `${spec}#${definition}`;
  if (!compiled.has(key)) {
    const model = loadAmazonSpec<{ definitions?: Record<string, unknown> }>(spec);
    if (!model?.definitions?.[definition]) compiled.set(key, null);
    else compiled.set(key, newAjv().compile({ $ref: `#/definitions/${definition}`, definitions: model.definitions }));
  }
  const validate = compiled.get(key);
  return validate ? wrap(validate) : undefined;
}

/** A validator for a spec file that is itself a JSON Schema (draft-07). */
export function jsonSchemaValidator(spec: AmazonSpecName): SpecValidator | undefined {
  const key = `${spec}#`;
  if (!compiled.has(key)) {
    const schema = loadAmazonSpec<Record<string, unknown>>(spec);
    if (!schema) compiled.set(key, null);
    else {
      const { $schema: _ignored, ...rest } = schema;
      compiled.set(key, newAjv().compile(rest));
    }
  }
  const validate = compiled.get(key);
  return validate ? wrap(validate) : undefined;
}
