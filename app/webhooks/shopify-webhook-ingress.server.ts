import { verifyShopifyWebhookHmac } from "../../connectors/shopify/webhook-signature";
import { isDateInRange } from "../../core/shared/input-bounds";
import { isDatabaseUnavailable } from "../../db/connection-errors";
import { signalInboxStored } from "../../db/queue/inbox-signal";
import { createDeliveryGroupStore } from "../../db/repositories/webhook-inbox-group-store";
import type { Database } from "../../db/client";
import { configuredWebhookSecret } from "../config/demo-mode.server";
import { getDatabase } from "../db.server";
import { readCappedChunks, tooLargeMessage } from "./capped-body.server";
import type { ShopifyWebhookTopic } from "../../connectors/shopify/shopify-webhook-topics";

const CHANNEL = "shopify";

/** What the ingress answers, independent of the HTTP stack that carries it. */
export interface IngressAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** Set when the body was refused unread: ends the caller's body stream. */
  abandonBody?: () => Promise<void>;
}

/** A webhook POST as any HTTP stack can hand it over: Remix's Request or Node's IncomingMessage. */
export interface WebhookCall {
  method: string;
  header(name: string): string | null;
  body: AsyncIterable<Uint8Array> | null;
}

/**
 * The one ingress for Shopify webhooks: bound, verify, store the raw bytes once, answer 200 fast.
 * The work happens in the worker's intake loop (jobs/intake), which claims pending deliveries
 * in batches, so a slow database query never makes Shopify time out (5 s) and retry.
 *
 * Why not `authenticate.webhook` from @shopify/shopify-app-remix: the demo runs without Shopify
 * app credentials, and one code path must serve demo and production alike (the HMAC secret
 * comes from webhookSecret(), which is SHOPIFY_API_SECRET or the documented demo default);
 * and the inbox needs headers the library does not hand back (X-Shopify-Event-Id for
 * de-duplication, X-Shopify-Triggered-At for stale-delivery ordering).
 *
 * Answers: 413 body over SWITCHYARD_WEBHOOK_MAX_BYTES (decided before reading it all, before the
 * signature); 401 bad or missing signature (nothing stored); 400 wrong topic or missing headers;
 * 200 stored (whatever the body holds: a body that is not JSON becomes a retriable exception in
 * the worker), redelivered, or for a shop Switchyard does not know (kept, marked failed:
 * retrying would not help, so Shopify may stop); 503 while the database is away.
 */
export async function receiveShopifyWebhook(request: Request, expectedTopic: ShopifyWebhookTopic): Promise<Response> {
  const answer = await answerShopifyWebhook(
    { method: request.method, header: (name) => request.headers.get(name), body: request.body as AsyncIterable<Uint8Array> | null },
    expectedTopic,
  );
  await answer.abandonBody?.().catch(() => {});
  return new Response(answer.body, { status: answer.status, headers: answer.headers });
}

/** The same ingress for any HTTP stack (server/webhook-node-route.ts serves it straight from Node). */
export async function answerShopifyWebhook(call: WebhookCall, expectedTopic: ShopifyWebhookTopic): Promise<IngressAnswer> {
  try {
    return await receive(call, expectedTopic);
  } catch (error) {
    // The database is away (restarting, killed): nothing was acknowledged, so ask the channel to
    // send it again later; Shopify retries a 503 with backoff for up to 48 hours.
    if (isDatabaseUnavailable(error)) {
      console.error(`[webhooks] ${expectedTopic}: database unavailable, answered 503`);
      return text(503, "Temporarily unavailable: the delivery was not stored; send it again", { "Retry-After": "5" });
    }
    throw error;
  }
}

async function receive(call: WebhookCall, expectedTopic: ShopifyWebhookTopic): Promise<IngressAnswer> {
  if (call.method !== "POST") return text(405, "Shopify webhooks are POSTed", { Allow: "POST" });

  // Fail closed: without a configured secret nothing is verified, so nothing is accepted.
  const secret = configuredWebhookSecret();
  if (!secret) return text(503, "Webhooks are not accepted: SHOPIFY_API_SECRET is not configured");
  // Bounded before anything else: an oversized body is refused without being read in full.
  const read = await readCappedChunks(call.body, call.header("content-length"));
  if (!read.ok) return { ...text(413, tooLargeMessage(), { Connection: "close" }), abandonBody: read.abandon };
  // The signature covers the exact bytes sent: verify before decoding or parsing anything.
  const rawBody = read.body;
  if (!verifyShopifyWebhookHmac(rawBody, call.header("x-shopify-hmac-sha256"), secret)) {
    return text(401, "Invalid webhook signature");
  }

  const topic = call.header("x-shopify-topic");
  if (topic !== expectedTopic) {
    return text(400, `This endpoint receives ${expectedTopic}, not ${topic ?? "(no X-Shopify-Topic)"}`);
  }
  const shopDomain = call.header("x-shopify-shop-domain")?.trim().toLowerCase();
  const eventId = (call.header("x-shopify-event-id") ?? call.header("x-shopify-webhook-id"))?.trim();
  if (!shopDomain) return text(400, "Missing X-Shopify-Shop-Domain");
  if (!eventId) return text(400, "Missing X-Shopify-Event-Id (or X-Shopify-Webhook-Id)");

  // Scoped by topic: Shopify's event id identifies the event, and one event may be told to
  // more than one topic; two topics must never collapse into one delivery.
  const deliveryId = `${topic}:${eventId}`;
  const triggeredAt = parseTimestamp(call.header("x-shopify-triggered-at"));
  // The bytes as received, in one INSERT shared with the deliveries arriving alongside: parsed
  // by the worker, so no character, nesting or malformed JSON can make a verified delivery
  // unstorable (it becomes a retriable exception).
  const stored = await groupStoreFor(getDatabase()).store({ shopDomain, channel: CHANNEL, deliveryId, topic, triggeredAt, rawBody });
  if (stored.stored) signalInboxStored();
  return {
    status: 200,
    headers: { "Content-Type": "application/json; charset=utf-8" },
    body: JSON.stringify(stored.stored ? { received: true, stored: true } : { received: true, stored: false, reason: stored.reason }),
  };
}

// One group store per pool (tests point the app at a database of their own).
const groupStores = new WeakMap<Database, ReturnType<typeof createDeliveryGroupStore>>();
function groupStoreFor(db: Database) {
  let store = groupStores.get(db);
  if (!store) groupStores.set(db, (store = createDeliveryGroupStore(db)));
  return store;
}

function text(status: number, message: string, headers: Record<string, string> = {}): IngressAnswer {
  return { status, body: message, headers: { "Content-Type": "text/plain; charset=utf-8", ...headers } };
}

function parseTimestamp(value: string | null): Date | null {
  if (!value) return null;
  const date = new Date(value);
  // A header naming year 10000 is no time PostgreSQL can store: treated as absent, not a 500.
  return isDateInRange(date) ? date : null;
}
