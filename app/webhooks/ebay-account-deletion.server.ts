import { json } from "@remix-run/node";
import { ebayCredentialsSchema } from "../../connectors/ebay/ebay-client";
import { createEbayPublicKeyFetcher } from "../../connectors/ebay/ebay-notification-keys";
import { ebayChallengeResponse, verifyEbayNotification } from "../../connectors/ebay/ebay-notification-signature";
import { credentialCipher } from "../../db/crypto/encryption-key";
import { findChannelConnection } from "../../db/repositories/channel-connection-repository";
import { applyEbayAccountDeletion } from "../../db/repositories/ebay-account-deletion-repository";
import { getDatabase } from "../db.server";

/** Public keys are cached per keyset for the life of the process (eBay asks callers to cache them). */
const fetchers = new Map<string, ReturnType<typeof createEbayPublicKeyFetcher>>();

/**
 * eBay's marketplace account deletion endpoint for one eBay connection:
 * GET ?challenge_code= → {"challengeResponse": SHA-256(code + verification token + endpoint)};
 * POST → X-EBAY-SIGNATURE verified with the key from the Notification API, then the user's data
 * erased (204). A notification that cannot be verified is answered 401 (no signature) or 412
 * (eBay's SDK answer for a failed verification) and changes nothing.
 */
export async function handleEbayAccountDeletion(request: Request, connectionId: string): Promise<Response> {
  const db = getDatabase();
  const connection = await findChannelConnection(db, connectionId);
  if (!connection || connection.channel !== "ebay") return text(404, "No eBay connection with this id");
  const credentials = credentialsOf(connection.credentialsEncrypted);
  if (!credentials?.verificationToken) return text(412, "This eBay connection has no verification token for account deletion notifications");
  const url = new URL(request.url);
  const endpoint = typeof connection.settings.accountDeletionEndpoint === "string" ? connection.settings.accountDeletionEndpoint : `${url.origin}${url.pathname}`;
  const baseUrl = typeof connection.settings.baseUrl === "string" ? connection.settings.baseUrl : undefined;

  if (request.method === "GET") {
    const challengeCode = url.searchParams.get("challenge_code");
    if (!challengeCode) return text(400, "Missing challenge_code");
    return json({ challengeResponse: ebayChallengeResponse(challengeCode, credentials.verificationToken, endpoint) });
  }
  if (request.method !== "POST") return text(405, "GET (challenge) or POST (notification)", { Allow: "GET, POST" });

  const rawBody = Buffer.from(await request.arrayBuffer());
  const signature = request.headers.get("x-ebay-signature");
  if (!signature) return text(401, "Missing X-EBAY-SIGNATURE");
  const fetcherKey = `${baseUrl ?? "production"}|${credentials.appId}`;
  if (!fetchers.has(fetcherKey)) fetchers.set(fetcherKey, createEbayPublicKeyFetcher({ ...(baseUrl ? { baseUrl } : {}), appId: credentials.appId, certId: credentials.certId }));
  const verified = await verifyEbayNotification(rawBody, signature, fetchers.get(fetcherKey)!);
  if (!verified.ok) return text(412, `Notification not verified: ${verified.reason}`);

  const body = JSON.parse(rawBody.toString("utf8")) as { metadata?: { topic?: string }; notification?: { notificationId?: string; eventDate?: string; data?: { username?: string } } };
  if (body.metadata?.topic !== "MARKETPLACE_ACCOUNT_DELETION" || !body.notification?.notificationId || !body.notification.data?.username) {
    return text(400, "Not a MARKETPLACE_ACCOUNT_DELETION notification");
  }
  const eventDate = body.notification.eventDate ? new Date(body.notification.eventDate) : null;
  await applyEbayAccountDeletion(db, {
    shopId: connection.shopId,
    notificationId: body.notification.notificationId,
    username: body.notification.data.username,
    eventDate: eventDate && !Number.isNaN(eventDate.getTime()) ? eventDate : null,
  });
  return new Response(null, { status: 204 });
}

function credentialsOf(encrypted: string | null) {
  if (!encrypted) return undefined;
  try {
    const parsed = ebayCredentialsSchema.safeParse(credentialCipher().decryptJson<unknown>(encrypted));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

function text(status: number, message: string, headers: Record<string, string> = {}): Response {
  return new Response(message, { status, headers: { "Content-Type": "text/plain; charset=utf-8", ...headers } });
}
