import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setDatabaseForTests } from "../../app/db.server";
import { action as inventoryLevelsUpdate } from "../../app/routes/webhooks.inventory_levels.update";
import { action as productsUpdate } from "../../app/routes/webhooks.products.update";
import { channelConnections, channelListingLocations, channelListings, channelLocations, exceptions, products, stockReconcileShortfalls, variants, webhookDeliveries } from "../../db/schema";
import { processWebhookDelivery } from "../../jobs/tasks/webhooks-process.task";
import { createLocation, createShop, createVariant } from "../helpers/ledger-fixtures";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";
import { fixtureText, postWebhook } from "../fixtures/shopify/webhooks/shopify-webhook-requests";

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
  setDatabaseForTests(database.db);
});
afterAll(() => setDatabaseForTests(undefined));

/**
 * A shop whose mug is listed on Shopify under the fixture's inventory item, last pushed at
 * `lastPushed` to the fixture's location (mirrored by our Warehouse, which feeds the channel).
 */
async function shopWithListedMug(lastPushed: number | null) {
  const { db } = database;
  const shop = await createShop(db);
  const [connection] = await db.insert(channelConnections).values({ shopId: shop.id, channel: "shopify", name: shop.domain }).returning();
  const warehouse = await createLocation(db, shop.id, { name: "Warehouse", externalId: "gid://shopify/Location/24826418" });
  const store = await createLocation(db, shop.id, { name: "Store", externalId: "gid://shopify/Location/99" });
  await db.insert(channelLocations).values([warehouse, store].map((l) => ({ connectionId: connection!.id, locationId: l.id })));
  const mug = await createVariant(db, shop.id, "MUG-BLK-11OZ", 1450);
  await db
    .update(variants)
    .set({ externalId: "gid://shopify/ProductVariant/642667041472713922", externalInventoryItemId: "gid://shopify/InventoryItem/271878346596884015" })
    .where(eq(variants.id, mug.id));
  await db.update(products).set({ externalId: "gid://shopify/Product/788032119674292922" }).where(eq(products.id, mug.productId));
  const [listing] = await db
    .insert(channelListings)
    .values({
      shopId: shop.id,
      connectionId: connection!.id,
      variantId: mug.id,
      externalId: "gid://shopify/InventoryItem/271878346596884015",
      // The listing's sum: the fixture's location plus 4 at the store.
      lastPushedAvailable: lastPushed === null ? null : lastPushed + 4,
    })
    .returning();
  await db.insert(channelListingLocations).values([
    { listingId: listing!.id, locationId: warehouse.id, lastPushedAvailable: lastPushed, lastPushedAt: new Date() },
    { listingId: listing!.id, locationId: store.id, lastPushedAvailable: 4, lastPushedAt: new Date() },
  ]);
  return { shop, mug, listing: listing!, warehouse, store };
}

async function pushedAt(listingId: string, locationId: string) {
  const [row] = await database.db
    .select()
    .from(channelListingLocations)
    .where(and(eq(channelListingLocations.listingId, listingId), eq(channelListingLocations.locationId, locationId)));
  return row!.lastPushedAvailable;
}

async function deliverAndProcess(action: unknown, topic: string, shopDomain: string, body: string, triggeredAt?: string) {
  const { response, deliveryId } = await postWebhook(action, { topic, shopDomain, body, ...(triggeredAt ? { triggeredAt } : {}) });
  expect(response.status).toBe(200);
  const [row] = await database.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.deliveryId, deliveryId));
  const outcome = await processWebhookDelivery({ db: database.db }, row!.id);
  const [after] = await database.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.id, row!.id));
  return { outcome, row: after! };
}

async function stockSyncJobs(shopId: string) {
  const result = await database.db.execute<{ count: number }>(
    // One stock sync job per channel connection of the shop (stock-sync:<connection id>).
    sql`SELECT count(*)::int AS count FROM graphile_worker.jobs
         WHERE task_identifier = 'inventory/sync'
           AND key IN (SELECT 'stock-sync:' || id FROM channel_connections WHERE shop_id = ${shopId})`,
  );
  return result.rows[0]!.count;
}

function inventoryBody(available: number) {
  return fixtureText("inventory-levels-update.json").replace('"available": 6', `"available": ${available}`);
}

describe("Shopify inventory_levels/update", () => {
  it("recognises the echo of Switchyard's own push and changes nothing", async () => {
    const { shop, listing } = await shopWithListedMug(6);
    const { outcome, row } = await deliverAndProcess(inventoryLevelsUpdate, "inventory_levels/update", shop.domain, inventoryBody(6));
    expect(row).toMatchObject({ status: "processed", error: null, resourceId: "271878346596884015:24826418" });
    expect(outcome).toMatchObject({ note: expect.stringContaining("echo") });
    const [after] = await database.db.select().from(channelListings).where(eq(channelListings.id, listing.id));
    expect(after!.lastPushedAvailable).toBe(10);
    expect(await stockSyncJobs(shop.id)).toBe(0);
  });

  it("compares with what was pushed to that location, not with the listing's sum over locations", async () => {
    // 10 is the listing's sum (6 + 4): at this location it is a drift, not an echo.
    const { shop, listing, warehouse, store } = await shopWithListedMug(6);
    await deliverAndProcess(inventoryLevelsUpdate, "inventory_levels/update", shop.domain, inventoryBody(10));
    expect(await pushedAt(listing.id, warehouse.id)).toBeNull();
    expect(await pushedAt(listing.id, store.id)).toBe(4);
    expect(await stockSyncJobs(shop.id)).toBe(1);
  });

  it("leaves levels at Shopify locations Switchyard does not set stock at to Shopify", async () => {
    const { shop, listing } = await shopWithListedMug(6);
    const body = inventoryBody(2).replace('"location_id": 24826418', '"location_id": 555');
    const { outcome, row } = await deliverAndProcess(inventoryLevelsUpdate, "inventory_levels/update", shop.domain, body);
    expect(row).toMatchObject({ status: "processed", error: null });
    expect(outcome).toMatchObject({ note: expect.stringContaining("not a location Switchyard sets stock at") });
    const [after] = await database.db.select().from(channelListings).where(eq(channelListings.id, listing.id));
    expect(after!.lastPushedAvailable).toBe(10);
    expect(await stockSyncJobs(shop.id)).toBe(0);
  });

  it("re-pushes Switchyard's figure when stock was raised in Shopify, without taking Shopify's", async () => {
    const { shop, listing, warehouse } = await shopWithListedMug(6);
    const { row } = await deliverAndProcess(inventoryLevelsUpdate, "inventory_levels/update", shop.domain, inventoryBody(9));
    expect(row).toMatchObject({ status: "processed", error: null });
    const [after] = await database.db.select().from(channelListings).where(eq(channelListings.id, listing.id));
    expect(after!.lastPushedAvailable).toBeNull();
    expect(await pushedAt(listing.id, warehouse.id)).toBeNull();
    expect(await stockSyncJobs(shop.id)).toBe(1);
    const drift = await database.db.select().from(exceptions).where(and(eq(exceptions.shopId, shop.id), eq(exceptions.kind, "stock_drift")));
    expect(drift).toHaveLength(1);
    expect(drift[0]).toMatchObject({ status: "resolved" });
  });

  it("holds a level below what was pushed as a Shopify sale not captured yet: nothing re-pushed, no drift", async () => {
    const { shop, listing, warehouse } = await shopWithListedMug(6);
    const { outcome, row } = await deliverAndProcess(inventoryLevelsUpdate, "inventory_levels/update", shop.domain, inventoryBody(5));
    expect(row).toMatchObject({ status: "processed", error: null });
    expect(outcome).toMatchObject({ note: expect.stringContaining("held as a Shopify sale not captured yet") });
    expect(await pushedAt(listing.id, warehouse.id)).toBe(6);
    expect(await stockSyncJobs(shop.id)).toBe(0);
    expect(await database.db.select().from(exceptions).where(and(eq(exceptions.shopId, shop.id), eq(exceptions.kind, "stock_drift")))).toEqual([]);
    const held = await database.db.select().from(stockReconcileShortfalls).where(eq(stockReconcileShortfalls.shopId, shop.id));
    expect(held).toMatchObject([{ figureKey: `${listing.id}@${warehouse.id}`, pushed: 6, shown: 5 }]);
  });

  it("opens a stock_drift exception when the same listing drifts twice within an hour", async () => {
    const { shop, listing, warehouse } = await shopWithListedMug(6);
    await deliverAndProcess(inventoryLevelsUpdate, "inventory_levels/update", shop.domain, inventoryBody(8), "2026-11-22T16:00:00Z");
    await database.db
      .update(channelListingLocations)
      .set({ lastPushedAvailable: 6 })
      .where(and(eq(channelListingLocations.listingId, listing.id), eq(channelListingLocations.locationId, warehouse.id)));
    await deliverAndProcess(inventoryLevelsUpdate, "inventory_levels/update", shop.domain, inventoryBody(9), "2026-11-22T16:10:00Z");
    const open = await database.db
      .select()
      .from(exceptions)
      .where(and(eq(exceptions.shopId, shop.id), eq(exceptions.kind, "stock_drift"), eq(exceptions.status, "open")));
    expect(open).toHaveLength(1);
    expect(open[0]!.message).toContain("twice within an hour");
    expect(open[0]!.details).toMatchObject({ listingId: listing.id, shopifyAvailable: 9, lastPushedAvailable: 6, locationId: warehouse.id });
  });

  it("ignores an inventory level triggered before one already processed", async () => {
    const { shop } = await shopWithListedMug(6);
    await deliverAndProcess(inventoryLevelsUpdate, "inventory_levels/update", shop.domain, inventoryBody(6), "2026-11-22T16:10:00Z");
    const { row } = await deliverAndProcess(inventoryLevelsUpdate, "inventory_levels/update", shop.domain, inventoryBody(3), "2026-11-22T16:00:00Z");
    expect(row.status).toBe("ignored_stale");
    expect(await stockSyncJobs(shop.id)).toBe(0);
  });

  it("is not made stale by a newer delivery of the same Shopify ids for another shop", async () => {
    const other = await shopWithListedMug(6);
    await deliverAndProcess(inventoryLevelsUpdate, "inventory_levels/update", other.shop.domain, inventoryBody(6), "2026-11-22T18:00:00Z");
    const { shop, listing } = await shopWithListedMug(6);
    const { row } = await deliverAndProcess(inventoryLevelsUpdate, "inventory_levels/update", shop.domain, inventoryBody(7), "2026-11-22T17:00:00Z");
    expect(row.status).toBe("processed");
    const [after] = await database.db.select().from(channelListings).where(eq(channelListings.id, listing.id));
    expect(after!.lastPushedAvailable).toBeNull();
  });
});

describe("Shopify products/update", () => {
  it("takes the product title and the variant's title, barcode and price from Shopify", async () => {
    const { shop, mug } = await shopWithListedMug(6);
    const { row } = await deliverAndProcess(productsUpdate, "products/update", shop.domain, fixtureText("products-update.json"));
    expect(row.status).toBe("processed");
    const [product] = await database.db.select().from(products).where(eq(products.id, mug.productId));
    expect(product).toMatchObject({ title: "Switchyard Enamel Mug", vendor: "Switchyard" });
    const [variant] = await database.db.select().from(variants).where(eq(variants.id, mug.id));
    expect(variant).toMatchObject({ title: "Switchyard Enamel Mug — Black / 11oz", barcode: "0123456789012", priceMinor: 1999, sku: "MUG-BLK-11OZ" });
  });

  it("keeps the old SKU and raises sku_conflict when Shopify renames a SKU to one already in use", async () => {
    const { shop, mug } = await shopWithListedMug(6);
    const other = await createVariant(database.db, shop.id, "MUG-WHT-15OZ");
    await database.db.update(variants).set({ externalId: "gid://shopify/ProductVariant/757650484644203962" }).where(eq(variants.id, other.id));
    // The white mug's fixture SKU is IPOD2008PINK; rename the black mug onto the white one's SKU.
    const body = fixtureText("products-update.json").replace('"sku": "MUG-BLK-11OZ"', '"sku": "MUG-WHT-15OZ"').replace('"sku": "IPOD2008PINK"', '"sku": "MUG-WHT-15OZ"');
    const { row } = await deliverAndProcess(productsUpdate, "products/update", shop.domain, body);
    expect(row).toMatchObject({ status: "processed", error: null });
    const [black] = await database.db.select().from(variants).where(eq(variants.id, mug.id));
    expect(black).toMatchObject({ sku: "MUG-BLK-11OZ", priceMinor: 1999 });
    const conflicts = await database.db.select().from(exceptions).where(and(eq(exceptions.shopId, shop.id), eq(exceptions.kind, "sku_conflict")));
    expect(conflicts).toHaveLength(1);
    expect(conflicts[0]!.details).toMatchObject({ variantId: mug.id, currentSku: "MUG-BLK-11OZ", requestedSku: "MUG-WHT-15OZ", conflictingVariantId: other.id });
    const [white] = await database.db.select().from(variants).where(eq(variants.id, other.id));
    expect(white).toMatchObject({ sku: "MUG-WHT-15OZ", title: "Switchyard Enamel Mug — White / 15oz", priceMinor: 2150 });
  });
});
