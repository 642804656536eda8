import { json } from "@remix-run/node";
import { verifyShopifyWebhookHmac } from "../../connectors/shopify/webhook-signature";
import { isDateInRange } from "../../core/shared/input-bounds";
import { isDatabaseUnavailable } from "../../db/connection-errors";
import { findShopByDomain } from "../../db/repositories/shop-repository";
import { storeDelivery, storeRejectedDelivery } from "../../db/repositories/webhook-inbox-repository";
import { configuredWebhookSecret } from "../config/demo-mode.server";
import { getDatabase } from "../db.server";
import { parseShopifyJson } from "./shopify-json";
import { shopifyResourceId, type ShopifyWebhookTopic } from "../../connectors/shopify/shopify-webhook-topics";

const CHANNEL = "shopify";
/** Shopify stores at most this much text of a body that is not JSON; enough to diagnose it. */
const UNPARSEABLE_KEEP_CHARS = 64_000;

/**
 * The one ingress for Shopify webhooks: verify, store once, queue, answer 200 fast. The work
 * happens in the `webhooks/process` job, so a slow database query never makes Shopify time
 * out (5 s) and retry.
 *
 * Why not `authenticate.webhook` from @shopify/shopify-app-remix: the demo runs without Shopify
 * app credentials, and one code path must serve demo and production alike (the HMAC secret
 * comes from webhookSecret(), which is SHOPIFY_API_SECRET or the documented demo default);
 * and the inbox needs headers the library does not hand back (X-Shopify-Event-Id for
 * de-duplication, X-Shopify-Triggered-At for stale-delivery ordering).
 *
 * Answers: 401 bad or missing signature (nothing stored); 400 wrong topic, missing headers or
 * invalid JSON (the invalid body is kept, marked failed); 200 stored, redelivered, or for a shop
 * Switchyard does not know (kept, marked failed: retrying would not help, so Shopify may stop).
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

  // The signature covers the exact bytes sent: verify before decoding or parsing anything.
  // Fail closed: without a configured secret nothing is verified, so nothing is accepted.
  const secret = configuredWebhookSecret();
  if (!secret) return text(503, "Webhooks are not accepted: SHOPIFY_API_SECRET is not configured");
  const rawBody = Buffer.from(await request.arrayBuffer());
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
  const db = getDatabase();
  const shop = await findShopByDomain(db, shopDomain);
  const bodyText = rawBody.toString("utf8");

  let payload: unknown;
  try {
    payload = parseShopifyJson(bodyText);
  } catch (error) {
    const reason = `body is not valid JSON: ${(error as Error).message}`;
    await storeRejectedDelivery(db, {
      shopId: shop?.id ?? null,
      channel: CHANNEL,
      deliveryId,
      topic,
      triggeredAt,
      payload: { unparseable: bodyText.slice(0, UNPARSEABLE_KEEP_CHARS) },
      error: reason,
    });
    return text(400, `Invalid JSON in ${topic} webhook: ${reason}`);
  }

  const resourceId = shopifyResourceId(expectedTopic, payload);
  if (!shop) {
    await storeRejectedDelivery(db, {
      shopId: null,
      channel: CHANNEL,
      deliveryId,
      topic,
      resourceId,
      triggeredAt,
      payload,
      error: `unknown shop ${shopDomain}: no shop with this domain is installed`,
    });
    return json({ received: true, stored: false, reason: "unknown_shop" });
  }

  const stored = await storeDelivery(db, { shopId: shop.id, channel: CHANNEL, deliveryId, topic, resourceId, triggeredAt, payload });
  return json(stored.stored ? { received: true, stored: true } : { received: true, stored: false, reason: "duplicate" });
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
