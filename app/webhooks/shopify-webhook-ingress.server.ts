import { json } from "@remix-run/node";
import { verifyShopifyWebhookHmac } from "../../connectors/shopify/webhook-signature";
import { isDateInRange } from "../../core/shared/input-bounds";
import { isDatabaseUnavailable } from "../../db/connection-errors";
import { signalInboxStored } from "../../db/queue/inbox-signal";
import { storeShopDelivery } from "../../db/repositories/webhook-inbox-repository";
import { configuredWebhookSecret } from "../config/demo-mode.server";
import { getDatabase } from "../db.server";
import { readCappedBody } from "./capped-body.server";
import type { ShopifyWebhookTopic } from "../../connectors/shopify/shopify-webhook-topics";

const CHANNEL = "shopify";

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
  try {
    return await receive(request, expectedTopic);
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

async function receive(request: Request, expectedTopic: ShopifyWebhookTopic): Promise<Response> {
  if (request.method !== "POST") return text(405, "Shopify webhooks are POSTed", { Allow: "POST" });

  // Fail closed: without a configured secret nothing is verified, so nothing is accepted.
  const secret = configuredWebhookSecret();
  if (!secret) return text(503, "Webhooks are not accepted: SHOPIFY_API_SECRET is not configured");
  // Bounded before anything else: an oversized body is refused without being read in full.
  const read = await readCappedBody(request);
  if (!read.ok) return read.response;
  // The signature covers the exact bytes sent: verify before decoding or parsing anything.
  const rawBody = read.body;
  if (!verifyShopifyWebhookHmac(rawBody, request.headers.get("x-shopify-hmac-sha256"), secret)) {
    return text(401, "Invalid webhook signature");
  }

  const topic = request.headers.get("x-shopify-topic");
  if (topic !== expectedTopic) {
    return text(400, `This endpoint receives ${expectedTopic}, not ${topic ?? "(no X-Shopify-Topic)"}`);
  }
  const shopDomain = request.headers.get("x-shopify-shop-domain")?.trim().toLowerCase();
  const eventId = (request.headers.get("x-shopify-event-id") ?? request.headers.get("x-shopify-webhook-id"))?.trim();
  if (!shopDomain) return text(400, "Missing X-Shopify-Shop-Domain");
  if (!eventId) return text(400, "Missing X-Shopify-Event-Id (or X-Shopify-Webhook-Id)");

  // Scoped by topic: Shopify's event id identifies the event, and one event may be told to
  // more than one topic; two topics must never collapse into one delivery.
  const deliveryId = `${topic}:${eventId}`;
  const triggeredAt = parseTimestamp(request.headers.get("x-shopify-triggered-at"));
  // The bytes as received, in one INSERT: parsed by the worker, so no character, nesting or
  // malformed JSON can make a verified delivery unstorable (it becomes a retriable exception).
  const stored = await storeShopDelivery(getDatabase(), { shopDomain, channel: CHANNEL, deliveryId, topic, triggeredAt, rawBody });
  if (stored.stored) signalInboxStored();
  return json(stored.stored ? { received: true, stored: true } : { received: true, stored: false, reason: stored.reason });
}

function text(status: number, message: string, headers: Record<string, string> = {}): Response {
  return new Response(message, { status, headers: { "Content-Type": "text/plain; charset=utf-8", ...headers } });
}

function parseTimestamp(value: string | null): Date | null {
  if (!value) return null;
  const date = new Date(value);
  // A header naming year 10000 is no time PostgreSQL can store: treated as absent, not a 500.
  return isDateInRange(date) ? date : null;
}
