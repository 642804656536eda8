import { and, eq, sql } from "drizzle-orm";
import type { DbOrTx } from "../client";
import { channelConnections, shops } from "../schema";

/** One stored channel connection, as ingress routes and poll jobs need it. */
export async function findChannelConnection(db: DbOrTx, connectionId: string) {
  // A malformed id in a URL is "no such connection", not a database error.
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(connectionId)) return undefined;
  const [row] = await db.select().from(channelConnections).where(eq(channelConnections.id, connectionId));
  return row;
}

/** Replaces a connection's encrypted credentials (a refreshed token), before the new ones are used. */
export async function storeConnectionCredentials(db: DbOrTx, connectionId: string, credentialsEncrypted: string): Promise<void> {
  await db.update(channelConnections).set({ credentialsEncrypted }).where(eq(channelConnections.id, connectionId));
}

/** Merges keys into a connection's settings (e.g. a poll cursor), keeping the rest. */
export async function mergeConnectionSettings(db: DbOrTx, connectionId: string, patch: Record<string, unknown>): Promise<void> {
  await db
    .update(channelConnections)
    .set({ settings: sql`${channelConnections.settings} || ${JSON.stringify(patch)}::jsonb` })
    .where(eq(channelConnections.id, connectionId));
}

/** A connection as a channel module opens it (with its shop's domain), plus shop and status. */
export async function findChannelConnectionRecord(db: DbOrTx, connectionId: string) {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(connectionId)) return undefined;
  const [row] = await db
    .select({
      id: channelConnections.id,
      shopId: channelConnections.shopId,
      channel: channelConnections.channel,
      name: channelConnections.name,
      status: channelConnections.status,
      shopDomain: shops.domain,
      credentialsEncrypted: channelConnections.credentialsEncrypted,
      settings: channelConnections.settings,
    })
    .from(channelConnections)
    .innerJoin(shops, eq(shops.id, channelConnections.shopId))
    .where(eq(channelConnections.id, connectionId));
  return row;
}

/** Connected connections of shops that sync, for the poll scheduler to choose from. */
export async function findPollableConnections(db: DbOrTx) {
  return db
    .select({ id: channelConnections.id, channel: channelConnections.channel, settings: channelConnections.settings })
    .from(channelConnections)
    .innerJoin(shops, eq(shops.id, channelConnections.shopId))
    .where(and(eq(channelConnections.status, "connected"), eq(shops.syncEnabled, true)));
}

/** The connection's last error, shown on the Channels page. */
export async function recordConnectionError(db: DbOrTx, connectionId: string, message: string): Promise<void> {
  await db.update(channelConnections).set({ lastError: message.slice(0, 2000), lastErrorAt: sql`now()` }).where(eq(channelConnections.id, connectionId));
}
