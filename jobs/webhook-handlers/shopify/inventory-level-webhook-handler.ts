import { and, eq, gt, or, sql } from "drizzle-orm";
import { z } from "zod";
import { raiseExceptions } from "../../../db/repositories/order-timeline-repository";
import { scheduleStockSync } from "../../../db/repositories/stock-ledger-repository";
import { channelConnections, channelListings, exceptions, variants } from "../../../db/schema";
import { describeIssues, failed, ignoredStale, processed, shopifyId, type ShopifyWebhookHandler, newerDeliveryProcessed } from "./webhook-handler";

const inventoryLevelSchema = z.object({
  inventory_item_id: shopifyId,
  location_id: shopifyId,
  available: z.number().int().nullable().optional(),
});

/** Two drifts of one listing this close together mean someone keeps editing stock in Shopify. */
const REPEATED_DRIFT_WINDOW = "1 hour";

/**
 * inventory_levels/update. Switchyard is the source of truth for stock, so Shopify's figure is
 * never taken over. Either it is the echo of Switchyard's own push (the quantity equals what was
 * last pushed: nothing to do), or stock was changed in Shopify outside Switchyard (a POS sale
 * recorded only there, a merchant edit): then the listing's last pushed figure is forgotten, so
 * the next sync re-pushes without a compare-and-set, and a sync is scheduled. The drift is kept
 * as a resolved stock_drift exception; a second drift of the same listing within an hour opens one.
 */
export const handleInventoryLevelWebhook: ShopifyWebhookHandler = async ({ tx, delivery, shop }) => {
  const parsed = inventoryLevelSchema.safeParse(delivery.payload);
  if (!parsed.success) return failed(describeIssues("inventory_levels/update payload", parsed.error));
  if (await newerDeliveryProcessed(tx, delivery)) return ignoredStale("a newer level of this item at this location was already processed");
  const level = parsed.data;
  if (level.available === null || level.available === undefined) return processed("item is not tracked in Shopify");

  const itemGid = `gid://shopify/InventoryItem/${level.inventory_item_id}`;
  const [listing] = await tx
    .select({
      id: channelListings.id,
      variantId: channelListings.variantId,
      sku: variants.sku,
      lastPushedAvailable: channelListings.lastPushedAvailable,
    })
    .from(channelListings)
    .innerJoin(channelConnections, eq(channelConnections.id, channelListings.connectionId))
    .innerJoin(variants, eq(variants.id, channelListings.variantId))
    .where(
      and(
        eq(channelListings.shopId, shop.id),
        eq(channelConnections.channel, "shopify"),
        or(eq(channelListings.externalId, itemGid), eq(variants.externalInventoryItemId, itemGid)),
      ),
    )
    .limit(1)
    .for("update", { of: channelListings });
  if (!listing) return processed(`${itemGid} is not listed by Switchyard`);
  if (listing.lastPushedAvailable === level.available) return processed(`echo of Switchyard's own push (${level.available})`);

  await tx.update(channelListings).set({ lastPushedAvailable: null }).where(eq(channelListings.id, listing.id));
  await scheduleStockSync(tx, shop.id);

  const details = {
    listingId: listing.id,
    variantId: listing.variantId,
    sku: listing.sku,
    shopifyAvailable: level.available,
    lastPushedAvailable: listing.lastPushedAvailable,
    shopifyLocationId: level.location_id,
    deliveryRowId: delivery.id,
  };
  const [recent] = await tx
    .select({ id: exceptions.id, status: exceptions.status })
    .from(exceptions)
    .where(
      and(
        eq(exceptions.shopId, shop.id),
        eq(exceptions.kind, "stock_drift"),
        sql`${exceptions.details}->>'listingId' = ${listing.id}`,
        gt(exceptions.createdAt, sql`now() - ${REPEATED_DRIFT_WINDOW}::interval`),
      ),
    )
    .orderBy(sql`${exceptions.status} = 'open' DESC`)
    .limit(1);
  const note = `stock of ${listing.sku} changed in Shopify to ${level.available} (last pushed ${listing.lastPushedAvailable ?? "nothing"}); re-push scheduled`;
  if (recent?.status === "open") return processed(`${note}; open stock_drift exception already exists`);
  await raiseExceptions(
    tx,
    shop.id,
    [
      {
        kind: "stock_drift",
        message: recent
          ? `Stock of ${listing.sku} keeps being changed in Shopify outside Switchyard (twice within an hour); Switchyard re-pushes its own figure each time. Change stock in Switchyard instead.`
          : `Stock of ${listing.sku} was changed in Shopify outside Switchyard (${level.available}); Switchyard re-pushed its own figure.`,
        details,
      },
    ],
    { deliveryRowId: delivery.id },
  );
  if (!recent) {
    // The first drift is corrected automatically: on record, not in the merchant's open queue.
    await tx
      .update(exceptions)
      .set({ status: "resolved", resolvedAt: sql`now()`, resolvedBy: "system:stock-sync" })
      .where(and(eq(exceptions.shopId, shop.id), eq(exceptions.kind, "stock_drift"), eq(exceptions.deliveryId, delivery.id)));
  }
  return processed(note);
};
