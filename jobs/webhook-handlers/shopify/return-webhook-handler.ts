import { and, eq, inArray } from "drizzle-orm";
import { z } from "zod";
import { decideChannelSignal, type ChannelReturnSignal } from "../../../core/returns/channel-return-sync";
import { RETURN_REASONS, type ReturnReason } from "../../../core/returns/return-rules";
import { isRmaStatus } from "../../../core/returns/rma-state-machine";
import type { ShopifyReturnTopic } from "../../../connectors/shopify/shopify-webhook-topics";
import { findUnlinkedReturnWithLines, linkChannelReturn, variantByExternalId } from "../../../db/repositories/return-channel-repository";
import { applyReturnStepInTx } from "../../../db/repositories/return-lifecycle-repository";
import { appendReturnEvents, requestReturnInTx } from "../../../db/repositories/return-request-repository";
import { orderLines, orders, returns } from "../../../db/schema";
import { describeIssues, failed, processed, shopifyId, type ShopifyWebhookHandler, type WebhookHandlerInput } from "./webhook-handler";

/**
 * returns/request, approve, decline, process, cancel, close, reopen: Shopify's returns onto the
 * RMA state machine. A return Switchyard placed is recognised by its id (or, when its webhook
 * overtakes our own record of it, by order and lines) and only moved; one made in Shopify's
 * admin becomes an RMA from whichever of its webhooks arrives first (they all carry the
 * return's lines). Redeliveries and webhooks overtaken by later ones change nothing; a signal
 * the RMA disagrees with is kept on its timeline for the merchant, never forced through.
 */

const gidOf = (type: string) => z.string().regex(new RegExp(`^gid://shopify/${type}/\\d+$`));

const returnPayloadSchema = z.looseObject({
  id: shopifyId,
  admin_graphql_api_id: gidOf("Return").optional(),
  name: z.string().nullish(),
  status: z.string().nullish(),
  order: z.object({ id: shopifyId, admin_graphql_api_id: gidOf("Order").optional() }).nullish(),
  order_id: shopifyId.nullish(),
  return_line_items: z
    .array(
      z.looseObject({
        id: shopifyId,
        quantity: z.number().int().positive().max(100_000),
        fulfillment_line_item: z.object({ id: shopifyId, line_item: z.object({ id: shopifyId, admin_graphql_api_id: gidOf("LineItem").optional() }) }),
        return_reason: z.string().max(100).nullish(),
        return_reason_note: z.string().max(2_000).nullish(),
        customer_note: z.string().max(2_000).nullish(),
      }),
    )
    .nullish(),
  exchange_line_items: z.array(z.looseObject({ id: shopifyId, variant_id: shopifyId.nullish(), quantity: z.number().int().positive().max(100_000) })).nullish(),
  decline: z.object({ reason: z.string().max(100), note: z.string().max(2_000).nullish() }).nullish(),
});
type ReturnPayload = z.infer<typeof returnPayloadSchema>;

const SIGNALS: Record<ShopifyReturnTopic, ChannelReturnSignal> = {
  "returns/request": "requested",
  "returns/approve": "approved",
  "returns/decline": "declined",
  "returns/process": "processed",
  "returns/cancel": "cancelled",
  "returns/close": "closed",
  "returns/reopen": "reopened",
};

/** Shopify's reason (the old enum, or a reason library handle) as ours; anything else is "other". */
export function reasonFromShopify(reason: string | null | undefined): ReturnReason {
  const normalised = (reason ?? "").toLowerCase().replace(/-/g, "_");
  return (RETURN_REASONS as readonly string[]).includes(normalised) ? (normalised as ReturnReason) : "other";
}

export function returnWebhookHandler(topic: ShopifyReturnTopic): ShopifyWebhookHandler {
  return async (input) => {
    const parsed = returnPayloadSchema.safeParse(input.delivery.payload);
    if (!parsed.success) return failed(describeIssues(`${topic} payload`, parsed.error));
    const payload = parsed.data;
    const returnGid = payload.admin_graphql_api_id ?? `gid://shopify/Return/${payload.id}`;
    const actor = `shopify:${topic}`;

    let rmaId = await rmaForChannelReturn(input, returnGid);
    let created = false;
    if (!rmaId) {
      const known = await adoptOrCreate(input, topic, payload, returnGid);
      if (!known.ok) return failed(known.error);
      rmaId = known.rmaId;
      created = known.created;
    }

    const [rma] = await input.tx.select({ status: returns.status, rmaNumber: returns.rmaNumber }).from(returns).where(eq(returns.id, rmaId));
    if (!rma || !isRmaStatus(rma.status)) return failed(`return ${rmaId} has an unknown status`);
    const decision = decideChannelSignal(rma.status, SIGNALS[topic]);
    const what = `${payload.name ?? returnGid}`;
    if (decision.kind === "already") return processed(`${rma.rmaNumber}: ${created ? "created; " : ""}${decision.detail}`);
    if (decision.kind === "conflict") {
      await appendReturnEvents(input.tx, input.shop.id, rmaId, [
        { kind: "channel_conflict", message: `Shopify ${what}: ${decision.detail}`, actor, data: { topic, deliveryRowId: input.delivery.id } },
      ]);
      return processed(`${rma.rmaNumber}: ${decision.detail} (kept on the return's timeline)`);
    }
    const note = decision.event === "decline" ? [payload.decline?.reason?.replace(/_/g, " "), payload.decline?.note].filter(Boolean).join(": ") || "declined in Shopify" : `in Shopify (${what})`;
    const step = await applyReturnStepInTx(input.tx, { shopId: input.shop.id, returnId: rmaId, event: decision.event, actor, note, syncChannel: false });
    if (!step.ok) return failed(`${rma.rmaNumber}: ${decision.event} refused: ${step.reason}${step.detail ? ` (${step.detail})` : ""}`);
    return processed(`${rma.rmaNumber}: ${step.value.from} -> ${step.value.to}`);
  };
}

async function rmaForChannelReturn({ tx, shop }: WebhookHandlerInput, returnGid: string): Promise<string | null> {
  const [row] = await tx.select({ id: returns.id }).from(returns).where(and(eq(returns.shopId, shop.id), eq(returns.channelReturnId, returnGid)));
  return row?.id ?? null;
}

type Known = { ok: true; rmaId: string; created: boolean } | { ok: false; error: string };

async function adoptOrCreate(input: WebhookHandlerInput, topic: ShopifyReturnTopic, payload: ReturnPayload, returnGid: string): Promise<Known> {
  const { tx, shop } = input;
  const lines = payload.return_line_items ?? [];
  if (lines.length === 0) return { ok: false, error: `return ${returnGid} is not known here and the ${topic} payload carries no lines to create it from` };
  const orderRef = payload.order?.admin_graphql_api_id ?? (payload.order?.id ?? payload.order_id ? `gid://shopify/Order/${payload.order?.id ?? payload.order_id}` : null);
  if (!orderRef) return { ok: false, error: `return ${returnGid} names no order` };
  const [order] = await tx
    .select({ id: orders.id, number: orders.number })
    .from(orders)
    .where(and(eq(orders.shopId, shop.id), eq(orders.channel, "shopify"), eq(orders.externalId, orderRef)));
  if (!order) return { ok: false, error: `return ${returnGid} is for order ${orderRef}, which Switchyard does not hold` };

  const wanted = lines.map((l) => ({ externalLineId: l.fulfillment_line_item.line_item.admin_graphql_api_id ?? `gid://shopify/LineItem/${l.fulfillment_line_item.line_item.id}`, line: l }));
  const known = await tx
    .select({ id: orderLines.id, externalLineId: orderLines.externalLineId })
    .from(orderLines)
    .where(and(eq(orderLines.orderId, order.id), inArray(orderLines.externalLineId, wanted.map((w) => w.externalLineId))));
  const lineId = new Map(known.map((k) => [k.externalLineId, k.id]));
  const missing = wanted.filter((w) => !lineId.has(w.externalLineId)).map((w) => w.externalLineId);
  if (missing.length > 0) return { ok: false, error: `return ${returnGid}: order ${order.number} has no line ${missing.join(", ")}` };

  // Our own request, whose webhook overtook the job that records the link.
  const ours = await findUnlinkedReturnWithLines(tx, { shopId: shop.id, orderId: order.id, lines: wanted.map((w) => ({ externalLineId: w.externalLineId, quantity: w.line.quantity })) });
  if (ours && (await linkChannelReturn(tx, { returnId: ours, channelReturnId: returnGid }))) {
    await appendReturnEvents(tx, shop.id, ours, [{ kind: "channel_sync", message: `Shopify: return ${payload.name ?? returnGid} placed`, actor: `shopify:${topic}`, data: { channelReturnId: returnGid } }]);
    return { ok: true, rmaId: ours, created: false };
  }

  const exchanges = payload.exchange_line_items ?? [];
  const exchangeVariant = exchanges[0]?.variant_id ? await variantByExternalId(tx, shop.id, `gid://shopify/ProductVariant/${exchanges[0].variant_id}`) : null;
  const requested = await requestReturnInTx(tx, {
    shopId: shop.id,
    orderId: order.id,
    resolution: exchanges.length > 0 ? "exchange" : "refund",
    source: "shopify",
    externalId: returnGid,
    madeOnChannel: true,
    actor: `shopify:${topic}`,
    lines: wanted.map((w, i) => ({
      orderLineId: lineId.get(w.externalLineId)!,
      quantity: w.line.quantity,
      reason: reasonFromShopify(w.line.return_reason),
      ...((w.line.customer_note ?? w.line.return_reason_note) ? { note: (w.line.customer_note ?? w.line.return_reason_note)! } : {}),
      // Shopify pairs exchange items with the return as a whole; the first line carries them here.
      ...(i === 0 && exchangeVariant ? { exchangeVariantId: exchangeVariant } : {}),
    })),
  });
  if (!requested.ok) return { ok: false, error: `return ${returnGid} could not be stored: ${requested.reason}${requested.detail ? ` (${requested.detail})` : ""}` };
  return { ok: true, rmaId: requested.value.returnId, created: !requested.value.duplicate };
}
