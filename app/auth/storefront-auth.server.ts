import "@shopify/shopify-api/adapters/node";
import { ApiVersion, LogSeverity, shopifyApi, type Shopify } from "@shopify/shopify-api";
import { demoModeEnabled, webhookSecret } from "../config/demo-mode.server";

/**
 * Requests that reach the app from the storefront (the app proxy) and from customer accounts
 * (the returns extension) are checked with Shopify's own library: the app-proxy `signature`
 * over the sorted query, and the customer-account session token (HS256 JWT, audience = the
 * app's client id). The same checks run in demo mode, keyed by the demo secret and a demo
 * client id, so the demo exercises exactly what production does.
 */

export const DEMO_CLIENT_ID = "switchyard-demo-client";

let cached: { key: string; api: Shopify } | undefined;

function storefrontApi(): Shopify {
  const apiKey = demoModeEnabled() ? (process.env.SHOPIFY_API_KEY ?? DEMO_CLIENT_ID) : process.env.SHOPIFY_API_KEY!;
  const apiSecretKey = webhookSecret();
  const key = `${apiKey}:${apiSecretKey}`;
  if (cached?.key !== key) {
    cached = {
      key,
      api: shopifyApi({
        apiKey,
        apiSecretKey,
        apiVersion: ApiVersion.April26,
        hostName: new URL(process.env.SHOPIFY_APP_URL || "http://localhost:3000").host,
        isEmbeddedApp: true,
        logger: { level: LogSeverity.Error },
      }),
    };
  }
  return cached.api;
}

export interface AppProxyIdentity {
  shopDomain: string;
  /** The storefront path the proxy serves us under, e.g. "/apps/returns": forms post there. */
  pathPrefix: string;
  loggedInCustomerId?: string;
}

/** The shop the proxied request is for, or null when the signature is missing, wrong or stale. */
export async function verifyAppProxyRequest(request: Request): Promise<AppProxyIdentity | null> {
  const query = new URL(request.url).searchParams;
  const shop = query.get("shop");
  if (!query.get("signature") || !shop) return null;
  try {
    const valid = await storefrontApi().utils.validateHmac(query, { signator: "appProxy" });
    if (!valid) return null;
  } catch {
    // Missing timestamp, a repeated single-value parameter, a timestamp outside 90 seconds.
    return null;
  }
  const customer = query.get("logged_in_customer_id");
  return { shopDomain: shop, pathPrefix: query.get("path_prefix") || "/apps/returns", ...(customer ? { loggedInCustomerId: customer } : {}) };
}

export interface CustomerAccountIdentity {
  shopDomain: string;
  /** gid://shopify/Customer/… */
  customerGid: string;
}

/** The customer and shop a customer-account extension's session token speaks for, or null. */
export async function verifyCustomerAccountToken(request: Request): Promise<CustomerAccountIdentity | null> {
  const header = request.headers.get("authorization") ?? "";
  const match = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/.exec(header);
  if (!match) return null;
  try {
    const payload = await storefrontApi().session.decodeSessionToken(match[1]!);
    const dest = typeof payload.dest === "string" ? payload.dest : "";
    const shopDomain = dest.startsWith("https://") ? new URL(dest).host : dest;
    if (!shopDomain || typeof payload.sub !== "string" || !payload.sub.startsWith("gid://shopify/Customer/")) return null;
    return { shopDomain, customerGid: payload.sub };
  } catch {
    return null;
  }
}
