import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { buildSchema, type GraphQLSchema } from "graphql";
import { SHOPIFY_ADMIN_API_VERSION } from "./admin-api-version.js";

/**
 * The Admin schema is reference data kept outside the project (../shared/specs); it is read
 * from there instead of being copied in, so tests and the sandbox always check against the
 * exact published SDL. Where the folder is absent the callers skip or degrade, never fail.
 */
export function shopifySpecsDir(): string {
  return process.env.SPECS_DIR ?? path.resolve(process.cwd(), "../shared/specs");
}

export function adminSchemaPath(): string {
  return path.join(shopifySpecsDir(), "shopify", `admin-${SHOPIFY_ADMIN_API_VERSION}.graphql`);
}

export function adminSchemaAvailable(): boolean {
  return existsSync(adminSchemaPath());
}

// Building the 3.4 MB SDL takes about a second; every test file and sandbox shares one copy.
let cached: { file: string; schema: GraphQLSchema } | undefined;

/** Returns the built schema, or undefined when the specs folder is not present. */
export function loadAdminSchema(): GraphQLSchema | undefined {
  const file = adminSchemaPath();
  if (cached?.file === file) return cached.schema;
  if (!existsSync(file)) return undefined;
  const schema = buildSchema(readFileSync(file, "utf8"));
  cached = { file, schema };
  return schema;
}
