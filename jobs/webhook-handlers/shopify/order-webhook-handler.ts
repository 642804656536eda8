import { and, eq } from "drizzle-orm";
import { mapShopifyOrderWebhook } from "../../../connectors/shopify/shopify-order-mapper";
import type { Database } from "../../../db/client";
import { ingestOrder } from "../../../db/repositories/order-ingest-repository";
import { raiseExceptions } from "../../../db/repositories/order-timeline-repository";
import { orders } from "../../../db/schema";
import { describeOrderEditOutcome } from "../order-edit-note";
import { failed, ignoredStale, processed, type ShopifyWebhookHandler, newerDeliveryProcessed } from "./webhook-handler";

/**
 * orders/create, orders/updated, orders/cancelled: the payload is the whole order, so all three
 * go through the one ingest path; a cancellation is an order whose cancelled_at is set. An
 * order already held follows its lines there too: each line's `current_quantity` (units left
 * after edits) against what Switchyard holds, the difference through the ledger, as for every
 * channel (updateExistingOrder). Stale deliveries are caught twice: by Shopify's trigger time
 * (a newer delivery of the order was already processed) and by the order's updated_at
 * (ingestOrder keeps the newer version), so a stale delivery moves no stock; the quantities
 * are absolute, so applying the same state twice changes nothing.
 */
export const handleOrderWebhook: ShopifyWebhookHandler = async ({ tx, delivery, shop, policies }) => {
  if (await newerDeliveryProcessed(tx, delivery)) return ignoredStale("a newer delivery of this order was already processed");

  const mapped = mapShopifyOrderWebhook(delivery.payload);
  if (!mapped.ok) {
    const reason = `${mapped.reason}${mapped.detail ? `: ${mapped.detail}` : ""}`;
    // Linked to the order when Switchyard already holds it; what was stored before stays as it was.
    const [existing] = delivery.resourceId
      ? await tx
          .select({ id: orders.id })
          .from(orders)
          .where(and(eq(orders.shopId, shop.id), eq(orders.channel, "shopify"), eq(orders.externalId, delivery.resourceId)))
      : [];
    await raiseExceptions(
      tx,
      shop.id,
      [
        {
          kind: "invalid_payload",
          message: `Shopify ${delivery.topic} could not be read: ${reason}`,
          details: { deliveryRowId: delivery.id, topic: delivery.topic, resourceId: delivery.resourceId, reason },
        },
      ],
      { deliveryRowId: delivery.id, ...(existing ? { orderId: existing.id } : {}) },
    );
    return failed(reason);
  }

  // ingestOrder opens its own transaction; on a transaction handle drizzle makes that a
  // savepoint, so the order and this delivery's status commit together.
  const result = await ingestOrder(
    tx as unknown as Database,
    { shopId: shop.id, order: mapped.value, actor: `shopify:${delivery.topic}`, sourceDeliveryId: delivery.id },
    policies,
  );
  if (result.outcome === "unchanged") return ignoredStale(`order ${mapped.value.number} is already at this or a newer version`);
  return processed([`order ${mapped.value.number} ${result.outcome}: ${result.status}`, describeOrderEditOutcome(result.edit)].filter(Boolean).join("; "));
};
