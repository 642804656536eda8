import { sql } from "drizzle-orm";
import type { Database, DbOrTx } from "../client";
import { productDaySalesQuery, returnDayFiguresQuery, RETURNS_ROLLUP } from "../queries/return-analytics-queries";

/** Days recomputed per statement during a catch-up, so one statement never spans the whole history. */
const DAYS_PER_BATCH = 31;

export interface ReturnRollupRefresh {
  shopId: string;
  salesDays: number;
  returnDays: number;
  completeBefore: string;
}

/**
 * Brings one shop's product_day_sales and return_day_rollups up to date, as the order rollups
 * are (ADR 0011): the days of orders and of returns changed since the watermark are recomputed
 * whole from the source rows, then the watermark moves to the start of the oldest transaction
 * open when the refresh began, so a late commit is picked up next time. The watermark row is
 * locked: refreshes of one shop never interleave.
 */
export async function refreshReturnRollups(tx: DbOrTx, shopId: string): Promise<ReturnRollupRefresh> {
  await tx.execute(sql`
    INSERT INTO rollup_watermarks (shop_id, rollup, orders_updated_before)
    VALUES (${shopId}, ${RETURNS_ROLLUP}, '-infinity') ON CONFLICT DO NOTHING`);
  const [mark] = (
    await tx.execute<{ since: string }>(sql`
      SELECT orders_updated_before::text AS since FROM rollup_watermarks
       WHERE shop_id = ${shopId} AND rollup = ${RETURNS_ROLLUP} FOR UPDATE`)
  ).rows;
  // Read before the changed rows, in its own statement (own snapshot under READ COMMITTED).
  const [horizon] = (
    await tx.execute<{ at: string }>(sql`
      SELECT least(now(), (SELECT min(xact_start) FROM pg_stat_activity
                            WHERE datname = current_database() AND xact_start IS NOT NULL
                              AND pid <> pg_backend_pid()))::text AS at`)
  ).rows;
  const since = mark!.since;
  const salesDays = (
    await tx.execute<{ day: string }>(sql`
      SELECT DISTINCT to_char((placed_at AT TIME ZONE 'UTC')::date, 'YYYY-MM-DD') AS day FROM orders
       WHERE shop_id = ${shopId} AND updated_at >= ${since}::timestamptz ORDER BY 1`)
  ).rows.map((row) => row.day);
  const returnDays = (
    await tx.execute<{ day: string }>(sql`
      SELECT DISTINCT to_char((requested_at AT TIME ZONE 'UTC')::date, 'YYYY-MM-DD') AS day FROM returns
       WHERE shop_id = ${shopId} AND updated_at >= ${since}::timestamptz ORDER BY 1`)
  ).rows.map((row) => row.day);

  for (let start = 0; start < salesDays.length; start += DAYS_PER_BATCH) {
    const batch = salesDays.slice(start, start + DAYS_PER_BATCH);
    await tx.execute(sql`DELETE FROM product_day_sales WHERE shop_id = ${shopId} AND day = ANY(${`{${batch.join(",")}}`}::date[])`);
    await tx.execute(sql`
      INSERT INTO product_day_sales (shop_id, day, channel, product_id, units)
      SELECT ${shopId}, fresh.day::date, fresh.channel, fresh.product_id, fresh.units FROM (${productDaySalesQuery(shopId, batch, horizon!.at)}) AS fresh`);
  }
  for (let start = 0; start < returnDays.length; start += DAYS_PER_BATCH) {
    const batch = returnDays.slice(start, start + DAYS_PER_BATCH);
    await tx.execute(sql`DELETE FROM return_day_rollups WHERE shop_id = ${shopId} AND day = ANY(${`{${batch.join(",")}}`}::date[])`);
    await tx.execute(sql`
      INSERT INTO return_day_rollups (shop_id, day, channel, product_id, reason, units, returns)
      SELECT ${shopId}, fresh.day::date, fresh.channel, fresh.product_id, fresh.reason, fresh.units, fresh.returns FROM (${returnDayFiguresQuery(shopId, batch, horizon!.at)}) AS fresh`);
  }
  await tx.execute(sql`
    UPDATE rollup_watermarks SET orders_updated_before = ${horizon!.at}::timestamptz, refreshed_at = now()
     WHERE shop_id = ${shopId} AND rollup = ${RETURNS_ROLLUP}`);
  return { shopId, salesDays: salesDays.length, returnDays: returnDays.length, completeBefore: new Date(horizon!.at).toISOString() };
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
