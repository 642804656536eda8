import { and, asc, eq, gte, inArray, sql } from "drizzle-orm";
import type { DbOrTx } from "../client";
import { outer } from "./sql-helpers";
import { channelConnections, exceptions, orders } from "../schema";

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
        and o.channel = ${outer(channelConnections, channelConnections.channel)})`.mapWith((value: string | Date | null) =>
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

  const [ordersByChannel, attentionCounts, openExceptionRows, attentionOrders, syncHealth, dailyRows] = await Promise.all([
    db
      .select({
        channel: orders.channel,
        today: sql<number>`count(*) filter (where ${orders.placedAt} >= ${startOfToday.toISOString()})::int`,
        thisWeek: sql<number>`count(*)::int`,
      })
      .from(orders)
      .where(and(eq(orders.shopId, shopId), gte(orders.placedAt, startOfWeek)))
      .groupBy(orders.channel)
      .orderBy(asc(orders.channel)),
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
    db
      .select({
        day: sql<string>`to_char(date_trunc('day', ${orders.placedAt} at time zone 'UTC'), 'YYYY-MM-DD')`,
        channel: orders.channel,
        count: sql<number>`count(*)::int`,
      })
      .from(orders)
      .where(and(eq(orders.shopId, shopId), gte(orders.placedAt, chartStart)))
      .groupBy(sql`1`, orders.channel)
      .orderBy(sql`1`),
  ]);

  const countFor = (status: string) => attentionCounts.find((row) => row.status === status)?.count ?? 0;

  return {
    generatedAt: now.toISOString(),
    startOfTodayUtc: startOfToday.toISOString(),
    startOfWeekUtc: startOfWeek.toISOString(),
    ordersByChannel,
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

