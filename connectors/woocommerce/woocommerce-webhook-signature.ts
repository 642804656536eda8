import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * WooCommerce signs each webhook delivery with X-WC-Webhook-Signature =
 * base64(HMAC-SHA256(raw body, webhook secret)) (docs-v3 _webhooks.md, "Delivery/payload").
 * The signature covers the exact bytes sent, so it is checked before anything parses the body,
 * and compared in constant time so a caller cannot learn it byte by byte.
 */
export function signWooCommerceWebhook(rawBody: string | Buffer, secret: string): string {
  return createHmac("sha256", secret).update(rawBody).digest("base64");
}

export function verifyWooCommerceWebhookSignature(
  rawBody: string | Buffer,
  signatureHeader: string | null | undefined,
  secret: string,
): boolean {
  if (!signatureHeader || secret.length === 0) return false;
  const expected = Buffer.from(signWooCommerceWebhook(rawBody, secret), "base64");
  const received = Buffer.from(signatureHeader.trim(), "base64");
  // timingSafeEqual throws on a length mismatch; a wrong length is simply a wrong signature.
  if (received.length !== expected.length) return false;
  return timingSafeEqual(received, expected);
}
