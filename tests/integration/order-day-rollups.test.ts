import { eq, sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { loadDashboard, startOfUtcDay } from "../../db/queries/dashboard-queries";
import { applyMerchantOrderAction } from "../../db/repositories/order-action-repository";
import { ingestOrder } from "../../db/repositories/order-ingest-repository";
import { refreshAllOrderDayRollups, refreshOrderDayRollups } from "../../db/repositories/order-rollup-repository";
import { orderDayRollups, orders } from "../../db/schema";
import { createLocation, createShop, createVariant, line, makeOrder, receive } from "../helpers/ledger-fixtures";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";

/**
 * The dashboard's per-day rollups against a recount from the source rows, written here
 * independently of the job's SQL: after a refresh, after changes the job has not seen yet, and
 * with a transaction that was open while the job ran.
 */
let database: TestDatabase;
let shopId: string;
let otherShopId: string;
const DAY = 86_400_000;
const today = startOfUtcDay(new Date());
let sequence = 0;

async function ingest(forShop: string, channel: "shopify" | "amazon" | "ebay" | "woocommerce", daysAgo: number, sku: string, quantity = 1) {
  sequence += 1;
  const placedAt = new Date(today.getTime() - daysAgo * DAY + 3_600_000 + sequence * 1000);
  const result = await ingestOrder(database.db, {
    shopId: forShop,
    actor: "test",
    order: makeOrder({
      channel,
      externalId: `rollup-${sequence}`,
      number: `#R${sequence}`,
      placedAt,
      sourceUpdatedAt: placedAt,
      lines: [line(sku, quantity), line(sku, 1, "second")],
    }),
  });
  return result.orderId;
}

type Figure = { day: string; channel: string; location_id: string | null; orders: number; cancelled_orders: number; units: number };

/** Every figure recounted from orders, allocations and lines. */
async function recount(forShop: string): Promise<Figure[]> {
  const result = await database.db.execute<Figure>(sql`
    SELECT to_char((o.placed_at AT TIME ZONE 'UTC')::date, 'YYYY-MM-DD') AS day, o.channel, first_reservation.location_id,
           count(*)::int AS orders, (count(*) FILTER (WHERE o.status = 'cancelled'))::int AS cancelled_orders,
           coalesce(sum(line_units.units), 0)::int AS units
      FROM orders o
      LEFT JOIN (SELECT DISTINCT ON (order_id) order_id, location_id FROM allocations
                  WHERE status <> 'released' ORDER BY order_id, created_at, id) first_reservation ON first_reservation.order_id = o.id
      LEFT JOIN (SELECT order_id, sum(quantity) AS units FROM order_lines GROUP BY order_id) line_units ON line_units.order_id = o.id
     WHERE o.shop_id = ${forShop}
     GROUP BY 1, 2, 3`);
  return sortFigures(result.rows);
}

async function stored(forShop: string): Promise<Figure[]> {
  const rows = await database.db
    .select({
      day: sql<string>`to_char(${orderDayRollups.day}, 'YYYY-MM-DD')`,
      channel: orderDayRollups.channel,
      location_id: orderDayRollups.locationId,
      orders: orderDayRollups.orders,
      cancelled_orders: orderDayRollups.cancelledOrders,
      units: orderDayRollups.units,
    })
    .from(orderDayRollups)
    .where(eq(orderDayRollups.shopId, forShop));
  return sortFigures(rows);
}

function sortFigures(rows: Figure[]): Figure[] {
  const key = (row: Figure) => `${row.day}|${row.channel}|${row.location_id ?? ""}`;
  return [...rows].sort((a, b) => key(a).localeCompare(key(b)));
}

/** The dashboard's chart and channel cards, recounted from the orders table. */
async function expectDashboardEqualsRecount(forShop: string) {
  const dashboard = await loadDashboard(database.db, forShop);
  const figures = await recount(forShop);
  const perDayChannel = new Map<string, number>();
  for (const figure of figures) {
    const key = `${figure.day}|${figure.channel}`;
    perDayChannel.set(key, (perDayChannel.get(key) ?? 0) + figure.orders);
  }
  for (const series of dashboard.dailyOrders.series) {
    dashboard.dailyOrders.days.forEach((day, index) => {
      expect(series.counts[index], `${day} ${series.channel}`).toBe(perDayChannel.get(`${day}|${series.channel}`) ?? 0);
    });
  }
  const chartTotal = dashboard.dailyOrders.series.reduce((sum, series) => sum + series.counts.reduce((a, b) => a + b, 0), 0);
  const expectedChartTotal = figures.filter((figure) => dashboard.dailyOrders.days.includes(figure.day)).reduce((sum, figure) => sum + figure.orders, 0);
  expect(chartTotal).toBe(expectedChartTotal);
  for (const card of dashboard.ordersByChannel) {
    const todayCount = figures
      .filter((figure) => figure.channel === card.channel && figure.day === dashboard.startOfTodayUtc.slice(0, 10))
      .reduce((sum, figure) => sum + figure.orders, 0);
    const weekCount = figures
      .filter((figure) => figure.channel === card.channel && figure.day >= dashboard.startOfWeekUtc.slice(0, 10))
      .reduce((sum, figure) => sum + figure.orders, 0);
    expect(card).toEqual({ channel: card.channel, today: todayCount, thisWeek: weekCount });
  }
  return dashboard;
}

beforeAll(async () => {
  database = await createTestDatabase();
  const { db } = database;
  shopId = (await createShop(db)).id;
  otherShopId = (await createShop(db)).id;
  const columbus = await createLocation(db, shopId, { name: "Columbus", priority: 1 });
  const reno = await createLocation(db, shopId, { name: "Reno", priority: 2 });
  const tee = await createVariant(db, shopId, "TEE");
  const mug = await createVariant(db, shopId, "MUG");
  await receive(db, shopId, tee.id, columbus.id, 100);
  await receive(db, shopId, mug.id, reno.id, 100);

  await ingest(shopId, "shopify", 0, "TEE", 2);
  await ingest(shopId, "shopify", 0, "MUG");
  await ingest(shopId, "amazon", 1, "TEE");
  await ingest(shopId, "ebay", 3, "UNKNOWN-SKU"); // nothing reserved: no location
  await ingest(shopId, "woocommerce", 12, "MUG", 3);
  await ingest(shopId, "shopify", 45, "TEE"); // older than the chart
  await ingest(otherShopId, "shopify", 0, "TEE");
});

describe("order day rollups", () => {
  it("stores per day, channel and location exactly what a recount of the orders gives", async () => {
    const refreshed = await refreshAllOrderDayRollups(database.db);
    expect(refreshed.map((refresh) => refresh.shopId).sort()).toEqual([shopId, otherShopId].sort());
    expect(await stored(shopId)).toEqual(await recount(shopId));
    expect(await stored(otherShopId)).toEqual(await recount(otherShopId));
    expect((await stored(shopId)).some((figure) => figure.location_id === null && figure.channel === "ebay")).toBe(true);
    // Nothing changed since: the next run recomputes no day.
    const again = await database.db.transaction((tx) => refreshOrderDayRollups(tx, shopId));
    expect(again.days).toBe(0);
  });

  it("keeps the dashboard exact for changes the job has not rolled up yet", async () => {
    const cancelled = await ingest(shopId, "amazon", 2, "TEE");
    await ingest(shopId, "shopify", 0, "MUG", 4);
    await applyMerchantOrderAction(database.db, { shopId, orderId: cancelled, action: "cancel", actor: "test" });
    expect(await stored(shopId)).not.toEqual(await recount(shopId));
    await expectDashboardEqualsRecount(shopId);

    const refresh = await database.db.transaction((tx) => refreshOrderDayRollups(tx, shopId));
    expect(refresh.days).toBeGreaterThan(0);
    expect(await stored(shopId)).toEqual(await recount(shopId));
    await expectDashboardEqualsRecount(shopId);
  });

  it("reads the days the job has complete from the rollup rows, not from the orders", async () => {
    await database.db.transaction((tx) => refreshOrderDayRollups(tx, shopId));
    const dashboard = await loadDashboard(database.db, shopId);
    const day = new Date(today.getTime() - 12 * DAY).toISOString().slice(0, 10);
    const index = dashboard.dailyOrders.days.indexOf(day);
    const before = dashboard.dailyOrders.series.find((series) => series.channel === "woocommerce")!.counts[index]!;
    expect(before).toBe(1);
    // A day with no order changed since the watermark is served from its rollup row.
    await database.db.execute(sql`UPDATE order_day_rollups SET orders = orders + 5 WHERE shop_id = ${shopId} AND day = ${day}::date AND channel = 'woocommerce'`);
    const after = await loadDashboard(database.db, shopId);
    expect(after.dailyOrders.series.find((series) => series.channel === "woocommerce")!.counts[index]).toBe(before + 5);
    await database.db.execute(sql`UPDATE order_day_rollups SET orders = orders - 5 WHERE shop_id = ${shopId} AND day = ${day}::date AND channel = 'woocommerce'`);
  });

  it("does not lose an order written by a transaction that was open while the job ran", async () => {
    const orderId = await ingest(shopId, "ebay", 5, "TEE");
    await database.db.transaction((tx) => refreshOrderDayRollups(tx, shopId));
    const writer = await database.pool.connect();
    try {
      // The writes' updated_at and created_at are the transaction's start, before the job runs;
      // they become visible when it commits, after the job.
      await writer.query("BEGIN");
      await writer.query("SELECT now()");
      await writer.query("UPDATE orders SET status = 'cancelled', updated_at = now() WHERE id = $1", [orderId]);
      await writer.query(
        `INSERT INTO orders (shop_id, channel, external_id, number, status, financial_status, currency, subtotal_minor, total_minor, placed_at, source_updated_at)
         VALUES ($1, 'amazon', 'late-commit', '#LATE', 'received', 'paid', 'USD', 100, 100, now(), now())`,
        [shopId],
      );
      await database.db.transaction((tx) => refreshOrderDayRollups(tx, shopId));
      await writer.query("COMMIT");
    } finally {
      writer.release();
    }
    const dashboard = await expectDashboardEqualsRecount(shopId);
    expect(dashboard.ordersByChannel.find((card) => card.channel === "amazon")?.today).toBeGreaterThanOrEqual(1);
    await database.db.transaction((tx) => refreshOrderDayRollups(tx, shopId));
    expect(await stored(shopId)).toEqual(await recount(shopId));
    await expectDashboardEqualsRecount(shopId);
    const [row] = await database.db.select({ status: orders.status }).from(orders).where(eq(orders.id, orderId));
    expect(row?.status).toBe("cancelled");
  });
});
