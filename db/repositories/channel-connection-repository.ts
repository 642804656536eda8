import { eq, sql } from "drizzle-orm";
import type { DbOrTx } from "../client";
import { channelConnections } from "../schema";

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
