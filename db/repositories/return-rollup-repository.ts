import { sql } from "drizzle-orm";
import type { Database, DbOrTx } from "../client";
import { productDaySalesQuery, returnDayFiguresQuery, RETURNS_ROLLUP } from "../queries/return-analytics-queries";
import { closeRollupWatermark, openRollupWatermark, recomputeDaysInBatches } from "./rollup-watermark";

export interface ReturnRollupRefresh {
  shopId: string;
  salesDays: number;
  returnDays: number;
  completeBefore: string;
}

/**
 * Brings one shop's product_day_sales and return_day_rollups up to date, as the order rollups
 * are (ADR 0011): the days of orders and of returns changed since the watermark are recomputed
 * whole from the source rows, then the watermark moves (rollup-watermark.ts: locked, so
 * refreshes of one shop never interleave; a late commit is picked up next time).
 */
export async function refreshReturnRollups(tx: DbOrTx, shopId: string): Promise<ReturnRollupRefresh> {
  const watermark = await openRollupWatermark(tx, shopId, RETURNS_ROLLUP);
  const salesDays = (
    await tx.execute<{ day: string }>(sql`
      SELECT DISTINCT to_char((placed_at AT TIME ZONE 'UTC')::date, 'YYYY-MM-DD') AS day FROM orders
       WHERE shop_id = ${shopId} AND updated_at >= ${watermark.since}::timestamptz ORDER BY 1`)
  ).rows.map((row) => row.day);
  const returnDays = (
    await tx.execute<{ day: string }>(sql`
      SELECT DISTINCT to_char((requested_at AT TIME ZONE 'UTC')::date, 'YYYY-MM-DD') AS day FROM returns
       WHERE shop_id = ${shopId} AND updated_at >= ${watermark.since}::timestamptz ORDER BY 1`)
  ).rows.map((row) => row.day);

  await recomputeDaysInBatches(salesDays, async (batch, dateArray) => {
    await tx.execute(sql`DELETE FROM product_day_sales WHERE shop_id = ${shopId} AND day = ANY(${dateArray}::date[])`);
    await tx.execute(sql`
      INSERT INTO product_day_sales (shop_id, day, channel, product_id, units)
      SELECT ${shopId}, fresh.day::date, fresh.channel, fresh.product_id, fresh.units FROM (${productDaySalesQuery(shopId, batch, watermark.horizon)}) AS fresh`);
  });
  await recomputeDaysInBatches(returnDays, async (batch, dateArray) => {
    await tx.execute(sql`DELETE FROM return_day_rollups WHERE shop_id = ${shopId} AND day = ANY(${dateArray}::date[])`);
    await tx.execute(sql`
      INSERT INTO return_day_rollups (shop_id, day, channel, product_id, reason, units, returns)
      SELECT ${shopId}, fresh.day::date, fresh.channel, fresh.product_id, fresh.reason, fresh.units, fresh.returns FROM (${returnDayFiguresQuery(shopId, batch, watermark.horizon)}) AS fresh`);
  });
  await closeRollupWatermark(tx, shopId, RETURNS_ROLLUP, watermark);
  return { shopId, salesDays: salesDays.length, returnDays: returnDays.length, completeBefore: new Date(watermark.horizon).toISOString() };
}

/** Every shop with orders or returns changed since its watermark, one transaction per shop. */
export async function refreshAllReturnRollups(db: Database): Promise<ReturnRollupRefresh[]> {
  const stale = await db.execute<{ shop_id: string }>(sql`
    SELECT s.id AS shop_id FROM shops s
      LEFT JOIN rollup_watermarks w ON w.shop_id = s.id AND w.rollup = ${RETURNS_ROLLUP}
     WHERE EXISTS (SELECT 1 FROM orders o WHERE o.shop_id = s.id AND o.updated_at >= coalesce(w.orders_updated_before, '-infinity'))
        OR EXISTS (SELECT 1 FROM returns r WHERE r.shop_id = s.id AND r.updated_at >= coalesce(w.orders_updated_before, '-infinity'))`);
  const refreshed: ReturnRollupRefresh[] = [];
  for (const { shop_id: shopId } of stale.rows) refreshed.push(await db.transaction((tx) => refreshReturnRollups(tx, shopId)));
  return refreshed;
}
