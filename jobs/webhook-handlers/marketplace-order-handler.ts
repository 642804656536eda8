import { and, eq } from "drizzle-orm";
import type { UnifiedOrder } from "../../core/orders/unified-order";
import type { Result } from "../../core/shared/result";
import type { Database } from "../../db/client";
import { ingestOrder } from "../../db/repositories/order-ingest-repository";
import { raiseExceptions } from "../../db/repositories/order-timeline-repository";
import { orders } from "../../db/schema";
import { describeOrderEditOutcome } from "./order-edit-note";
import { failed, ignoredStale, newerDeliveryProcessed, processed, type HandlerOutcome, type WebhookHandlerInput } from "./shopify/webhook-handler";

/**
 * Orders from WooCommerce (webhooks, and polled as the fallback), eBay and Amazon (polled), one
 * delivery at a time: each carries one whole order version, mapped by its channel's mapper (bound
 * in delivery-routes.ts) and ingested like a Shopify order. New orders usually arrive through the
 * intake's batch path; this handler takes the rest (a known order's newer version, whose line
 * edits go through the ledger like Shopify's; a repeat; a payload the mapper refuses).
 */
type OrderMapper = (payload: unknown) => Result<UnifiedOrder, string>;

export async function handleMarketplaceOrder(map: OrderMapper, { tx, delivery, shop, policies }: WebhookHandlerInput): Promise<HandlerOutcome> {
  if (await newerDeliveryProcessed(tx, delivery)) return ignoredStale("a newer version of this order was already processed");
  const mapped = map(delivery.payload);
  if (!mapped.ok) {
    const reason = `${mapped.reason}${mapped.detail ? `: ${mapped.detail}` : ""}`;
    const [existing] = delivery.resourceId
      ? await tx
          .select({ id: orders.id })
          .from(orders)
          .where(and(eq(orders.shopId, shop.id), eq(orders.channel, delivery.channel), eq(orders.externalId, delivery.resourceId)))
      : [];
    // The payload stays on the delivery row; the merchant sees why in the exceptions queue.
    await raiseExceptions(
      tx,
      shop.id,
      [{ kind: "invalid_payload", message: `${delivery.channel} ${delivery.topic} could not be read: ${reason}`, details: { deliveryRowId: delivery.id, topic: delivery.topic, resourceId: delivery.resourceId, reason } }],
      { deliveryRowId: delivery.id, ...(existing ? { orderId: existing.id } : {}) },
    );
    return failed(reason);
  }
  // ingestOrder opens its own transaction; on a transaction handle drizzle makes it a savepoint,
  // so the order and this delivery's status commit together (as the Shopify order handler does).
  const result = await ingestOrder(tx as unknown as Database, { shopId: shop.id, order: mapped.value, actor: `${delivery.channel}:${delivery.topic}`, sourceDeliveryId: delivery.id }, policies);
  if (result.outcome === "unchanged") return ignoredStale(`order ${mapped.value.number} is already at this or a newer version`);
  return processed([`order ${mapped.value.number} ${result.outcome}: ${result.status}`, describeOrderEditOutcome(result.edit)].filter(Boolean).join("; "));
}
