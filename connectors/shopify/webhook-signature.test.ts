import { describe, expect, it } from "vitest";
import { signShopifyWebhook, verifyShopifyWebhookHmac } from "./webhook-signature.js";

describe("Shopify webhook HMAC", () => {
  it("matches an independently computed vector (openssl dgst -sha256 -hmac secret | base64)", () => {
    expect(signShopifyWebhook("hello", "secret")).toBe("iKqz7ejTrflNJquQ07r9SiCDBww7zOnAFO4EpEOEfAs=");
    expect(verifyShopifyWebhookHmac(Buffer.from("hello"), "iKqz7ejTrflNJquQ07r9SiCDBww7zOnAFO4EpEOEfAs=", "secret")).toBe(true);
  });

  it("accepts the signature of the exact raw body", () => {
    const body = JSON.stringify({ id: 820982911946154508, name: "#9999" });
    expect(verifyShopifyWebhookHmac(body, signShopifyWebhook(body, "shpss_123"), "shpss_123")).toBe(true);
  });

  it("rejects a tampered body, a wrong secret, a missing or malformed header", () => {
    const body = '{"id":1,"total_price":"10.00"}';
    const hmac = signShopifyWebhook(body, "s1");
    expect(verifyShopifyWebhookHmac('{"id":1,"total_price":"0.01"}', hmac, "s1")).toBe(false);
    // Re-serialised JSON is different bytes: verification must use the raw body.
    expect(verifyShopifyWebhookHmac(JSON.stringify(JSON.parse(body), null, 1), hmac, "s1")).toBe(false);
    expect(verifyShopifyWebhookHmac(body, hmac, "s2")).toBe(false);
    expect(verifyShopifyWebhookHmac(body, undefined, "s1")).toBe(false);
    expect(verifyShopifyWebhookHmac(body, "", "s1")).toBe(false);
    expect(verifyShopifyWebhookHmac(body, "not base64 at all!!", "s1")).toBe(false);
    expect(verifyShopifyWebhookHmac(body, hmac.slice(0, -4), "s1")).toBe(false);
    expect(verifyShopifyWebhookHmac(body, hmac, "")).toBe(false);
  });
});
