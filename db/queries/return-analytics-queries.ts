import { sql, type SQL } from "drizzle-orm";
import type { DbOrTx } from "../client";

/**
 * Return rate and reasons per product and per channel, for the returns analytics page. The page
 * reads only the per-day rollups (product_day_sales, return_day_rollups) kept by the
 * reports:returns-rollup job, so a view costs the same at any order count (ADR 0011 / 0016);
 * the figures are complete up to the rollup's watermark, which the page shows.
 *
 * The day figures below are the ONE definition of what the rollups hold, recomputed from the
 * source rows for the given UTC days; each day is its own index range (OFFSET 0 keeps the
 * planner from flattening the lateral into a scan of the shop's history).
 */

/** The watermark row's name (rollup_watermarks.rollup) for both returns rollups. */
export const RETURNS_ROLLUP = "returns";

const daysArray = (days: readonly string[]) => sql`${`{${days.join(",")}}`}::date[]`;

/** Units sold per day, channel and product (cancelled orders excluded), over orders created before `createdBefore`. */
export function productDaySalesQuery(shopId: string, days: readonly string[], createdBefore: string): SQL {
  return sql`
    WITH day_orders AS MATERIALIZED (
      SELECT d.day, o.id, o.channel
        FROM unnest(${daysArray(days)}) AS d(day)
       CROSS JOIN LATERAL (
         SELECT o.id, o.channel FROM orders o
          WHERE o.shop_id = ${shopId}
            AND o.placed_at >= (d.day::timestamp AT TIME ZONE 'UTC')
            AND o.placed_at < ((d.day + 1)::timestamp AT TIME ZONE 'UTC')
            AND o.created_at < ${createdBefore}::timestamptz
            AND o.status <> 'cancelled'
         OFFSET 0) o)
    SELECT to_char(o.day, 'YYYY-MM-DD') AS day, o.channel, v.product_id, sum(l.quantity)::int AS units
      FROM day_orders o
      JOIN order_lines l ON l.order_id = o.id
      LEFT JOIN variants v ON v.id = l.variant_id
     WHERE l.quantity > 0
     GROUP BY o.day, o.channel, v.product_id`;
}

/** Units and returns per day (of requested_at), order channel, product and reason; declined and cancelled returns excluded. */
export function returnDayFiguresQuery(shopId: string, days: readonly string[], createdBefore: string): SQL {
  return sql`
    WITH day_returns AS MATERIALIZED (
      SELECT d.day, r.id, r.order_id
        FROM unnest(${daysArray(days)}) AS d(day)
       CROSS JOIN LATERAL (
         SELECT r.id, r.order_id FROM returns r
          WHERE r.shop_id = ${shopId}
            AND r.requested_at >= (d.day::timestamp AT TIME ZONE 'UTC')
            AND r.requested_at < ((d.day + 1)::timestamp AT TIME ZONE 'UTC')
            AND r.created_at < ${createdBefore}::timestamptz
            AND r.status NOT IN ('declined', 'cancelled')
         OFFSET 0) r)
    SELECT to_char(r.day, 'YYYY-MM-DD') AS day, o.channel, v.product_id, rl.reason,
           sum(rl.quantity)::int AS units, count(DISTINCT r.id)::int AS returns
      FROM day_returns r
      JOIN return_lines rl ON rl.return_id = r.id
      JOIN orders o ON o.id = r.order_id
      LEFT JOIN variants v ON v.id = rl.variant_id
     GROUP BY r.day, o.channel, v.product_id, rl.reason`;
}

export interface RateRow {
  key: string;
  label: string;
  soldUnits: number;
  returnedUnits: number;
  /** Returned ÷ sold, 0..; null when nothing was sold in the window. */
  rate: number | null;
}

export interface ReturnAnalytics {
  days: number;
  fromDay: string;
  toDay: string;
  /** Every order and return changed before this is counted; null before the first rollup. */
  completeBefore: string | null;
  byChannel: RateRow[];
  /** The products returned most in the window, most returned first. */
  byProduct: RateRow[];
  byReason: { reason: string; units: number }[];
  reasonByChannel: { channel: string; reason: string; units: number }[];
}

const rate = (sold: number, returned: number) => (sold > 0 ? returned / sold : null);

/** The window's figures from the rollups: a few hundred rows whatever the history. */
export async function loadReturnAnalytics(db: DbOrTx, shopId: string, options: { days?: number; now?: Date; topProducts?: number } = {}): Promise<ReturnAnalytics> {
  const days = options.days ?? 30;
  const toDay = (options.now ?? new Date()).toISOString().slice(0, 10);
  const fromDay = new Date(Date.parse(`${toDay}T00:00:00Z`) - (days - 1) * 86_400_000).toISOString().slice(0, 10);
  const window = sql`shop_id = ${shopId} AND day BETWEEN ${fromDay}::date AND ${toDay}::date`;
  const [mark, soldByChannel, returnedByChannel, topProducts, reasons] = await Promise.all([
    db.execute<{ at: string }>(sql`SELECT orders_updated_before::text AS at FROM rollup_watermarks WHERE shop_id = ${shopId} AND rollup = ${RETURNS_ROLLUP}`),
    db.execute<{ channel: string; units: number }>(sql`SELECT channel, sum(units)::int AS units FROM product_day_sales WHERE ${window} GROUP BY channel`),
    db.execute<{ channel: string; units: number }>(sql`SELECT channel, sum(units)::int AS units FROM return_day_rollups WHERE ${window} GROUP BY channel`),
    db.execute<{ product_id: string | null; title: string | null; returned: number }>(sql`
      SELECT r.product_id, p.title, r.returned FROM (
        SELECT product_id, sum(units)::int AS returned FROM return_day_rollups WHERE ${window}
         GROUP BY product_id ORDER BY 2 DESC, 1 LIMIT ${options.topProducts ?? 10}) r
        LEFT JOIN products p ON p.id = r.product_id
       ORDER BY r.returned DESC, r.product_id`),
    db.execute<{ channel: string; reason: string; units: number }>(sql`SELECT channel, reason, sum(units)::int AS units FROM return_day_rollups WHERE ${window} GROUP BY channel, reason ORDER BY channel, reason`),
  ]);
  const productIds = topProducts.rows.map((row) => row.product_id).filter((id): id is string => id !== null);
  const soldByProduct = new Map<string | null, number>();
  if (topProducts.rows.length > 0) {
    const sold = await db.execute<{ product_id: string | null; units: number }>(sql`
      SELECT product_id, sum(units)::int AS units FROM product_day_sales
       WHERE ${window} AND (product_id = ANY(${`{${productIds.join(",")}}`}::uuid[]) ${topProducts.rows.some((row) => row.product_id === null) ? sql`OR product_id IS NULL` : sql``})
       GROUP BY product_id`);
    for (const row of sold.rows) soldByProduct.set(row.product_id, row.units);
  }
  const channels = new Set([...soldByChannel.rows.map((r) => r.channel), ...returnedByChannel.rows.map((r) => r.channel)]);
  const soldOf = new Map(soldByChannel.rows.map((r) => [r.channel, r.units]));
  const returnedOf = new Map(returnedByChannel.rows.map((r) => [r.channel, r.units]));
  const byReason = new Map<string, number>();
  for (const row of reasons.rows) byReason.set(row.reason, (byReason.get(row.reason) ?? 0) + row.units);
  return {
    days,
    fromDay,
    toDay,
    completeBefore: mark.rows[0] ? new Date(mark.rows[0].at).toISOString() : null,
    byChannel: [...channels].sort().map((channel) => {
      const soldUnits = soldOf.get(channel) ?? 0;
      const returnedUnits = returnedOf.get(channel) ?? 0;
      return { key: channel, label: channel, soldUnits, returnedUnits, rate: rate(soldUnits, returnedUnits) };
    }),
    byProduct: topProducts.rows.map((row) => {
      const soldUnits = soldByProduct.get(row.product_id) ?? 0;
      return { key: row.product_id ?? "unmatched", label: row.title ?? "Unmatched lines", soldUnits, returnedUnits: row.returned, rate: rate(soldUnits, row.returned) };
    }),
    byReason: [...byReason].map(([reason, units]) => ({ reason, units })).sort((a, b) => b.units - a.units || a.reason.localeCompare(b.reason)),
    reasonByChannel: reasons.rows,
  };
}
