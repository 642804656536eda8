import { z } from "zod";
import { err, ok, type Result } from "../../core/shared/result.js";
import type { CredentialCipher } from "../../db/crypto/credential-cipher.js";
import { credentialCipher } from "../../db/crypto/encryption-key.js";
import { SHOPIFY_ADMIN_API_VERSION, shopifyAdminGraphqlUrl } from "./admin-api-version.js";
import { AdminGraphqlClient } from "./admin-graphql-client.js";
import { ShopifyConnector } from "./shopify-connector.js";

/**
 * A ShopifyConnector for a stored channel connection: decrypts the offline access token and
 * talks to `settings.baseUrl` (the demo's sandbox) or else the shop's own domain. The import
 * needs the whole connector (reads), not only the stock pusher the registry hands out.
 */

export interface ShopifyConnectionRecord {
  channel: string;
  shopDomain: string;
  credentialsEncrypted: string | null;
  settings: Record<string, unknown>;
}

export type ShopifyConnectionProblem = "not_shopify" | "missing_credentials" | "misconfigured";

const credentialsSchema = z.object({ accessToken: z.string().min(1) });
const settingsSchema = z.object({ baseUrl: z.string().url().nullish() }).passthrough();

export function shopifyConnectorForConnection(
  connection: ShopifyConnectionRecord,
  options: { cipher?: CredentialCipher; fetch?: typeof fetch; sleep?: (ms: number) => Promise<void> } = {},
): Result<ShopifyConnector, ShopifyConnectionProblem> {
  if (connection.channel !== "shopify") return err("not_shopify", `connection is for ${connection.channel}`);
  if (!connection.credentialsEncrypted) return err("missing_credentials", "the Shopify connection has no access token");
  let credentials: unknown;
  try {
    credentials = (options.cipher ?? credentialCipher()).decryptJson<unknown>(connection.credentialsEncrypted);
  } catch {
    // Never include the stored value: it is a secret even when it does not decrypt.
    return err("missing_credentials", "the stored credentials cannot be decrypted with the current key");
  }
  const parsed = credentialsSchema.safeParse(credentials);
  if (!parsed.success) return err("missing_credentials", "the Shopify connection has no access token");
  const settings = settingsSchema.safeParse(connection.settings);
  if (!settings.success) return err("misconfigured", `invalid Shopify settings: ${settings.error.issues.map((i) => `${i.path.join(".")} ${i.message}`).join("; ")}`);
  const endpoint = settings.data.baseUrl
    ? `${settings.data.baseUrl.replace(/\/+$/, "")}/admin/api/${SHOPIFY_ADMIN_API_VERSION}/graphql.json`
    : shopifyAdminGraphqlUrl(connection.shopDomain);
  const client = new AdminGraphqlClient({
    endpoint,
    accessToken: parsed.data.accessToken,
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.sleep ? { sleep: options.sleep } : {}),
  });
  return ok(
    new ShopifyConnector({
      client,
      ...(options.fetch ? { fetch: options.fetch } : {}),
      ...(options.sleep ? { sleep: options.sleep } : {}),
    }),
  );
}
