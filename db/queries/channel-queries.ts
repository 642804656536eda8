import { asc, eq, sql } from "drizzle-orm";
import type { DbOrTx } from "../client";
import { connectionHealthColumns, loadDailyChannelCounts, startOfUtcDay, type ChannelSyncHealth } from "./dashboard-queries";
import { outer } from "./sql-helpers";
import { channelConnections, channelListings, channelLocations, locations } from "../schema";

export interface ChannelConnectionRow extends ChannelSyncHealth {
  listings: number;
  listingsWithPushError: number;
  ordersLast7Days: number;
  locationNames: string[];
}

/** Days counted in "Orders (7 days)": today and the six UTC days before it. */
export const CHANNEL_ORDER_DAYS = 7;

/**
 * Every channel connection of the shop with what the merchant needs to judge its sync. Orders
 * per channel come from the per-day rollups (plus a recount of the days changed since), so the
 * page costs the same at any order count.
 */
export async function listChannelConnections(db: DbOrTx, shopId: string, now: Date = new Date()): Promise<ChannelConnectionRow[]> {
  const firstDay = new Date(startOfUtcDay(now).getTime() - (CHANNEL_ORDER_DAYS - 1) * 86_400_000);
  const [rows, dailyCounts] = await Promise.all([channelConnectionRows(db, shopId), loadDailyChannelCounts(db, shopId, firstDay, CHANNEL_ORDER_DAYS)]);
  const ordersByChannel = new Map<string, number>();
  for (const row of dailyCounts) ordersByChannel.set(row.channel, (ordersByChannel.get(row.channel) ?? 0) + row.count);
  return rows.map((row) => ({
    ...row,
    // Orders belong to a channel, not to a connection; a shop has one connection per channel in practice.
    ordersLast7Days: ordersByChannel.get(row.channel) ?? 0,
    lastOrderAt: row.lastOrderAt?.toISOString() ?? null,
    lastPushAt: row.lastPushAt?.toISOString() ?? null,
    lastErrorAt: row.lastErrorAt?.toISOString() ?? null,
  }));
}

function channelConnectionRows(db: DbOrTx, shopId: string) {
  return db
    .select({
      ...connectionHealthColumns(),
      listings: sql<number>`(select count(*)::int from ${channelListings} cl where cl.connection_id = ${outer(channelConnections, channelConnections.id)})`,
      listingsWithPushError: sql<number>`(select count(*)::int from ${channelListings} cl where cl.connection_id = ${outer(channelConnections, channelConnections.id)} and cl.last_push_error is not null)`,
      locationNames: sql<string[]>`coalesce((select array_agg(l.name order by l.priority, l.name) from ${channelLocations} f join ${locations} l on l.id = f.location_id where f.connection_id = ${outer(channelConnections, channelConnections.id)}), '{}')`,
    })
    .from(channelConnections)
    .where(eq(channelConnections.shopId, shopId))
    .orderBy(asc(channelConnections.channel), asc(channelConnections.name));
}
