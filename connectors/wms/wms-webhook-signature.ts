import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * Outbound WMS webhooks are signed like GitHub's: `X-Switchyard-Signature: sha256=<hex>`, the
 * HMAC-SHA256 of the exact body bytes under the endpoint's own secret. A receiver recomputes it
 * over the raw body and compares in constant time.
 */
export const WMS_SIGNATURE_HEADER = "X-Switchyard-Signature";

export function signWmsBody(body: string | Buffer, secret: string): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

export function verifyWmsSignature(body: string | Buffer, header: string | null | undefined, secret: string): boolean {
  if (!header || !secret) return false;
  const expected = Buffer.from(signWmsBody(body, secret));
  const given = Buffer.from(header.trim());
  return given.length === expected.length && timingSafeEqual(given, expected);
}
