import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * Shopify signs every webhook with base64(HMAC-SHA256(raw body, app secret)) in
 * X-Shopify-Hmac-Sha256. The signature covers the exact bytes sent, so verification must run on
 * the raw body before any JSON parsing (re-serialising changes whitespace and key order).
 */
export function signShopifyWebhook(rawBody: string | Buffer, secret: string): string {
  return createHmac("sha256", secret).update(rawBody).digest("base64");
}

export function verifyShopifyWebhookHmac(
  rawBody: string | Buffer,
  hmacHeader: string | null | undefined,
  secret: string,
): boolean {
  if (!hmacHeader || secret.length === 0) return false;
  const expected = Buffer.from(signShopifyWebhook(rawBody, secret), "base64");
  let received: Buffer;
  try {
    received = Buffer.from(hmacHeader.trim(), "base64");
  } catch {
    return false;
  }
  // timingSafeEqual throws on length mismatch; a wrong length is simply a wrong signature.
  if (received.length !== expected.length) return false;
  return timingSafeEqual(received, expected);
}
