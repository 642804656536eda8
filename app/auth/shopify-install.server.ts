import type { CredentialCipher } from "../../db/crypto/credential-cipher";
import { credentialCipher } from "../../db/crypto/encryption-key";
import type { Database } from "../../db/client";
import { upsertShop } from "../../db/repositories/shop-repository";
import { requestShopifyImport, upsertShopifyConnection } from "../../db/repositories/shopify-import-repository";

export interface InstalledSession {
  shop: string;
  accessToken?: string | undefined;
  isOnline: boolean;
  refreshToken?: string | undefined;
  expires?: Date | undefined;
}

/**
 * After Shopify's OAuth (afterAuth): the shop's Shopify channel connection carries the
 * offline token (encrypted), refreshed on every authentication; the first time the
 * connection is made, an import of the store is requested so the merchant starts with
 * their locations, catalogue, stock and recent orders.
 */
export async function connectShopifyOnAuth(
  db: Database,
  session: InstalledSession,
  options: { cipher?: CredentialCipher } = {},
): Promise<{ connectionId: string; importRunId: string | null } | null> {
  // Online (per-user) tokens die with the user's session; the worker needs the shop's offline one.
  if (session.isOnline || !session.accessToken) return null;
  const cipher = options.cipher ?? credentialCipher();
  const shop = await upsertShop(db, { domain: session.shop });
  const connection = await upsertShopifyConnection(db, {
    shopId: shop.id,
    name: session.shop,
    credentialsEncrypted: cipher.encryptJson({
      accessToken: session.accessToken,
      ...(session.refreshToken ? { refreshToken: session.refreshToken } : {}),
      ...(session.expires ? { expiresAt: session.expires.toISOString() } : {}),
    }),
  });
  if (!connection.created) return { connectionId: connection.id, importRunId: null };
  const requested = await requestShopifyImport(db, shop.id, connection.id);
  return { connectionId: connection.id, importRunId: requested.ok ? requested.value.importRunId : null };
}
