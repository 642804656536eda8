import { eq, sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { incomingReturnsByLevel } from "../../core/inventory/incoming-returns";
import { DefaultChannelAllocationStrategy } from "../../core/inventory/channel-allocation-strategy";
import { returnRulesSchema } from "../../core/returns/return-rules";
import { incomingReturnsForVariants } from "../../db/queries/incoming-returns-queries";
import { loadStockPicture } from "../../db/queries/inventory-queries";
import { shipReservedOrder } from "../../db/repositories/fulfillment-repository";
import { ingestOrder } from "../../db/repositories/order-ingest-repository";
import { applyReturnStep, recordReturnLabel } from "../../db/repositories/return-lifecycle-repository";
import { requestReturn, saveReturnRules } from "../../db/repositories/return-request-repository";
import { collectLocationStockChanges, collectStockChanges, listConnectionsToSync } from "../../db/repositories/stock-sync-repository";
import { returnLines, returns } from "../../db/schema";
import { createConnection, createListing } from "../helpers/channel-fixtures";
import { createLocation, createShop, createVariant, line, makeOrder, receive } from "../helpers/ledger-fixtures";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";

/**
 * Returns as incoming stock on real PostgreSQL: units of returns with a label or in transit are
 * incoming at their destination (the inventory page's figures equal a recount), and only a channel
 * whose policy is on sells a share of them through the stock sync.
 */

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});

async function returnOnItsWay() {
  const { db } = database;
  const shop = await createShop(db);
  const warehouse = await createLocation(db, shop.id, { name: "Warehouse" });
  const mug = await createVariant(db, shop.id, "MUG", 1_500);
  await receive(db, shop.id, mug.id, warehouse.id, 10);
  const ebay = await createConnection(db, shop.id, { channel: "ebay", locationIds: [warehouse.id] });
  const woo = await createConnection(db, shop.id, { channel: "woocommerce", locationIds: [warehouse.id] });
  const shopify = await createConnection(db, shop.id, { channel: "shopify", locationIds: [warehouse.id] });
  await db.execute(sql`UPDATE locations SET external_id = 'gid://shopify/Location/1' WHERE id = ${warehouse.id}`);
  for (const connection of [ebay, woo, shopify]) await createListing(db, shop.id, connection.id, mug.id);
  const ingested = await ingestOrder(db, { shopId: shop.id, actor: "test", order: makeOrder({ externalId: `o-${shop.id}`, lines: [{ ...line("MUG", 5), unitPriceMinor: 1_500 }], subtotalMinor: 7_500, totalMinor: 7_500 }) });
  const shipped = await shipReservedOrder(db, { shopId: shop.id, orderId: ingested.orderId, actor: "test", confirmOnChannel: false, shipment: () => ({ carrier: "UPS", service: "Ground", trackingNumber: "1Z1" }) });
  expect(shipped.ok).toBe(true);
  const [orderLine] = (await db.execute<{ id: string }>(sql`SELECT id FROM order_lines WHERE order_id = ${ingested.orderId}`)).rows;
  const requested = await requestReturn(db, { shopId: shop.id, orderId: ingested.orderId, resolution: "refund", source: "admin", actor: "m", lines: [{ orderLineId: orderLine!.id, quantity: 3, reason: "defective" }] });
  if (!requested.ok) throw new Error(requested.detail);
  return { db, shop, warehouse, mug, ebay, woo, shopify, returnId: requested.value.returnId };
}

async function recount(shopId: string) {
  const rows = await database.db
    .select({ variantId: returnLines.variantId, destinationLocationId: returns.destinationLocationId, status: returns.status, quantity: returnLines.quantity })
    .from(returnLines)
    .innerJoin(returns, eq(returns.id, returnLines.returnId))
    .where(eq(returns.shopId, shopId));
  return incomingReturnsByLevel(rows);
}

describe("returns as incoming stock", () => {
  it("counts units once a label is issued and while in transit, not before and not after receipt, equal to a recount", async () => {
    const { db, shop, warehouse, mug, returnId } = await returnOnItsWay();
    const incoming = async () => (await incomingReturnsForVariants(db, shop.id, [mug.id])).get(`${mug.id}|${warehouse.id}`) ?? 0;
    expect(await incoming()).toBe(0);
    await applyReturnStep(db, { shopId: shop.id, returnId, event: "approve", actor: "m" });
    expect(await incoming()).toBe(0);
    await recordReturnLabel(db, { shopId: shop.id, returnId, actor: "m", labelUrl: null, trackingNumber: "9400", carrier: "USPS" });
    expect(await incoming()).toBe(3);
    await applyReturnStep(db, { shopId: shop.id, returnId, event: "mark_in_transit", actor: "tracker" });
    expect(await incoming()).toBe(3);
    expect(await incomingReturnsForVariants(db, shop.id, [mug.id])).toEqual(await recount(shop.id));
    const picture = (await loadStockPicture(db, shop.id, [mug.id])).get(mug.id)!;
    expect(picture.locations.find((l) => l.locationId === warehouse.id)).toMatchObject({ onHand: 5, available: 5, incomingReturns: 3 });
    expect(picture.totals.incomingReturns).toBe(3);
    await applyReturnStep(db, { shopId: shop.id, returnId, event: "receive", actor: "m" });
    expect(await incoming()).toBe(0);
    expect(await incomingReturnsForVariants(db, shop.id, [mug.id])).toEqual(await recount(shop.id));
  });

  it("leaves every channel's figure alone while the policy is off, and adds the share only on the channels that turned it on", async () => {
    const { db, shop, mug, ebay, woo, returnId } = await returnOnItsWay();
    await applyReturnStep(db, { shopId: shop.id, returnId, event: "approve", actor: "m" });
    await recordReturnLabel(db, { shopId: shop.id, returnId, actor: "m", labelUrl: null, trackingNumber: "9400", carrier: "USPS" });
    const strategy = new DefaultChannelAllocationStrategy();
    const figures = async () => {
      const connections = await listConnectionsToSync(db, shop.id);
      const figure = async (id: string) => (await collectStockChanges(db, connections.find((c) => c.id === id)!, strategy, [mug.id])).changed[0]!.available;
      const shopify = connections.find((c) => c.channel === "shopify")!;
      const perLocation = (await collectLocationStockChanges(db, shopify, strategy, [mug.id])).changed.map((c) => c.available);
      return { ebay: await figure(ebay.id), woo: await figure(woo.id), shopify: perLocation };
    };
    // 5 on hand (the shipped order's units left; 10 received − 5 shipped), 3 on their way back.
    expect(await figures()).toEqual({ ebay: 5, woo: 5, shopify: [5] });

    await saveReturnRules(db, shop.id, returnRulesSchema.parse({ incomingReturnsToSell: { ebay: 50, shopify: 100 } }));
    expect(await figures()).toEqual({ ebay: 5 + 1, woo: 5, shopify: [5 + 3] });
    const picture = (await loadStockPicture(db, shop.id, [mug.id])).get(mug.id)!;
    expect(Object.fromEntries(picture.channels.map((c) => [c.channel, c.availableToSell]))).toEqual({ ebay: 6, woocommerce: 5, shopify: 8 });
  });

  it("marks the variants for the stock sync when a return starts or stops coming in, only while a channel uses the policy", async () => {
    const { db, shop, mug, returnId } = await returnOnItsWay();
    const dirty = async () => Number((await db.execute<{ n: number }>(sql`SELECT count(*)::int AS n FROM stock_sync_dirty WHERE shop_id = ${shop.id} AND variant_id = ${mug.id}`)).rows[0]!.n);
    await db.execute(sql`DELETE FROM stock_sync_dirty WHERE shop_id = ${shop.id}`);
    await applyReturnStep(db, { shopId: shop.id, returnId, event: "approve", actor: "m" });
    await recordReturnLabel(db, { shopId: shop.id, returnId, actor: "m", labelUrl: null, trackingNumber: "9400", carrier: "USPS" });
    expect(await dirty()).toBe(0);

    await saveReturnRules(db, shop.id, returnRulesSchema.parse({ incomingReturnsToSell: { woocommerce: 25 } }));
    await applyReturnStep(db, { shopId: shop.id, returnId, event: "mark_in_transit", actor: "tracker" });
    expect(await dirty()).toBe(0); // still incoming: nothing to re-tell
    await applyReturnStep(db, { shopId: shop.id, returnId, event: "receive", actor: "m" });
    expect(await dirty()).toBe(3); // every connection listing the mug
  });
});
