import { sql, type SQL } from "drizzle-orm";

/** The watermark row's name for order_day_rollups (rollup_watermarks.rollup). */
export const ORDER_DAY_ROLLUP = "order_day";

/**
 * Orders per UTC day (of placed_at), channel and fulfilling location for the given days,
 * counted from the source rows, over the orders created before `createdBefore`: what the
 * reports:rollup job stores (the dashboard adds the orders created since, see
 * loadDailyChannelCounts).
 *
 * The fulfilling location is the location of the order's first live (not released)
 * reservation; null while nothing is reserved. Each day is its own index range on
 * orders(shop_id, placed_at) (OFFSET 0 keeps the planner from flattening the lateral into a
 * scan of the shop's orders), so the cost follows the days asked for, not the history.
 */
export function orderDayFiguresQuery(shopId: string, days: readonly string[], createdBefore: string): SQL {
  return sql`
    WITH day_orders AS MATERIALIZED (
      SELECT d.day, o.id, o.channel, o.status
        FROM unnest(${`{${days.join(",")}}`}::date[]) AS d(day)
       CROSS JOIN LATERAL (
         SELECT o.id, o.channel, o.status FROM orders o
          WHERE o.shop_id = ${shopId}
            AND o.placed_at >= (d.day::timestamp AT TIME ZONE 'UTC')
            AND o.placed_at < ((d.day + 1)::timestamp AT TIME ZONE 'UTC')
            AND o.created_at < ${createdBefore}::timestamptz
         OFFSET 0) o),
    units AS (
      SELECT l.order_id, sum(l.quantity) AS units
        FROM order_lines l JOIN day_orders o ON o.id = l.order_id
       GROUP BY l.order_id),
    first_location AS (
      SELECT DISTINCT ON (a.order_id) a.order_id, a.location_id
        FROM allocations a JOIN day_orders o ON o.id = a.order_id
       WHERE a.status <> 'released'
       ORDER BY a.order_id, a.created_at, a.id)
    SELECT to_char(o.day, 'YYYY-MM-DD') AS day, o.channel, f.location_id,
           count(*)::int AS orders,
           (count(*) FILTER (WHERE o.status = 'cancelled'))::int AS cancelled_orders,
           coalesce(sum(u.units), 0)::int AS units
      FROM day_orders o
      LEFT JOIN units u ON u.order_id = o.id
      LEFT JOIN first_location f ON f.order_id = o.id
     GROUP BY o.day, o.channel, f.location_id`;
}

export type OrderDayFigure = {
  day: string;
  channel: string;
  location_id: string | null;
  orders: number;
  cancelled_orders: number;
  units: number;
};

/** The UTC day (YYYY-MM-DD) of an instant. */
export function utcDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}
