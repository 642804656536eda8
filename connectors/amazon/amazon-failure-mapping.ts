import { err } from "../../core/shared/result.js";
import type { ChannelFailure, ChannelFailureReason } from "../../core/ports/channel-connector-port.js";

/**
 * The one place SP-API and LWA answers become the port's failure vocabulary; Amazon's own
 * code and message stay in `detail` for the merchant and the logs.
 */

export type AmazonFailureCause =
  | { kind: "http"; status: number }
  /** Connection refused or reset, DNS, timeouts of the official client. */
  | { kind: "network" }
  /** The LWA token endpoint refused the grant (invalid_grant, invalid_client...). */
  | { kind: "lwa_refused" }
  /** Our own bucket for the operation is empty: no request was sent. */
  | { kind: "local_rate_limit" }
  /** Amazon answered 2xx with something the model does not allow. */
  | { kind: "unexpected_answer" };

export function amazonFailureReason(cause: AmazonFailureCause): ChannelFailureReason {
  switch (cause.kind) {
    case "http":
      if (cause.status === 429) return "rate_limited";
      if (cause.status === 401 || cause.status === 403) return "unauthorized";
      if (cause.status === 404) return "not_found";
      if (cause.status >= 500) return "unavailable";
      return "rejected";
    case "network":
      return "unavailable";
    case "lwa_refused":
      return "unauthorized";
    case "local_rate_limit":
      return "rate_limited";
    case "unexpected_answer":
      return "rejected";
  }
}

export function amazonFailure(cause: AmazonFailureCause, detail: string, retryAfterMs?: number): ChannelFailure {
  const failure = err(amazonFailureReason(cause), detail);
  return retryAfterMs !== undefined && failure.reason === "rate_limited" ? { ...failure, retryAfterMs } : failure;
}
