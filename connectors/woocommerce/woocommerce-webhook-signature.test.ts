import { describe, expect, it } from "vitest";
import { signWooCommerceWebhook, verifyWooCommerceWebhookSignature } from "./woocommerce-webhook-signature.js";

describe("WooCommerce webhook signature", () => {
  it("matches an independently computed vector (printf hello | openssl dgst -sha256 -hmac secret -binary | base64)", () => {
    expect(signWooCommerceWebhook("hello", "secret")).toBe("iKqz7ejTrflNJquQ07r9SiCDBww7zOnAFO4EpEOEfAs=");
  });

  it("accepts the signature of the exact raw body and nothing else", () => {
    const body = '{"id":727,"status":"processing","date_modified_gmt":"2017-03-22T19:28:08"}';
    const signature = signWooCommerceWebhook(body, "wc_secret");
    expect(verifyWooCommerceWebhookSignature(Buffer.from(body), signature, "wc_secret")).toBe(true);
    expect(verifyWooCommerceWebhookSignature(body.replace("727", "728"), signature, "wc_secret")).toBe(false);
    expect(verifyWooCommerceWebhookSignature(JSON.stringify(JSON.parse(body), null, 2), signature, "wc_secret")).toBe(false);
    expect(verifyWooCommerceWebhookSignature(body, signature, "other")).toBe(false);
    expect(verifyWooCommerceWebhookSignature(body, null, "wc_secret")).toBe(false);
    expect(verifyWooCommerceWebhookSignature(body, "", "wc_secret")).toBe(false);
    expect(verifyWooCommerceWebhookSignature(body, signature.slice(0, -6), "wc_secret")).toBe(false);
    expect(verifyWooCommerceWebhookSignature(body, signature, "")).toBe(false);
  });
});
