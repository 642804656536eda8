import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { json } from "@remix-run/node";
import { isStorableText } from "../../core/shared/input-bounds";
import { loadEncryptionKey } from "../../db/crypto/encryption-key";
import { appUrl } from "../config/demo-mode.server";
import { CSRF_COOKIE, CSRF_FIELD, CSRF_HEADER } from "./csrf-names";

/**
 * Cross-site request forgery guard for every admin action. Remix checks nothing for data
 * requests (`?_data=`), so each action (through requireAdminContext) checks here:
 *  - the Origin (or, failing that, the Referer) must be this app: its own host, or SHOPIFY_APP_URL;
 *  - in demo mode, which has no login, the request must also carry the CSRF token: a signed
 *    random value the admin set as a cookie, echoed in the X-CSRF-Token header (or the _csrf
 *    form field). Another site can neither read the cookie nor forge its signature.
 * Embedded (real) mode relies on the origin check and Shopify's session token: third-party
 * cookies inside the Shopify Admin iframe are blocked, so a cookie token cannot work there.
 */
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export async function assertAdminWriteAllowed(request: Request, options: { demo: boolean }): Promise<void> {
  if (SAFE_METHODS.has(request.method.toUpperCase())) return;
  const origin = requestOrigin(request);
  if (!origin) throw forbidden("origin_missing", "Admin actions must come from the admin itself (no Origin or Referer header was sent)");
  if (!originAllowed(request, origin)) throw forbidden("origin_mismatch", `Admin actions are not accepted from ${origin}`);
  if (!options.demo) return;

  const cookieToken = readCookie(request.headers.get("cookie"), CSRF_COOKIE);
  const sentToken = request.headers.get(CSRF_HEADER) ?? (await formToken(request));
  if (!cookieToken || !sentToken || !tokensMatch(cookieToken, sentToken) || !tokenSigned(cookieToken)) {
    throw forbidden("csrf_token", "The form's security token is missing or stale: reload the page and try again");
  }
}

/**
 * Text PostgreSQL cannot store (a NUL, "%00") in any query parameter or form field is refused
 * here with a 400 naming the field, for every admin page and action, before a query fails on it.
 */
export async function assertStorableInput(request: Request): Promise<void> {
  const fields: [string, string][] = [...new URL(request.url).searchParams.entries()];
  const type = request.headers.get("content-type") ?? "";
  if (!SAFE_METHODS.has(request.method.toUpperCase()) && (type.includes("application/x-www-form-urlencoded") || type.includes("multipart/form-data"))) {
    try {
      for (const [key, value] of (await request.clone().formData()).entries()) {
        if (typeof value === "string") fields.push([key, value]);
      }
    } catch {
      // an unreadable body is the action's to refuse
    }
  }
  const bad = fields.find(([key, value]) => !isStorableText(key) || !isStorableText(value));
  if (bad) {
    const field = bad[0].replace(/\u0000/g, "\\0");
    throw json({ message: `Invalid ${field}: contains a character that cannot be stored (NUL or a lone surrogate)`, field }, { status: 400 });
  }
}

/** A Set-Cookie value with a fresh token when the request has no valid one, else undefined. */
export function csrfCookieToIssue(request: Request): string | undefined {
  const current = readCookie(request.headers.get("cookie"), CSRF_COOKIE);
  if (current && tokenSigned(current)) return undefined;
  const secure = new URL(request.url).protocol === "https:" ? "; Secure" : "";
  // Readable by the page's script (double submit) but never sent cross-site.
  return `${CSRF_COOKIE}=${issueToken()}; Path=/; SameSite=Strict${secure}`;
}

export function issueToken(): string {
  const nonce = randomBytes(18).toString("base64url");
  return `${nonce}.${sign(nonce)}`;
}

function tokenSigned(token: string): boolean {
  const [nonce, signature, extra] = token.split(".");
  if (!nonce || !signature || extra !== undefined) return false;
  return tokensMatch(signature, sign(nonce));
}

let signingKey: Buffer | undefined;
function sign(nonce: string): string {
  // Derived from the credentials key so tokens survive restarts without a second secret to manage.
  signingKey ??= createHmac("sha256", loadEncryptionKey()).update("switchyard csrf v1").digest();
  return createHmac("sha256", signingKey).update(nonce).digest("base64url");
}

function tokensMatch(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

function requestOrigin(request: Request): string | undefined {
  const origin = request.headers.get("origin");
  if (origin && origin !== "null") return origin;
  if (origin === "null") return "null";
  const referer = request.headers.get("referer");
  if (!referer) return undefined;
  try {
    return new URL(referer).origin;
  } catch {
    return "null";
  }
}

function originAllowed(request: Request, origin: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return false;
  }
  const own = new URL(request.url);
  if (parsed.origin === own.origin) return true;
  if (parsed.origin === safeOrigin(appUrl())) return true;
  // Behind a TLS-terminating proxy the request URL says http while the browser says https;
  // the Host header is set by the browser and cannot be chosen by another site.
  const host = request.headers.get("host") ?? own.host;
  return parsed.host === host && (parsed.protocol === "https:" || parsed.protocol === own.protocol);
}

function safeOrigin(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}

async function formToken(request: Request): Promise<string | undefined> {
  const type = request.headers.get("content-type") ?? "";
  if (!type.includes("application/x-www-form-urlencoded") && !type.includes("multipart/form-data")) return undefined;
  try {
    const value = (await request.clone().formData()).get(CSRF_FIELD);
    return typeof value === "string" ? value : undefined;
  } catch {
    return undefined;
  }
}

function readCookie(header: string | null, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const index = part.indexOf("=");
    if (index > 0 && part.slice(0, index).trim() === name) return part.slice(index + 1).trim();
  }
  return undefined;
}

function forbidden(code: string, message: string): Response {
  return json({ error: { code, message }, message }, { status: 403, headers: { "Cache-Control": "no-store" } });
}
