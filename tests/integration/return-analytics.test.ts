import { eq, sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { loadReturnAnalytics } from "../../db/queries/return-analytics-queries";
import { shipReservedOrder } from "../../db/repositories/fulfillment-repository";
import { ingestOrder } from "../../db/repositories/order-ingest-repository";
import { applyReturnStep } from "../../db/repositories/return-lifecycle-repository";
import { requestReturn } from "../../db/repositories/return-request-repository";
import { refreshReturnRollups } from "../../db/repositories/return-rollup-repository";
import { orders } from "../../db/schema";
import { createLocation, createShop, createVariant, line, makeOrder, receive } from "../helpers/ledger-fixtures";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";

/**
 * Return rate and reasons from the rollups equal a recount from the source rows, after a
 * refresh; changes the job has not seen yet are not half-counted; declined returns and
 * cancelled orders count for nothing.
 */

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});

const NOW = new Date("2026-11-25T12:00:00Z");

async function shopWithHistory() {
  const { db } = database;
  const shop = await createShop(db);
  const warehouse = await createLocation(db, shop.id, { name: "Warehouse" });
  const mug = await createVariant(db, shop.id, "MUG", 1_500);
  const cup = await createVariant(db, shop.id, "CUP", 900);
  await receive(db, shop.id, mug.id, warehouse.id, 100);
  await receive(db, shop.id, cup.id, warehouse.id, 100);
  const placed: { orderId: string; lineIds: Record<string, string> }[] = [];
  const sales: [string, "shopify" | "ebay", [string, number][], string][] = [
    ["a", "shopify", [["MUG", 3], ["CUP", 1]], "2026-11-20T10:00:00Z"],
    ["b", "shopify", [["MUG", 2]], "2026-11-21T10:00:00Z"],
    ["c", "ebay", [["CUP", 4]], "2026-11-22T10:00:00Z"],
    ["d", "ebay", [["MUG", 1]], "2026-10-01T10:00:00Z"], // outside a 30-day window
  ];
  for (const [id, channel, lines, placedAt] of sales) {
    const ingested = await ingestOrder(db, {
      shopId: shop.id,
      actor: "test",
      order: makeOrder({ channel, externalId: `${id}-${shop.id}`, placedAt: new Date(placedAt), lines: lines.map(([sku, q]) => ({ ...line(sku, q, `${id}-${sku}`), unitPriceMinor: 1_000 })), subtotalMinor: 1_000, totalMinor: 1_000 }),
    });
    const shipped = await shipReservedOrder(db, { shopId: shop.id, orderId: ingested.orderId, actor: "test", confirmOnChannel: false, shipment: () => ({ carrier: "UPS", service: "Ground", trackingNumber: `1Z${id}` }) });
    expect(shipped.ok).toBe(true);
    const rows = (await db.execute<{ id: string; sku: string }>(sql`SELECT id, sku FROM order_lines WHERE order_id = ${ingested.orderId}`)).rows;
    placed.push({ orderId: ingested.orderId, lineIds: Object.fromEntries(rows.map((r) => [r.sku, r.id])) });
  }
  const ask = async (order: number, sku: string, quantity: number, reason: "size_too_small" | "defective" | "unwanted", requestedAt: string) => {
    const requested = await requestReturn(db, { shopId: shop.id, orderId: placed[order]!.orderId, resolution: "refund", source: "admin", actor: "m", lines: [{ orderLineId: placed[order]!.lineIds[sku]!, quantity, reason }] });
    if (!requested.ok) throw new Error(requested.detail);
    await db.execute(sql`UPDATE returns SET requested_at = ${requestedAt}::timestamptz, updated_at = now() WHERE id = ${requested.value.returnId}`);
    return requested.value.returnId;
  };
  await ask(0, "MUG", 2, "size_too_small", "2026-11-22T09:00:00Z");
  await ask(1, "MUG", 1, "defective", "2026-11-23T09:00:00Z");
  await ask(2, "CUP", 1, "unwanted", "2026-11-24T09:00:00Z");
  const declined = await ask(2, "CUP", 2, "defective", "2026-11-24T10:00:00Z");
  await applyReturnStep(db, { shopId: shop.id, returnId: declined, event: "decline", actor: "m", note: "worn" });
  return { db, shop, mug, cup, placed, ask };
}

/** The same figures counted from the source rows in plain code, independently of the rollup SQL. */
async function recount(shopId: string, fromDay: string, toDay: string) {
  const { db } = database;
  const sold = (await db.execute<{ channel: string; title: string; placed_at: Date; status: string; quantity: number }>(sql`
    SELECT o.channel, p.title, o.placed_at, o.status, l.quantity FROM order_lines l JOIN orders o ON o.id = l.order_id
      JOIN variants v ON v.id = l.variant_id JOIN products p ON p.id = v.product_id WHERE o.shop_id = ${shopId}`)).rows;
  const returned = (await db.execute<{ channel: string; title: string; requested_at: Date; status: string; quantity: number; reason: string }>(sql`
    SELECT o.channel, p.title, r.requested_at, r.status, rl.quantity, rl.reason FROM return_lines rl JOIN returns r ON r.id = rl.return_id
      JOIN orders o ON o.id = r.order_id JOIN variants v ON v.id = rl.variant_id JOIN products p ON p.id = v.product_id WHERE r.shop_id = ${shopId}`)).rows;
  const inWindow = (at: Date) => new Date(at).toISOString().slice(0, 10) >= fromDay && new Date(at).toISOString().slice(0, 10) <= toDay;
  const add = (map: Map<string, number>, key: string, n: number) => map.set(key, (map.get(key) ?? 0) + n);
  const soldBy = { channel: new Map<string, number>(), product: new Map<string, number>() };
  for (const row of sold) {
    if (row.status === "cancelled" || !inWindow(row.placed_at)) continue;
    add(soldBy.channel, row.channel, row.quantity);
    add(soldBy.product, row.title, row.quantity);
  }
  const returnedBy = { channel: new Map<string, number>(), product: new Map<string, number>(), reason: new Map<string, number>() };
  for (const row of returned) {
    if (row.status === "declined" || row.status === "cancelled" || !inWindow(row.requested_at)) continue;
    add(returnedBy.channel, row.channel, row.quantity);
    add(returnedBy.product, row.title, row.quantity);
    add(returnedBy.reason, row.reason, row.quantity);
  }
  return { soldBy, returnedBy };
}

function asFigures(analytics: Awaited<ReturnType<typeof loadReturnAnalytics>>) {
  return {
    channel: Object.fromEntries(analytics.byChannel.map((r) => [r.key, [r.soldUnits, r.returnedUnits]])),
    product: Object.fromEntries(analytics.byProduct.map((r) => [r.label, [r.soldUnits, r.returnedUnits]])),
    reason: Object.fromEntries(analytics.byReason.map((r) => [r.reason, r.units])),
  };
}
function recountFigures(counted: Awaited<ReturnType<typeof recount>>) {
  const pair = (sold: Map<string, number>, returned: Map<string, number>, keys: Iterable<string>) => Object.fromEntries([...new Set(keys)].map((k) => [k, [sold.get(k) ?? 0, returned.get(k) ?? 0]]));
  return {
    channel: pair(counted.soldBy.channel, counted.returnedBy.channel, [...counted.soldBy.channel.keys(), ...counted.returnedBy.channel.keys()]),
    // The page lists the products that were returned (the most returned first).
    product: pair(counted.soldBy.product, counted.returnedBy.product, counted.returnedBy.product.keys()),
    reason: Object.fromEntries(counted.returnedBy.reason),
  };
}

describe("returns analytics", () => {
  it("equals a recount from the source rows after a refresh, declined returns and old orders left out", async () => {
    const { db, shop } = await shopWithHistory();
    const before = await loadReturnAnalytics(db, shop.id, { now: NOW });
    expect(before).toMatchObject({ completeBefore: null, byChannel: [], byProduct: [], byReason: [] });
    await db.transaction((tx) => refreshReturnRollups(tx, shop.id));
    const analytics = await loadReturnAnalytics(db, shop.id, { now: NOW });
    expect(asFigures(analytics)).toEqual(recountFigures(await recount(shop.id, analytics.fromDay, analytics.toDay)));
    expect(asFigures(analytics)).toEqual({
      channel: { shopify: [6, 3], ebay: [4, 1] },
      product: { "Product MUG": [5, 3], "Product CUP": [5, 1] },
      reason: { size_too_small: 2, defective: 1, unwanted: 1 },
    });
    expect(analytics.byChannel.find((r) => r.key === "shopify")!.rate).toBeCloseTo(0.5);
  });

  it("keeps to what it has rolled up until the next refresh, then follows new returns and cancelled orders", async () => {
    const { db, shop, placed, ask } = await shopWithHistory();
    await db.transaction((tx) => refreshReturnRollups(tx, shop.id));
    const first = asFigures(await loadReturnAnalytics(db, shop.id, { now: NOW }));
    await ask(2, "CUP", 1, "defective", "2026-11-25T08:00:00Z");
    await db.update(orders).set({ status: "cancelled", updatedAt: sql`now()` }).where(eq(orders.id, placed[1]!.orderId));
    expect(asFigures(await loadReturnAnalytics(db, shop.id, { now: NOW }))).toEqual(first);

    const refreshed = await db.transaction((tx) => refreshReturnRollups(tx, shop.id));
    expect(refreshed).toMatchObject({ salesDays: 1, returnDays: 1 });
    const analytics = await loadReturnAnalytics(db, shop.id, { now: NOW });
    expect(asFigures(analytics)).toEqual(recountFigures(await recount(shop.id, analytics.fromDay, analytics.toDay)));
    expect(asFigures(analytics).channel.shopify).toEqual([4, 3]);
    expect(asFigures(analytics).channel.ebay).toEqual([4, 2]);
    // A refresh with nothing new recomputes nothing.
    expect(await db.transaction((tx) => refreshReturnRollups(tx, shop.id))).toMatchObject({ salesDays: 0, returnDays: 0 });
  });
});
