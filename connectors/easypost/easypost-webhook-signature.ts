import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * EasyPost signs each webhook's raw body with HMAC-SHA256 under the webhook's secret and sends
 * `X-Hmac-Signature: hmac-sha256-hex=<hex>`. Verified exactly as the official client libraries
 * do (easypost-node `Utils.validateWebhook`): the secret is NFKD-normalised before use, and
 * integer `"weight"` values are written with a trailing ".0", because EasyPost signs the body
 * as its Ruby side serialised it (floats keep their decimal point) while JSON re-encoders drop it.
 */

const PREFIX = "hmac-sha256-hex=";

function signedForm(rawBody: Buffer | string): string {
  const text = typeof rawBody === "string" ? rawBody : rawBody.toString("utf8");
  return text.replace(/("weight":\s*)(\d+)(\s*)(?=,|\})/g, "$1$2.0");
}

export function easyPostSignature(rawBody: Buffer | string, secret: string): string {
  const key = Buffer.from(secret.normalize("NFKD"), "utf8");
  return PREFIX + createHmac("sha256", key).update(signedForm(rawBody), "utf8").digest("hex");
}

/** Constant-time check of the header against the body; false for a missing or malformed header. */
export function verifyEasyPostSignature(rawBody: Buffer | string, header: string | null | undefined, secret: string): boolean {
  if (!header || !secret) return false;
  const expected = Buffer.from(easyPostSignature(rawBody, secret), "utf8");
  const given = Buffer.from(header.trim(), "utf8");
  return given.length === expected.length && timingSafeEqual(given, expected);
}
