import { sql } from "drizzle-orm";
import type { Database, DbOrTx } from "../client";
import { ORDER_DAY_ROLLUP, orderDayFiguresQuery } from "../queries/order-day-figures";

/** Days recomputed per statement during a catch-up, so one statement never spans the whole history. */
const DAYS_PER_BATCH = 31;

export interface RollupRefresh {
  shopId: string;
  /** Days whose rows were recomputed. */
  days: number;
  /** The new watermark: every order updated before it is in the rollups. */
  ordersUpdatedBefore: string;
}

/**
 * Brings one shop's order_day_rollups up to date: finds the days of orders changed since the
 * watermark and recomputes those whole days from the source rows (set-based, idempotent), then
 * moves the watermark. Runs in the caller's transaction; the watermark row is locked, so two
 * refreshes of one shop never interleave.
 *
 * updated_at and created_at are written as now(), the writing transaction's start, and become
 * visible only at its commit. So the new watermark is the start of the oldest transaction still
 * open when the refresh began (or the refresh's own start): anything written before it was
 * committed before the days were read, and anything later is picked up next time. The rows
 * count only orders created before the watermark, which is what lets the dashboard add the
 * orders created since without counting one twice.
 */
export async function refreshOrderDayRollups(tx: DbOrTx, shopId: string): Promise<RollupRefresh> {
  await tx.execute(sql`
    INSERT INTO rollup_watermarks (shop_id, rollup, orders_updated_before)
    VALUES (${shopId}, ${ORDER_DAY_ROLLUP}, '-infinity') ON CONFLICT DO NOTHING`);
  const [mark] = (
    await tx.execute<{ since: string }>(sql`
      SELECT orders_updated_before::text AS since FROM rollup_watermarks
       WHERE shop_id = ${shopId} AND rollup = ${ORDER_DAY_ROLLUP} FOR UPDATE`)
  ).rows;
  // Read before the changed orders, in its own statement (own snapshot under READ COMMITTED).
  const [horizon] = (
    await tx.execute<{ at: string }>(sql`
      SELECT least(now(), (SELECT min(xact_start) FROM pg_stat_activity
                            WHERE datname = current_database() AND xact_start IS NOT NULL
                              AND pid <> pg_backend_pid()))::text AS at`)
  ).rows;
  const days = (
    await tx.execute<{ day: string }>(sql`
      SELECT DISTINCT to_char((placed_at AT TIME ZONE 'UTC')::date, 'YYYY-MM-DD') AS day FROM orders
       WHERE shop_id = ${shopId} AND updated_at >= ${mark!.since}::timestamptz
       ORDER BY 1`)
  ).rows.map((row) => row.day);

  for (let start = 0; start < days.length; start += DAYS_PER_BATCH) {
    const batch = days.slice(start, start + DAYS_PER_BATCH);
    await tx.execute(sql`DELETE FROM order_day_rollups WHERE shop_id = ${shopId} AND day = ANY(${`{${batch.join(",")}}`}::date[])`);
    await tx.execute(sql`
      INSERT INTO order_day_rollups (shop_id, day, channel, location_id, orders, cancelled_orders, units)
      SELECT ${shopId}, fresh.day::date, fresh.channel, fresh.location_id, fresh.orders, fresh.cancelled_orders, fresh.units
        FROM (${orderDayFiguresQuery(shopId, batch, horizon!.at)}) AS fresh`);
  }
  await tx.execute(sql`
    UPDATE rollup_watermarks SET orders_updated_before = ${horizon!.at}::timestamptz, refreshed_at = now()
     WHERE shop_id = ${shopId} AND rollup = ${ORDER_DAY_ROLLUP}`);
  return { shopId, days: days.length, ordersUpdatedBefore: new Date(horizon!.at).toISOString() };
}

/**
 * Refreshes every shop with orders changed since its watermark (or never rolled up), one
 * transaction per shop so a large shop's catch-up does not hold the others back.
 */
export async function refreshAllOrderDayRollups(db: Database): Promise<RollupRefresh[]> {
  const stale = await db.execute<{ shop_id: string }>(sql`
    SELECT s.id AS shop_id FROM shops s
      LEFT JOIN rollup_watermarks w ON w.shop_id = s.id AND w.rollup = ${ORDER_DAY_ROLLUP}
     WHERE EXISTS (SELECT 1 FROM orders o
                    WHERE o.shop_id = s.id AND o.updated_at >= coalesce(w.orders_updated_before, '-infinity'))`);
  const refreshed: RollupRefresh[] = [];
  for (const { shop_id: shopId } of stale.rows) {
    refreshed.push(await db.transaction((tx) => refreshOrderDayRollups(tx, shopId)));
  }
  return refreshed;
}
