import { sql } from "drizzle-orm";
import type { Database, DbOrTx } from "../client";
import { ORDER_DAY_ROLLUP, orderDayFiguresQuery } from "../queries/order-day-figures";
import { closeRollupWatermark, openRollupWatermark, recomputeDaysInBatches } from "./rollup-watermark";

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
 * moves the watermark (rollup-watermark.ts says where to and why). Runs in the caller's
 * transaction. The rows count only orders created before the watermark, which is what lets the
 * dashboard add the orders created since without counting one twice.
 */
export async function refreshOrderDayRollups(tx: DbOrTx, shopId: string): Promise<RollupRefresh> {
  const watermark = await openRollupWatermark(tx, shopId, ORDER_DAY_ROLLUP);
  const days = (
    await tx.execute<{ day: string }>(sql`
      SELECT DISTINCT to_char((placed_at AT TIME ZONE 'UTC')::date, 'YYYY-MM-DD') AS day FROM orders
       WHERE shop_id = ${shopId} AND updated_at >= ${watermark.since}::timestamptz
       ORDER BY 1`)
  ).rows.map((row) => row.day);

  await recomputeDaysInBatches(days, async (batch, dateArray) => {
    await tx.execute(sql`DELETE FROM order_day_rollups WHERE shop_id = ${shopId} AND day = ANY(${dateArray}::date[])`);
    await tx.execute(sql`
      INSERT INTO order_day_rollups (shop_id, day, channel, location_id, orders, cancelled_orders, units)
      SELECT ${shopId}, fresh.day::date, fresh.channel, fresh.location_id, fresh.orders, fresh.cancelled_orders, fresh.units
        FROM (${orderDayFiguresQuery(shopId, batch, watermark.horizon)}) AS fresh`);
  });
  await closeRollupWatermark(tx, shopId, ORDER_DAY_ROLLUP, watermark);
  return { shopId, days: days.length, ordersUpdatedBefore: new Date(watermark.horizon).toISOString() };
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
