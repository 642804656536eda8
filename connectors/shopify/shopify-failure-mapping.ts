import { err } from "../../core/shared/result.js";
import type { ChannelFailure, ChannelFailureReason } from "../../core/ports/channel-connector-port.js";
import type { ShopifyConnectorFailureReason } from "./shopify-connector-types.js";

/**
 * The ONE place Shopify's failures become the port's vocabulary, for every capability (stock
 * push, order polling, write-back, health). Jobs decide retry / wait / tell a person from the
 * port reason; Shopify's own reason stays in the detail for the merchant and support.
 */

/** When the client still sees THROTTLED after its own bucket-aware waits, come back after this. */
export const THROTTLED_RETRY_AFTER_MS = 10_000;

export function shopifyFailureReason(reason: ShopifyConnectorFailureReason | string): ChannelFailureReason {
  switch (reason) {
    case "throttled":
      return "rate_limited";
    case "unauthorized":
      return "unauthorized";
    case "not_found":
      return "not_found";
    case "http_error":
    case "network_error":
    case "bulk_operation_timeout":
      return "unavailable";
    // cost_exceeds_bucket: the request alone costs more than the bucket holds, so waiting will
    // never help; it is a refusal (a smaller request is needed), not a rate limit.
    default:
      return "rejected";
  }
}

export function shopifyFailure(reason: ShopifyConnectorFailureReason | string, detail?: string): ChannelFailure {
  const portReason = shopifyFailureReason(reason);
  const failure = err(portReason, detail ? `${reason}: ${detail}` : reason);
  return portReason === "rate_limited" ? { ...failure, retryAfterMs: THROTTLED_RETRY_AFTER_MS } : failure;
}
