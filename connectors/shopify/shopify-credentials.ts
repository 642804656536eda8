import { z } from "zod";
import { err, ok, type Result } from "../../core/shared/result.js";
import type { ChannelCallResult } from "../../core/ports/channel-connector-port.js";
import type { ChannelConnectionRecord, ChannelCredentials, ChannelTransport } from "../../core/ports/channel-module-port.js";
import { shopifyFailure } from "./shopify-failure-mapping.js";

/**
 * A Shopify connection's offline token. With expiring offline tokens (the app's
 * `expiringOfflineAccessTokens`, stored by app/auth/shopify-install.server.ts) the access token
 * lives an hour and comes with a refresh token; background work (stock pushes, write-backs) must
 * refresh it itself, since no merchant is there to re-authenticate. Shopify replaces the refresh
 * token on every refresh, so the new pair is persisted before the new token is used.
 */

export const shopifyCredentialsSchema = z.object({
  accessToken: z.string().min(1),
  refreshToken: z.string().min(1).optional(),
  /** ISO time the access token expires; absent for non-expiring tokens. */
  expiresAt: z.iso.datetime({ offset: true }).optional(),
  refreshTokenExpiresAt: z.iso.datetime({ offset: true }).optional(),
});
export type ShopifyCredentials = z.infer<typeof shopifyCredentialsSchema>;

/** Refresh this long before expiry: a push that starts at 59:59 must not carry a dead token. */
export const SHOPIFY_REFRESH_MARGIN_MS = 5 * 60_000;

/** The app's client credentials, needed by the token endpoint (from the composition root's env). */
export interface ShopifyAppCredentials {
  apiKey: string;
  apiSecret: string;
}

/** Shopify's answer to a refresh_token grant (OAuth docs: "Refresh an expiring offline access token"). */
const refreshResponseSchema = z.object({
  access_token: z.string().min(1),
  expires_in: z.number().int().positive().optional(),
  refresh_token: z.string().min(1).optional(),
  refresh_token_expires_in: z.number().int().positive().optional(),
  scope: z.string().optional(),
});

/** The shop's OAuth host: the configured base URL (the sandbox) or the shop's own domain. */
export function shopifyOAuthTokenUrl(connection: Pick<ChannelConnectionRecord, "shopDomain" | "settings">): string {
  const baseUrl = typeof connection.settings.baseUrl === "string" && connection.settings.baseUrl ? connection.settings.baseUrl : `https://${connection.shopDomain}`;
  return `${baseUrl.replace(/\/+$/, "")}/admin/oauth/access_token`;
}

export function shopifyCredentials(app: ShopifyAppCredentials | null): ChannelCredentials<ShopifyCredentials> {
  return {
    parse(raw): Result<ShopifyCredentials, "missing_credentials"> {
      const parsed = shopifyCredentialsSchema.safeParse(raw);
      return parsed.success ? ok(parsed.data) : err("missing_credentials", "the Shopify connection has no access token");
    },
    expiresSoon(credentials, now) {
      if (!credentials.expiresAt || !credentials.refreshToken) return false;
      return Date.parse(credentials.expiresAt) - now.getTime() <= SHOPIFY_REFRESH_MARGIN_MS;
    },
    async refresh(connection, credentials, transport) {
      if (!credentials.refreshToken) return err("unauthorized", "the Shopify token expired and no refresh token is stored; reopen the app to reconnect");
      if (!app) return err("unauthorized", "SHOPIFY_API_KEY / SHOPIFY_API_SECRET are not set, so the Shopify token cannot be refreshed");
      return refreshShopifyToken(shopifyOAuthTokenUrl(connection), app, credentials.refreshToken, transport);
    },
  };
}

async function refreshShopifyToken(
  url: string,
  app: ShopifyAppCredentials,
  refreshToken: string,
  transport: ChannelTransport,
): Promise<ChannelCallResult<ShopifyCredentials>> {
  let response: Response;
  try {
    response = await transport.fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ client_id: app.apiKey, client_secret: app.apiSecret, grant_type: "refresh_token", refresh_token: refreshToken }),
    });
  } catch (error) {
    return shopifyFailure("network_error", String(error));
  }
  const text = await response.text();
  // 400/401 here mean the refresh token itself is dead (revoked, expired, uninstalled): reconnect.
  if (response.status === 400 || response.status === 401 || response.status === 403) {
    return err("unauthorized", `Shopify refused the refresh token (HTTP ${response.status})`);
  }
  if (!response.ok) return shopifyFailure("http_error", `token refresh answered HTTP ${response.status}`);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return shopifyFailure("http_error", "token refresh answered something other than JSON");
  }
  const parsed = refreshResponseSchema.safeParse(body);
  if (!parsed.success) return shopifyFailure("http_error", "token refresh answer lacks access_token");
  const now = transport.now().getTime();
  const fresh = parsed.data;
  return ok({
    accessToken: fresh.access_token,
    // Shopify always rotates the refresh token; keep the old one only if an answer ever lacks it.
    refreshToken: fresh.refresh_token ?? refreshToken,
    ...(fresh.expires_in ? { expiresAt: new Date(now + fresh.expires_in * 1000).toISOString() } : {}),
    ...(fresh.refresh_token_expires_in ? { refreshTokenExpiresAt: new Date(now + fresh.refresh_token_expires_in * 1000).toISOString() } : {}),
  });
}
