import { and, eq, inArray } from "drizzle-orm";
import { z } from "zod";
import { decimalToMinorUnits, minorUnitsToDecimal } from "../../../core/shared/decimal-money";
import { appendTimeline } from "../../../db/repositories/order-timeline-repository";
import { orderLines, orders } from "../../../db/schema";
import { decimalAmount, describeIssues, failed, processed, shopifyId, type ShopifyWebhookHandler } from "./webhook-handler";

const refundSchema = z.object({
  id: shopifyId,
  order_id: shopifyId,
  note: z.string().nullable().optional(),
  restock: z.boolean().nullable().optional(),
  transactions: z
    .array(z.object({ kind: z.string(), status: z.string().nullable().optional(), amount: decimalAmount, currency: z.string().nullable().optional() }))
    .default([]),
  refund_line_items: z
    .array(
      z.object({
        line_item_id: shopifyId,
        quantity: z.number().int(),
        restock_type: z.string().nullable().optional(),
        location_id: shopifyId.nullable().optional(),
        line_item: z.object({ sku: z.string().nullable().optional(), title: z.string().nullable().optional() }).nullable().optional(),
      }),
    )
    .default([]),
});

/**
 * refunds/create: the money side of a refund is Shopify's; Switchyard records it on the order's
 * timeline with what was restocked, so the merchant sees the whole story in one place. Stock is
 * Switchyard's: a restock Shopify made shows up as an inventory_levels/update and is corrected there.
 */
export const handleRefundWebhook: ShopifyWebhookHandler = async ({ tx, delivery, shop }) => {
  const parsed = refundSchema.safeParse(delivery.payload);
  if (!parsed.success) return failed(describeIssues("refunds/create payload", parsed.error));
  const refund = parsed.data;

  const orderGid = `gid://shopify/Order/${refund.order_id}`;
  const [order] = await tx
    .select({ id: orders.id, number: orders.number, currency: orders.currency })
    .from(orders)
    .where(and(eq(orders.shopId, shop.id), eq(orders.channel, "shopify"), eq(orders.externalId, orderGid)));
  if (!order) return failed(`refund ${refund.id} is for order ${orderGid}, which Switchyard does not hold`);

  let refundedMinor = 0;
  for (const transaction of refund.transactions) {
    if (transaction.kind !== "refund" || transaction.status !== "success") continue;
    const minor = decimalToMinorUnits(transaction.amount, transaction.currency ?? order.currency);
    if (!minor.ok) return failed(`refund ${refund.id}: transaction amount ${minor.detail ?? minor.reason}`);
    refundedMinor += minor.value;
  }

  const restockedItems = refund.refund_line_items.filter((item) =>
    item.restock_type ? item.restock_type !== "no_restock" : refund.restock === true,
  );
  const lineGids = restockedItems.map((item) => `gid://shopify/LineItem/${item.line_item_id}`);
  const known = lineGids.length
    ? await tx
        .select({ externalLineId: orderLines.externalLineId, sku: orderLines.sku })
        .from(orderLines)
        .where(and(eq(orderLines.orderId, order.id), inArray(orderLines.externalLineId, lineGids)))
    : [];
  const skuByLine = new Map(known.map((l) => [l.externalLineId, l.sku]));
  const restocked = restockedItems.map((item) => ({
    sku: skuByLine.get(`gid://shopify/LineItem/${item.line_item_id}`) ?? item.line_item?.sku ?? null,
    quantity: item.quantity,
    restockType: item.restock_type ?? "legacy_restock",
    shopifyLocationId: item.location_id ?? null,
  }));
  const restockedUnits = restocked.reduce((sum, r) => sum + r.quantity, 0);

  const amount = `${minorUnitsToDecimal(refundedMinor, order.currency)} ${order.currency}`;
  await appendTimeline(tx, shop.id, order.id, [
    {
      kind: "refund",
      message: `Refunded ${amount} on Shopify${restockedUnits > 0 ? `; restocked ${restockedUnits} unit${restockedUnits === 1 ? "" : "s"} (${restocked.map((r) => `${r.sku ?? "?"} ×${r.quantity}`).join(", ")})` : ""}`,
      actor: "shopify:refunds/create",
      data: { refundId: refund.id, amountMinor: refundedMinor, currency: order.currency, restocked, note: refund.note ?? null, deliveryRowId: delivery.id },
    },
  ]);
  return processed(`order ${order.number}: refund of ${amount} recorded`);
};
