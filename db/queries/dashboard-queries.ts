import { and, asc, eq, inArray, sql } from "drizzle-orm";
import type { DbOrTx } from "../client";
import { outer } from "./sql-helpers";
import { ORDER_DAY_ROLLUP, utcDay } from "./order-day-figures";
import { channelConnections, exceptions, orderDayRollups, orders, rollupWatermarks } from "../schema";

/**
 * Read model for the admin dashboard. Day boundaries are UTC: shops carry no time zone yet,
 * and one fixed zone keeps "today" identical on every app instance.
 */

export const DASHBOARD_CHART_DAYS = 30;
export const ATTENTION_STATUSES = ["on_hold", "backordered"] as const;

export interface ChannelOrderCounts {
  channel: string;
  today: number;
  thisWeek: number;
}

export interface AttentionOrder {
  id: string;
  number: string;
  channel: string;
  status: string;
  customerName: string | null;
  placedAt: string;
  openExceptions: number;
}

export interface ChannelSyncHealth {
  id: string;
  channel: string;
  name: string;
  status: string;
  lastOrderAt: string | null;
  lastPushAt: string | null;
  lastErrorAt: string | null;
  lastError: string | null;
}

export interface DailyChannelSeries {
  /** ISO dates (YYYY-MM-DD, UTC), oldest first, one per chart day. */
  days: string[];
  /** Orders per day per channel, aligned with `days`. */
  series: { channel: string; counts: number[] }[];
}

export interface DashboardData {
  generatedAt: string;
  startOfTodayUtc: string;
  startOfWeekUtc: string;
  ordersByChannel: ChannelOrderCounts[];
  attention: { onHold: number; backordered: number; openExceptions: number; orders: AttentionOrder[] };
  syncHealth: ChannelSyncHealth[];
  dailyOrders: DailyChannelSeries;
}

/**
 * When the channel's newest order reached Switchyard: the connection's own mark or, when the
 * ingest path has not set it, the newest order row from that channel. Orders belong to a
 * channel rather than a connection; a shop has one connection per channel in practice.
 */
/** What the merchant needs to judge a channel connection's sync; shared by the dashboard and the Channels page. */
export function connectionHealthColumns() {
  return {
    id: channelConnections.id,
    channel: channelConnections.channel,
    name: channelConnections.name,
    status: channelConnections.status,
    lastOrderAt: lastOrderReceivedAt(),
    lastPushAt: channelConnections.lastPushAt,
    lastErrorAt: channelConnections.lastErrorAt,
    lastError: channelConnections.lastError,
  };
}

export function lastOrderReceivedAt() {
  // Derived, not stored: a column written by every ingest would be one hot row per channel.
  return sql<Date | null>`(select max(o.created_at) from ${orders} o
      where o.shop_id = ${outer(channelConnections, channelConnections.shopId)}
        and lower(o.channel) = lower(${outer(channelConnections, channelConnections.channel)}))`.mapWith((value: string | Date | null) =>
    value === null ? null : new Date(value),
  );
}

export function startOfUtcDay(at: Date): Date {
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()));
}

/** Monday 00:00 UTC of the ISO week containing `at`. */
export function startOfUtcIsoWeek(at: Date): Date {
  const day = startOfUtcDay(at);
  const daysSinceMonday = (day.getUTCDay() + 6) % 7;
  return new Date(day.getTime() - daysSinceMonday * 86_400_000);
}

export async function loadDashboard(db: DbOrTx, shopId: string, now: Date = new Date()): Promise<DashboardData> {
  const startOfToday = startOfUtcDay(now);
  const startOfWeek = startOfUtcIsoWeek(now);
  const chartStart = new Date(startOfToday.getTime() - (DASHBOARD_CHART_DAYS - 1) * 86_400_000);

  const [dailyRows, attentionCounts, openExceptionRows, attentionOrders, syncHealth] = await Promise.all([
    loadDailyChannelCounts(db, shopId, chartStart, DASHBOARD_CHART_DAYS),
    db
      .select({ status: orders.status, count: sql<number>`count(*)::int` })
      .from(orders)
      .where(and(eq(orders.shopId, shopId), inArray(orders.status, [...ATTENTION_STATUSES])))
      .groupBy(orders.status),
    db
      .select({ count: sql<number>`count(*)::int` })
      .from(exceptions)
      .where(and(eq(exceptions.shopId, shopId), eq(exceptions.status, "open"))),
    db
      .select({
        id: orders.id,
        number: orders.number,
        channel: orders.channel,
        status: orders.status,
        customerName: orders.customerName,
        placedAt: orders.placedAt,
        openExceptions: sql<number>`(select count(*)::int from ${exceptions} e where e.order_id = ${outer(orders, orders.id)} and e.status = 'open')`,
      })
      .from(orders)
      .where(and(eq(orders.shopId, shopId), inArray(orders.status, [...ATTENTION_STATUSES])))
      .orderBy(asc(orders.placedAt))
      .limit(10),
    db
      .select({
        ...connectionHealthColumns(),
      })
      .from(channelConnections)
      .where(eq(channelConnections.shopId, shopId))
      .orderBy(asc(channelConnections.channel), asc(channelConnections.name)),
  ]);

  const countFor = (status: string) => attentionCounts.find((row) => row.status === status)?.count ?? 0;

  return {
    generatedAt: now.toISOString(),
    startOfTodayUtc: startOfToday.toISOString(),
    startOfWeekUtc: startOfWeek.toISOString(),
    ordersByChannel: channelCountsSince(dailyRows, utcDay(startOfToday), utcDay(startOfWeek)),
    attention: {
      onHold: countFor("on_hold"),
      backordered: countFor("backordered"),
      openExceptions: openExceptionRows[0]?.count ?? 0,
      orders: attentionOrders.map((row) => ({ ...row, placedAt: row.placedAt.toISOString() })),
    },
    syncHealth: syncHealth.map((row) => ({
      ...row,
      lastOrderAt: row.lastOrderAt?.toISOString() ?? null,
      lastPushAt: row.lastPushAt?.toISOString() ?? null,
      lastErrorAt: row.lastErrorAt?.toISOString() ?? null,
    })),
    dailyOrders: buildDailySeries(chartStart, DASHBOARD_CHART_DAYS, dailyRows),
  };
}

/**
 * Orders per UTC day and channel from chartStart on, exact and fresh at any order count: the
 * rollup rows (a few hundred; they hold every order created before the shop's watermark) plus
 * the orders created since, found through orders(shop_id, updated_at) because an order's
 * updated_at is never below its created_at. Before the first refresh, a plain count.
 */
export async function loadDailyChannelCounts(
  db: DbOrTx,
  shopId: string,
  chartStart: Date,
  dayCount: number,
): Promise<{ day: string; channel: string; count: number }[]> {
  const chartEnd = new Date(chartStart.getTime() + dayCount * 86_400_000);
  const from = chartStart.toISOString();
  const to = chartEnd.toISOString();
  const placedDay = sql`to_char((o.placed_at AT TIME ZONE 'UTC')::date, 'YYYY-MM-DD')`;
  // The watermark is read first and passed as a value: planned against it, the orders created
  // since are a short range of orders(shop_id, updated_at), not a filter over the chart's days.
  const [mark] = (
    await db.execute<{ at: string }>(sql`
      SELECT orders_updated_before::text AS at FROM ${rollupWatermarks}
       WHERE shop_id = ${shopId} AND rollup = ${ORDER_DAY_ROLLUP}`)
  ).rows;
  const result = mark
    ? await db.execute<{ day: string; channel: string; count: number }>(sql`
        SELECT day, channel, sum(orders)::int AS count FROM (
          SELECT to_char(r.day, 'YYYY-MM-DD') AS day, r.channel, r.orders
            FROM ${orderDayRollups} r
           WHERE r.shop_id = ${shopId} AND r.day >= ${utcDay(chartStart)}::date AND r.day < ${utcDay(chartEnd)}::date
          UNION ALL
          SELECT ${placedDay}, o.channel, 1
            FROM ${orders} o
           WHERE o.shop_id = ${shopId} AND o.updated_at >= ${mark.at}::timestamptz AND o.created_at >= ${mark.at}::timestamptz
             AND o.placed_at >= ${from}::timestamptz AND o.placed_at < ${to}::timestamptz
        ) figures
        GROUP BY day, channel`)
    : // Never rolled up yet (a new install before the job's first run): count the chart's days.
      await db.execute<{ day: string; channel: string; count: number }>(sql`
        SELECT ${placedDay} AS day, o.channel, count(*)::int AS count
          FROM ${orders} o
         WHERE o.shop_id = ${shopId} AND o.placed_at >= ${from}::timestamptz AND o.placed_at < ${to}::timestamptz
         GROUP BY 1, 2`);
  return result.rows;
}

/** Today's and this week's orders per channel, from the per-day counts; channels without orders this week are left out. */
export function channelCountsSince(
  rows: readonly { day: string; channel: string; count: number }[],
  today: string,
  weekStart: string,
): ChannelOrderCounts[] {
  const byChannel = new Map<string, ChannelOrderCounts>();
  for (const row of rows) {
    if (row.day < weekStart || row.count === 0) continue;
    const counts = byChannel.get(row.channel) ?? { channel: row.channel, today: 0, thisWeek: 0 };
    counts.thisWeek += row.count;
    if (row.day === today) counts.today += row.count;
    byChannel.set(row.channel, counts);
  }
  return [...byChannel.values()].sort((a, b) => a.channel.localeCompare(b.channel));
}

/** Days without orders are real zeros on the chart, so every channel gets every day. */
export function buildDailySeries(
  start: Date,
  dayCount: number,
  rows: readonly { day: string; channel: string; count: number }[],
): DailyChannelSeries {
  const days = Array.from({ length: dayCount }, (_, index) =>
    new Date(start.getTime() + index * 86_400_000).toISOString().slice(0, 10),
  );
  const dayIndex = new Map(days.map((day, index) => [day, index]));
  const byChannel = new Map<string, number[]>();
  for (const row of rows) {
    const index = dayIndex.get(row.day);
    if (index === undefined) continue;
    const counts = byChannel.get(row.channel) ?? new Array<number>(dayCount).fill(0);
    counts[index] = (counts[index] ?? 0) + row.count;
    byChannel.set(row.channel, counts);
  }
  return {
    days,
    series: [...byChannel].sort(([a], [b]) => a.localeCompare(b)).map(([channel, counts]) => ({ channel, counts })),
  };
}

