import eBayApi from "ebay-api";
import { err, ok, type Result } from "../../core/shared/result.js";
import { ebayFailure, RebasedRequest } from "./ebay-client.js";
import type { EbayPublicKey } from "./ebay-notification-signature.js";

/**
 * Public keys for notification signatures, from the Notification API's getPublicKey with an
 * application token (client-credentials grant, scope api_scope). eBay asks callers to cache
 * keys; they are kept an hour per kid.
 */
const KEY_TTL_MS = 60 * 60 * 1000;

export function createEbayPublicKeyFetcher(config: { baseUrl?: string; appId: string; certId: string; now?: () => number }) {
  const now = config.now ?? Date.now;
  const api = new eBayApi({ appId: config.appId, certId: config.certId, sandbox: false, autoRefreshToken: true }, new RebasedRequest(config.baseUrl));
  const cache = new Map<string, { key: EbayPublicKey; at: number }>();
  return async (kid: string): Promise<Result<EbayPublicKey, "unknown_key" | "key_unavailable">> => {
    const hit = cache.get(kid);
    if (hit && now() - hit.at < KEY_TTL_MS) return ok(hit.key);
    try {
      const answer = (await api.commerce.notification.getPublicKey(kid)) as { key?: string; algorithm?: string; digest?: string };
      if (!answer.key) return err("key_unavailable", `eBay returned no key for ${kid}`);
      const key = { key: answer.key, ...(answer.algorithm ? { algorithm: answer.algorithm } : {}), ...(answer.digest ? { digest: answer.digest } : {}) };
      cache.set(kid, { key, at: now() });
      return ok(key);
    } catch (error) {
      const failure = ebayFailure(error);
      return failure.reason === "not_found" || failure.reason === "rejected" ? err("unknown_key", failure.detail) : err("key_unavailable", failure.detail);
    }
  };
}
