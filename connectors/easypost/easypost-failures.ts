import type { CarrierFailure, CarrierFailureReason } from "../../core/ports/carrier-gateway-port.js";

/**
 * The one place EasyPost's failures become the port's vocabulary (rule 14). The SDK throws
 * ApiError subclasses carrying the HTTP status and EasyPost's error code
 * ("ADDRESS.VERIFY.FAILURE", "SHIPMENT.RATE.NOT_FOUND"...); transport errors (refused
 * connection, timeout) have no status and mean the provider could not be reached.
 */
export function toCarrierFailure(error: unknown): CarrierFailure {
  const e = (error ?? {}) as { statusCode?: number; code?: string; message?: string; errors?: unknown; response?: { headers?: Record<string, string> } };
  const status = typeof e.statusCode === "number" ? e.statusCode : undefined;
  const code = typeof e.code === "string" ? e.code : "";
  const detail = [code, e.message].filter(Boolean).join(": ").slice(0, 500) || String(error).slice(0, 500);
  const fail = (reason: CarrierFailureReason, extra: { retryAfterMs?: number } = {}): CarrierFailure => ({ ok: false, reason, detail, ...extra });
  if (status === undefined) return fail("unavailable");
  if (status === 429) {
    const retryAfter = Number(e.response?.headers?.["retry-after"]);
    return fail("rate_limited", Number.isFinite(retryAfter) && retryAfter > 0 ? { retryAfterMs: retryAfter * 1000 } : {});
  }
  if (status === 401 || status === 403) return fail("unauthorized");
  if (status >= 500) return fail("unavailable");
  if (/^ADDRESS\./.test(code)) return fail("address_invalid");
  if (/RATE.*(EXPIRED|NOT_FOUND|INVALID)/.test(code)) return fail("rate_expired");
  if (code === "SHIPMENT.POSTAGE.EXISTS") return fail("already_bought");
  return fail("rejected");
}

/** Transport trouble and throttling are worth retrying; the rest needs a person or a new attempt. */
export function isTransientCarrierFailure(reason: CarrierFailureReason): boolean {
  return reason === "unavailable" || reason === "rate_limited";
}
