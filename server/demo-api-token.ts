import fs from "node:fs";
import path from "node:path";
import type { Database } from "../db/client";
import { createApiToken, generateApiToken } from "../db/repositories/api-token-repository";

/**
 * The demo's integration API token: SWITCHYARD_DEMO_API_TOKEN when set, otherwise generated
 * once and kept in .data/demo-api-token so it stays the same across restarts. Only its hash
 * is in the database.
 */
export async function ensureDemoApiToken(db: Database, shopId: string): Promise<string> {
  const file = path.resolve(process.env.SWITCHYARD_DATA_DIR ?? ".data", "demo-api-token");
  let token = process.env.SWITCHYARD_DEMO_API_TOKEN;
  if (!token) {
    if (fs.existsSync(file)) token = fs.readFileSync(file, "utf8").trim();
    else {
      token = generateApiToken();
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, token, { mode: 0o600 });
    }
  }
  await createApiToken(db, shopId, "Demo integration token", token);
  return token;
}
