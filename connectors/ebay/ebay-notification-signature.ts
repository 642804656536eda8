import { createHash, createPublicKey, createVerify } from "node:crypto";
import { err, ok, type Result } from "../../core/shared/result.js";

/**
 * eBay's marketplace account deletion endpoint (Notification API overview, "Handling
 * notifications"):
 * - GET ?challenge_code=… is answered with {"challengeResponse": hex(SHA-256(challengeCode +
 *   verificationToken + endpoint))}, proving the endpoint is ours;
 * - each POST carries X-EBAY-SIGNATURE, base64 of JSON {alg, kid, signature, digest}. The key
 *   `kid` is fetched with the Notification API's getPublicKey; the signature (base64, ECDSA with
 *   the named digest, SHA1 today) covers the notification body.
 */

export function ebayChallengeResponse(challengeCode: string, verificationToken: string, endpoint: string): string {
  return createHash("sha256").update(challengeCode).update(verificationToken).update(endpoint).digest("hex");
}

export interface EbayPublicKey {
  readonly key: string;
  readonly algorithm?: string;
  readonly digest?: string;
}

export type EbaySignatureFailure = "missing_signature" | "malformed_signature" | "unknown_key" | "key_unavailable" | "bad_signature";

export interface DecodedEbaySignature {
  alg: string;
  kid: string;
  signature: string;
  digest: string;
}

export function decodeEbaySignatureHeader(header: string | null | undefined): Result<DecodedEbaySignature, EbaySignatureFailure> {
  if (!header) return err("missing_signature", "no X-EBAY-SIGNATURE header");
  try {
    const decoded = JSON.parse(Buffer.from(header.trim(), "base64").toString("utf8")) as Partial<DecodedEbaySignature>;
    if (typeof decoded.kid !== "string" || typeof decoded.signature !== "string") return err("malformed_signature", "X-EBAY-SIGNATURE lacks kid or signature");
    return ok({ alg: decoded.alg ?? "ecdsa", kid: decoded.kid, signature: decoded.signature, digest: decoded.digest ?? "SHA1" });
  } catch {
    return err("malformed_signature", "X-EBAY-SIGNATURE is not base64 JSON");
  }
}

/**
 * Verifies a notification. eBay's own SDK verifies the re-serialised JSON; the raw bytes are
 * tried first (they are what was signed when the body is compact, as eBay sends it), then the
 * compact re-serialisation, so a harmless whitespace difference does not reject a real deletion.
 */
export async function verifyEbayNotification(
  rawBody: Buffer | string,
  signatureHeader: string | null | undefined,
  fetchKey: (kid: string) => Promise<Result<EbayPublicKey, "unknown_key" | "key_unavailable">>,
): Promise<Result<{ kid: string }, EbaySignatureFailure>> {
  const decoded = decodeEbaySignatureHeader(signatureHeader);
  if (!decoded.ok) return decoded;
  const key = await fetchKey(decoded.value.kid);
  if (!key.ok) return key;
  let publicKey;
  try {
    publicKey = createPublicKey(pemOf(key.value.key));
  } catch {
    return err("key_unavailable", `public key ${decoded.value.kid} is not a valid key`);
  }
  const digest = (key.value.digest ?? decoded.value.digest).toLowerCase().replace("-", "");
  const candidates: Buffer[] = [Buffer.isBuffer(rawBody) ? rawBody : Buffer.from(rawBody)];
  try {
    candidates.push(Buffer.from(JSON.stringify(JSON.parse(candidates[0]!.toString("utf8")))));
  } catch {
    // Not JSON: only the raw bytes can have been signed.
  }
  for (const body of candidates) {
    try {
      if (createVerify(digest).update(body).verify(publicKey, decoded.value.signature, "base64")) return ok({ kid: decoded.value.kid });
    } catch {
      return err("bad_signature", `cannot verify with digest ${digest}`);
    }
  }
  return err("bad_signature", "the signature does not match the body");
}

/** eBay returns the key as one PEM line ("-----BEGIN PUBLIC KEY-----MFkw…-----END PUBLIC KEY-----"). */
export function pemOf(key: string): string {
  const body = key.replace(/-----(BEGIN|END) PUBLIC KEY-----/g, "").replace(/\s+/g, "");
  const lines = body.match(/.{1,64}/g) ?? [];
  return `-----BEGIN PUBLIC KEY-----\n${lines.join("\n")}\n-----END PUBLIC KEY-----\n`;
}
