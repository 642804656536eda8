import { asc, eq, sql } from "drizzle-orm";
import type { DbOrTx } from "../client";
import { connectionHealthColumns, type ChannelSyncHealth } from "./dashboard-queries";
import { outer } from "./sql-helpers";
import { channelConnections, channelListings, channelLocations, locations, orders } from "../schema";

export interface ChannelConnectionRow extends ChannelSyncHealth {
  listings: number;
  listingsWithPushError: number;
  ordersLast7Days: number;
  locationNames: string[];
}

/** Every channel connection of the shop with what the merchant needs to judge its sync. */
export async function listChannelConnections(db: DbOrTx, shopId: string, now: Date = new Date()): Promise<ChannelConnectionRow[]> {
  const weekAgo = new Date(now.getTime() - 7 * 86_400_000).toISOString();
  const rows = await db
    .select({
      ...connectionHealthColumns(),
      listings: sql<number>`(select count(*)::int from ${channelListings} cl where cl.connection_id = ${outer(channelConnections, channelConnections.id)})`,
      listingsWithPushError: sql<number>`(select count(*)::int from ${channelListings} cl where cl.connection_id = ${outer(channelConnections, channelConnections.id)} and cl.last_push_error is not null)`,
      // Orders belong to a channel, not to a connection; a shop has one connection per channel in practice.
      ordersLast7Days: sql<number>`(select count(*)::int from ${orders} o where o.shop_id = ${outer(channelConnections, channelConnections.shopId)} and o.channel = ${outer(channelConnections, channelConnections.channel)} and o.placed_at >= ${weekAgo}::timestamptz)`,
      locationNames: sql<string[]>`coalesce((select array_agg(l.name order by l.priority, l.name) from ${channelLocations} f join ${locations} l on l.id = f.location_id where f.connection_id = ${outer(channelConnections, channelConnections.id)}), '{}')`,
    })
    .from(channelConnections)
    .where(eq(channelConnections.shopId, shopId))
    .orderBy(asc(channelConnections.channel), asc(channelConnections.name));
  return rows.map((row) => ({
    ...row,
    lastOrderAt: row.lastOrderAt?.toISOString() ?? null,
    lastPushAt: row.lastPushAt?.toISOString() ?? null,
    lastErrorAt: row.lastErrorAt?.toISOString() ?? null,
  }));
}
