import { createHmac } from "node:crypto";

/**
 * Signs a storefront request the way Shopify's app proxy does before forwarding it to the app:
 * shop, path_prefix, timestamp (and logged_in_customer_id) are added, then `signature` is the
 * hex HMAC-SHA256, keyed by the app secret, of every other parameter as `key=value` (repeated
 * keys joined by commas) sorted by key and concatenated without separators.
 */
export function signAppProxyQuery(
  query: URLSearchParams,
  input: { shopDomain: string; pathPrefix: string; secret: string; loggedInCustomerId?: string; now?: Date },
): URLSearchParams {
  const signed = new URLSearchParams();
  for (const [key, value] of query) {
    if (!["signature", "shop", "path_prefix", "timestamp", "logged_in_customer_id"].includes(key)) signed.append(key, value);
  }
  signed.set("shop", input.shopDomain);
  signed.set("path_prefix", input.pathPrefix);
  signed.set("timestamp", String(Math.floor((input.now ?? new Date()).getTime() / 1000)));
  signed.set("logged_in_customer_id", input.loggedInCustomerId ?? "");
  const grouped = new Map<string, string[]>();
  for (const [key, value] of signed) grouped.set(key, [...(grouped.get(key) ?? []), value]);
  const message = [...grouped.keys()]
    .sort((a, b) => a.localeCompare(b))
    .map((key) => `${key}=${grouped.get(key)!.join(",")}`)
    .join("");
  signed.set("signature", createHmac("sha256", input.secret).update(message).digest("hex"));
  return signed;
}
