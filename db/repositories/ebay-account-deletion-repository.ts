import { and, eq, inArray, or, sql } from "drizzle-orm";
import type { Database } from "../client";
import { orders, webhookDeliveries } from "../schema";
import { sourceDeliveryIdsOf } from "./order-source-repository";

/**
 * eBay's marketplace account deletion: a verified notification that an eBay user closed their
 * account obliges the seller's tools to erase that user's personal data. Their orders keep
 * number, totals and lines (the merchant's books need them); name, e-mail, phone, buyer id,
 * addresses and the raw channel payloads go. The notification is recorded once (by its id) with
 * no personal data, in the same transaction as the erasure.
 */
export async function applyEbayAccountDeletion(
  db: Database,
  input: { shopId: string; notificationId: string; username: string; eventDate: Date | null },
): Promise<{ recorded: boolean; ordersRedacted: number }> {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(webhookDeliveries)
      .values({
        shopId: input.shopId,
        channel: "ebay",
        deliveryId: `MARKETPLACE_ACCOUNT_DELETION:${input.notificationId}`,
        topic: "MARKETPLACE_ACCOUNT_DELETION",
        triggeredAt: input.eventDate,
        payload: { notificationId: input.notificationId, redacted: true },
        status: "processed",
        processedAt: new Date(),
      })
      .onConflictDoNothing({ target: [webhookDeliveries.channel, webhookDeliveries.deliveryId] })
      .returning({ id: webhookDeliveries.id });
    if (!row) return { recorded: false, ordersRedacted: 0 };
    const buyerOrders = and(eq(orders.shopId, input.shopId), eq(orders.channel, "ebay"), eq(orders.customerExternalId, input.username));
    // The deliveries their payloads are kept in (docs/adr/0022), read before the orders forget them.
    const sources = await sourceDeliveryIdsOf(tx, buyerOrders);
    const matched = await tx
      .update(orders)
      .set({ customerName: null, customerEmail: null, customerPhone: null, customerExternalId: null, shippingAddress: null, billingAddress: null, sourcePayload: null, sourceDeliveryId: null, updatedAt: sql`now()` })
      .where(buyerOrders)
      .returning({ externalId: orders.externalId });
    if (matched.length > 0) {
      await tx
        .update(webhookDeliveries)
        .set({ payload: { redacted: true }, rawBody: null })
        .where(
          and(
            eq(webhookDeliveries.shopId, input.shopId),
            or(
              and(eq(webhookDeliveries.channel, "ebay"), inArray(webhookDeliveries.resourceId, matched.map((m) => m.externalId))),
              sources.length > 0 ? inArray(webhookDeliveries.id, sources) : sql`false`,
            ),
          ),
        );
    }
    return { recorded: true, ordersRedacted: matched.length };
  });
}
