import { createHash } from "node:crypto";
import { json } from "@remix-run/node";
import { wooCredentialsSchema } from "../../connectors/woocommerce/woocommerce-client";
import { wooOrderDeliveryIdentity } from "../../connectors/woocommerce/woocommerce-order-poll";
import { verifyWooCommerceWebhookSignature } from "../../connectors/woocommerce/woocommerce-webhook-signature";
import { credentialCipher } from "../../db/crypto/encryption-key";
import { findChannelConnection } from "../../db/repositories/channel-connection-repository";
import { storeDelivery, storeRejectedDelivery } from "../../db/repositories/webhook-inbox-repository";
import { signalInboxStored } from "../../db/queue/inbox-signal";
import { getDatabase } from "../db.server";
import { readCappedBody } from "./capped-body.server";

const CHANNEL = "woocommerce";

/**
 * The one ingress for a WooCommerce connection's webhooks: verify, store once, answer 200 fast;
 * the worker's intake loop maps the order later. The URL names the connection, because the webhook
 * secret (and the shop) belong to it.
 *
 * Answers: 200 for the ping Woo sends when a webhook is created (`webhook_id=<id>`, unsigned);
 * 401 for a missing or wrong X-WC-Webhook-Signature (nothing stored); 404 for an unknown
 * connection; 400 for a body that is not JSON (kept, marked failed); 200 stored or duplicate.
 * Woo repeats X-WC-Webhook-Delivery-ID across deliveries, so the inbox key is topic + order id
 * + date_modified_gmt: a redelivered version is a duplicate, a new version is new.
 */
export async function receiveWooCommerceWebhook(request: Request, connectionId: string): Promise<Response> {
  if (request.method !== "POST") return text(405, "WooCommerce webhooks are POSTed", { Allow: "POST" });
  const db = getDatabase();
  const connection = await findChannelConnection(db, connectionId);
  if (!connection || connection.channel !== CHANNEL) return text(404, "No WooCommerce connection with this id");

  const read = await readCappedBody(request);
  if (!read.ok) return read.response;
  const rawBody = read.body;
  const signature = request.headers.get("x-wc-webhook-signature");
  if (!signature && /^webhook_id=\d+$/.test(rawBody.toString("utf8").trim())) return json({ received: true, ping: true });

  const secret = webhookSecretOf(connection.credentialsEncrypted);
  if (!secret || !verifyWooCommerceWebhookSignature(rawBody, signature, secret)) return text(401, "Invalid webhook signature");

  const topic = request.headers.get("x-wc-webhook-topic")?.trim();
  if (!topic) return text(400, "Missing X-WC-Webhook-Topic");
  const bodyText = rawBody.toString("utf8");
  const bodyHash = createHash("sha256").update(rawBody).digest("hex").slice(0, 32);
  let payload: unknown;
  try {
    payload = JSON.parse(bodyText);
  } catch (error) {
    const reason = `body is not valid JSON: ${(error as Error).message}`;
    await storeRejectedDelivery(db, { shopId: connection.shopId, channel: CHANNEL, deliveryId: `${topic}:unparseable:${bodyHash}`, topic, rawBody, error: reason });
    return text(400, `Invalid JSON in ${topic} webhook: ${reason}`);
  }

  const identity = wooOrderDeliveryIdentity(topic, payload);
  if (!identity) {
    // Signed by the store but without id or date_modified_gmt: kept for a person, never retried.
    await storeRejectedDelivery(db, {
      shopId: connection.shopId,
      channel: CHANNEL,
      deliveryId: `${topic}:malformed:${bodyHash}`,
      topic,
      rawBody,
      error: `${topic} payload has no id or date_modified_gmt`,
    });
    return json({ received: true, stored: false, reason: "malformed" });
  }
  // The bytes as received (parsed again by the worker): a string PostgreSQL's jsonb refuses (NUL,
  // a lone surrogate) cannot make a verified delivery unstorable.
  const stored = await storeDelivery(db, { shopId: connection.shopId, channel: CHANNEL, ...identity, topic, rawBody });
  if (stored.stored) signalInboxStored();
  return json(stored.stored ? { received: true, stored: true } : { received: true, stored: false, reason: "duplicate" });
}

function webhookSecretOf(credentialsEncrypted: string | null): string | undefined {
  if (!credentialsEncrypted) return undefined;
  try {
    const parsed = wooCredentialsSchema.safeParse(credentialCipher().decryptJson<unknown>(credentialsEncrypted));
    return parsed.success ? parsed.data.webhookSecret : undefined;
  } catch {
    return undefined;
  }
}

function text(status: number, message: string, headers: Record<string, string> = {}): Response {
  return new Response(message, { status, headers: { "Content-Type": "text/plain; charset=utf-8", ...headers } });
}
