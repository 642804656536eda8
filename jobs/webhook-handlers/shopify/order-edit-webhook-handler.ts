import { z } from "zod";
import type { UnifiedOrderLine } from "../../../core/orders/unified-order";
import { applyOrderEdit, findChannelOrder, storedLinesOf } from "../../../db/repositories/order-edit-repository";
import { appendTimeline } from "../../../db/repositories/order-timeline-repository";
import { describeOrderEditOutcome } from "../order-edit-note";
import { describeIssues, failed, ignoredStale, newerDeliveryProcessed, processed, shopifyId, type ShopifyWebhookHandler } from "./webhook-handler";

const lineDelta = z.object({ id: shopifyId, delta: z.number().int().nonnegative() });
const orderEditSchema = z.object({
  order_edit: z.object({
    id: shopifyId,
    order_id: shopifyId,
    created_at: z.iso.datetime({ offset: true }),
    // Since 2024-07; created_at is when the edit began, committed_at when it reached the order.
    committed_at: z.iso.datetime({ offset: true }).nullable().optional(),
    // A factory: zod 4 returns a default as a shallow copy, which would share these arrays between deliveries.
    line_items: z
      .object({ additions: z.array(lineDelta).default([]), removals: z.array(lineDelta).default([]) })
      .default(() => ({ additions: [], removals: [] })),
  }),
});

/**
 * orders/edited carries an `order_edit`: the edit's id, the order id, and per line item id the
 * units added and removed (deltas), with no variant, SKU, title or price for a new line.
 *
 * Decision: apply the deltas to the lines Switchyard holds, and leave lines it does not hold
 * to orders/updated. Reading the order back from the Admin API instead would put a network
 * call inside the delivery's transaction (or a second job and its own retries) for something
 * Shopify already sends: every edit also fires orders/updated with the whole order and each
 * line's current_quantity, which is absolute and so safe to apply whenever it comes. This
 * handler only lets a removal or a raised quantity take effect as soon as the first of the
 * two arrives. It never double-counts: an edit committed no later than the order version
 * Switchyard holds is already in it and is ignored, and once applied here the following
 * orders/updated finds the same quantities and changes nothing. (The delivery is keyed by the
 * OrderEdit id, so it never makes that orders/updated look stale.)
 */
export const handleOrderEditedWebhook: ShopifyWebhookHandler = async ({ tx, delivery, shop, policies }) => {
  const parsed = orderEditSchema.safeParse(delivery.payload);
  if (!parsed.success) return failed(describeIssues("orders/edited payload", parsed.error));
  if (await newerDeliveryProcessed(tx, delivery)) return ignoredStale("a newer delivery of this edit was already processed");
  const edit = parsed.data.order_edit;
  const order = await findChannelOrder(tx, shop.id, "shopify", `gid://shopify/Order/${edit.order_id}`);
  if (!order) return processed(`order ${edit.order_id} is not held yet; its orders/create carries the edited quantities`);
  const committedAt = new Date(edit.committed_at ?? edit.created_at);
  if (committedAt.getTime() <= order.sourceUpdatedAt.getTime()) {
    return ignoredStale(`edit ${edit.id} is already in the order version held (updated ${order.sourceUpdatedAt.toISOString()})`);
  }

  const stored = await storedLinesOf(tx, order.id);
  const deltas = new Map<string, number>();
  const add = (id: string, units: number) => deltas.set(`gid://shopify/LineItem/${id}`, (deltas.get(`gid://shopify/LineItem/${id}`) ?? 0) + units);
  for (const line of edit.line_items.additions) add(line.id, line.delta);
  for (const line of edit.line_items.removals) add(line.id, -line.delta);
  const known = new Set(stored.map((line) => line.externalLineId));
  const unknown = [...deltas.keys()].filter((id) => !known.has(id));
  const lines: UnifiedOrderLine[] = stored.map((line) => ({ ...line, quantity: Math.max(0, line.quantity + (deltas.get(line.externalLineId) ?? 0)) }));

  const outcome = await applyOrderEdit(
    tx,
    { shopId: shop.id, orderId: order.id, channel: "shopify", lines, actor: `shopify:${delivery.topic}`, source: "Shopify" },
    policies,
  );
  if (unknown.length > 0) {
    await appendTimeline(tx, shop.id, order.id, [
      {
        kind: "lines_added_pending",
        message: `Shopify edit ${edit.id} added ${unknown.length} line${unknown.length === 1 ? "" : "s"} not held yet; they are added (and reserved) from the orders/updated Shopify sends for the same edit`,
        actor: `shopify:${delivery.topic}`,
        data: { orderEditId: edit.id, lineItemIds: unknown },
      },
    ]);
  }
  return processed([`edit ${edit.id} of ${order.number}`, describeOrderEditOutcome(outcome), unknown.length ? `${unknown.length} new line(s) left to orders/updated` : ""].filter(Boolean).join("; "));
};
