import { json } from "@remix-run/node";
import { z } from "zod";
import { easyPostEventSchema } from "../../connectors/easypost/easypost-schemas";
import { verifyEasyPostSignature } from "../../connectors/easypost/easypost-webhook-signature";
import { credentialCipher } from "../../db/crypto/encryption-key";
import { findCarrierAccountById } from "../../db/repositories/carrier-account-repository";
import { storeDelivery, storeRejectedDelivery } from "../../db/repositories/webhook-inbox-repository";
import { signalInboxStored } from "../../db/queue/inbox-signal";
import { getDatabase } from "../db.server";
import { readCappedBody } from "./capped-body.server";

const CHANNEL = "easypost";

/**
 * EasyPost events for one carrier account (its webhook URL carries the account id, so each
 * shop's secret verifies its own events): verify `X-Hmac-Signature` over the raw bytes, store
 * once by event id through the inbox, 200 fast; the worker's intake loop applies it.
 *
 * Answers: 404 unknown account; 401 bad or missing signature (nothing stored); 400 a body that is
 * not an EasyPost Event (kept, marked failed); 200 stored or redelivered.
 */
export async function receiveEasyPostWebhook(request: Request, accountId: string | undefined): Promise<Response> {
  if (request.method !== "POST") return text(405, "EasyPost webhooks are POSTed", { Allow: "POST" });
  const db = getDatabase();
  const account = accountId && z.guid().safeParse(accountId).success ? await findCarrierAccountById(db, credentialCipher(), accountId) : null;
  if (!account) return text(404, "No connected carrier account at this address");

  const read = await readCappedBody(request);
  if (!read.ok) return read.response;
  const rawBody = read.body;
  if (!verifyEasyPostSignature(rawBody, request.headers.get("x-hmac-signature"), account.credentials.webhookSecret)) {
    return text(401, "Invalid webhook signature");
  }
  const bodyText = rawBody.toString("utf8");
  let parsed: unknown;
  try {
    parsed = JSON.parse(bodyText);
  } catch (error) {
    await storeRejectedDelivery(db, {
      shopId: account.shopId,
      channel: CHANNEL,
      deliveryId: `unparseable:${Date.now()}:${Math.random().toString(36).slice(2)}`,
      topic: "unknown",
      rawBody,
      error: `body is not valid JSON: ${(error as Error).message}`,
    });
    return text(400, "Invalid JSON");
  }
  const event = easyPostEventSchema.safeParse(parsed);
  if (!event.success) {
    const id = typeof (parsed as { id?: unknown })?.id === "string" ? (parsed as { id: string }).id : `invalid:${Date.now()}`;
    const problem = event.error.issues.slice(0, 3).map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ");
    await storeRejectedDelivery(db, { shopId: account.shopId, channel: CHANNEL, deliveryId: id, topic: "unknown", rawBody, error: `not an EasyPost Event: ${problem}` });
    return text(400, `Not an EasyPost Event: ${problem}`);
  }
  const result = event.data.result;
  const updatedAt = typeof result.updated_at === "string" ? new Date(result.updated_at) : null;
  const stored = await storeDelivery(db, {
    shopId: account.shopId,
    channel: CHANNEL,
    deliveryId: event.data.id,
    topic: event.data.description,
    resourceId: typeof result.id === "string" ? result.id : null,
    triggeredAt: updatedAt && !Number.isNaN(updatedAt.getTime()) ? updatedAt : null,
    // The bytes as received; the worker parses and validates them again.
    rawBody,
  });
  if (stored.stored) signalInboxStored();
  return json(stored.stored ? { received: true, stored: true } : { received: true, stored: false, reason: "duplicate" });
}

function text(status: number, message: string, headers: Record<string, string> = {}): Response {
  return new Response(message, { status, headers: { "Content-Type": "text/plain; charset=utf-8", ...headers } });
}
