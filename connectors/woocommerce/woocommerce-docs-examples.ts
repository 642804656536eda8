import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

/**
 * The JSON examples of WooCommerce's REST API docs (../shared/specs/woocommerce/docs-v3), read
 * where they are published instead of being copied in, so contract tests exercise the documented
 * payloads. Undefined where the specs folder is absent: callers skip with a message.
 */
export function wooDocsDir(): string {
  return path.join(process.env.SPECS_DIR ?? path.resolve(process.cwd(), "../shared/specs"), "woocommerce", "docs-v3");
}

/** The first ```json block after the heading `## <section> ##` of a docs page. */
export function wooDocsJsonExample(page: string, section: string): unknown {
  const file = path.join(wooDocsDir(), page);
  if (!existsSync(file)) return undefined;
  const text = readFileSync(file, "utf8");
  const start = text.indexOf(`## ${section} ##`);
  if (start < 0) throw new Error(`${page} has no section "${section}"`);
  const block = /```json\n([\s\S]*?)\n```/.exec(text.slice(start));
  if (!block) throw new Error(`${page} section "${section}" has no JSON example`);
  return JSON.parse(block[1]!);
}
