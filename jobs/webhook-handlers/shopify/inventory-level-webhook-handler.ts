import { and, eq, gt, or, sql } from "drizzle-orm";
import { z } from "zod";
import { raiseExceptions } from "../../../db/repositories/order-timeline-repository";
import { scheduleStockSync } from "../../../db/repositories/stock-ledger-repository";
import { holdShortfall } from "../../../db/repositories/stock-reconcile-repository";
import { channelConnections, channelListingLocations, channelListings, exceptions, variants } from "../../../db/schema";
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
 * never taken over. Shopify is told a figure per location (docs/adr/0001-stock-sync-to-channels.md),
 * so the level is compared with what was last pushed to that location. Either it is the echo of
 * Switchyard's own push or of a Shopify sale already captured (nothing to do), or less than we
 * pushed (most likely a Shopify sale whose order is not captured yet: held for reconciliation,
 * not re-pushed), or stock was raised in Shopify outside Switchyard (a merchant edit): then that
 * location's last pushed figure is forgotten (and the listing's sum with it), so the next sync
 * re-pushes it without a compare-and-set, and a sync is scheduled. The drift is kept as a resolved stock_drift
 * exception; a second drift of the same listing within an hour opens one. Levels at Shopify
 * locations Switchyard does not push to (not mirrored, or not feeding the channel) are Shopify's
 * own business.
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
      connectionId: channelListings.connectionId,
      variantId: channelListings.variantId,
      sku: variants.sku,
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

  const locationGid = `gid://shopify/Location/${level.location_id}`;
  const located = await tx.execute<{ location_id: string; pushed: boolean; last_pushed_available: number | null; expected_available: number | null }>(sql`
    SELECT l.id AS location_id, cll.listing_id IS NOT NULL AS pushed, cll.last_pushed_available, cll.expected_available
      FROM locations l
      JOIN channel_locations f ON f.location_id = l.id AND f.connection_id = ${listing.connectionId}
      LEFT JOIN channel_listing_locations cll ON cll.listing_id = ${listing.id} AND cll.location_id = l.id
     WHERE l.shop_id = ${shop.id} AND l.external_id = ${locationGid} AND l.active
     LIMIT 1`);
  const location = located.rows[0];
  if (!location) return processed(`${locationGid} is not a location Switchyard sets stock at`);
  const lastPushed = location.pushed ? location.last_pushed_available : null;
  if (lastPushed === level.available) return processed(`echo of Switchyard's own push (${level.available})`);
  if (location.pushed && location.expected_available === level.available) return processed(`Shopify's own sale, already captured (${level.available})`);
  if (lastPushed !== null && level.available < lastPushed) {
    // Less than we pushed there is what a Shopify sale looks like before its order is captured:
    // re-pushing our figure now would put the sold unit back on sale. Held like reconciliation's
    // shortfalls (core/inventory/reconcile-reading.ts): the capture ends it, otherwise the next
    // reconciliation corrects it as drift.
    await holdShortfall(tx, { shopId: shop.id, connectionId: listing.connectionId, key: `${listing.id}@${location.location_id}`, pushed: lastPushed, shown: level.available });
    return processed(`Shopify shows ${level.available}, less than the ${lastPushed} pushed: held as a Shopify sale not captured yet`);
  }

  if (location.pushed) {
    await tx
      .update(channelListingLocations)
      .set({ lastPushedAvailable: null })
      .where(and(eq(channelListingLocations.listingId, listing.id), eq(channelListingLocations.locationId, location.location_id)));
  }
  await tx.update(channelListings).set({ lastPushedAvailable: null }).where(eq(channelListings.id, listing.id));
  await scheduleStockSync(tx, shop.id, [listing.variantId]);

  const details = {
    listingId: listing.id,
    variantId: listing.variantId,
    sku: listing.sku,
    shopifyAvailable: level.available,
    lastPushedAvailable: lastPushed,
    locationId: location.location_id,
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
  const note = `stock of ${listing.sku} at ${locationGid} changed in Shopify to ${level.available} (last pushed ${lastPushed ?? "nothing"}); re-push scheduled`;
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
