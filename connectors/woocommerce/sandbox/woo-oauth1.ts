import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * Verifies WooCommerce's "one-legged" OAuth 1.0a over plain HTTP (docs-v3 _authentication.md,
 * "Authentication over HTTP"): the signature base string is METHOD & encoded URL & encoded,
 * sorted parameters (query plus oauth_*, without oauth_signature); the key is the consumer
 * secret followed by "&"; HMAC-SHA1 or HMAC-SHA256; timestamps older than 15 minutes refused.
 */

const WINDOW_SECONDS = 15 * 60;

export type OAuthCheck = { ok: true; consumerKey: string } | { ok: false; message: string };

export function verifyWooOAuth1(
  method: string,
  url: URL,
  authorizationHeader: string | undefined,
  secretFor: (consumerKey: string) => string | undefined,
  nowMs: number,
): OAuthCheck {
  // PHP's $_GET keeps the last of repeated keys; the official JS client repeats every query
  // parameter (once in the URL, once among the OAuth parameters), so the same is done here.
  const params: [string, string][] = [...new Map(url.searchParams.entries())];
  if (authorizationHeader?.startsWith("OAuth ")) {
    for (const part of authorizationHeader.slice(6).split(",")) {
      const m = /^\s*([^=]+)="?([^"]*)"?\s*$/.exec(part);
      if (m) params.push([decodeURIComponent(m[1]!), decodeURIComponent(m[2]!)]);
    }
  }
  const get = (key: string) => params.find(([k]) => k === key)?.[1];
  const consumerKey = get("oauth_consumer_key");
  const signature = get("oauth_signature");
  const method_ = get("oauth_signature_method");
  const timestamp = Number(get("oauth_timestamp"));
  if (!consumerKey || !signature || !get("oauth_nonce")) return { ok: false, message: "Missing OAuth parameter oauth_consumer_key, oauth_signature or oauth_nonce" };
  if (method_ !== "HMAC-SHA1" && method_ !== "HMAC-SHA256") return { ok: false, message: "Invalid signature method - must be HMAC-SHA1 or HMAC-SHA256" };
  if (!Number.isFinite(timestamp) || Math.abs(nowMs / 1000 - timestamp) > WINDOW_SECONDS) return { ok: false, message: "Invalid timestamp." };
  const secret = secretFor(consumerKey);
  if (!secret) return { ok: false, message: "Consumer key is invalid." };
  const normalized = params
    .filter(([k]) => k !== "oauth_signature")
    .map(([k, v]) => [rfc3986(k), rfc3986(v)] as const)
    .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join("&");
  const base = `${method.toUpperCase()}&${rfc3986(`${url.protocol}//${url.host}${url.pathname}`)}&${rfc3986(normalized)}`;
  const expected = createHmac(method_ === "HMAC-SHA1" ? "sha1" : "sha256", `${rfc3986(secret)}&`).update(base).digest();
  const received = Buffer.from(signature, "base64");
  if (received.length !== expected.length || !timingSafeEqual(received, expected)) return { ok: false, message: "Invalid signature - provided signature does not match." };
  return { ok: true, consumerKey };
}

function rfc3986(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
