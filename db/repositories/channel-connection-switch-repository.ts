import { and, eq } from "drizzle-orm";
import type { Database } from "../client";
import { channelConnections } from "../schema";
import { markStockDirty } from "./stock-sync-dirty-repository";

export type ConnectionSwitch = "connect" | "disconnect";

/**
 * Connects or disconnects a channel connection from the admin. Disconnected, nothing is pushed
 * to it (its dirty rows wait); connecting again marks every listing dirty in the same
 * transaction, so the channel is told every figure it may have missed.
 */
export async function switchConnection(
  db: Database,
  input: { shopId: string; connectionId: string; to: ConnectionSwitch },
): Promise<{ ok: true; status: string } | { ok: false; reason: "connection_not_found" }> {
  return db.transaction(async (tx) => {
    const status = input.to === "connect" ? "connected" : "disconnected";
    const [row] = await tx
      .update(channelConnections)
      .set({ status })
      .where(and(eq(channelConnections.id, input.connectionId), eq(channelConnections.shopId, input.shopId)))
      .returning({ id: channelConnections.id });
    if (!row) return { ok: false, reason: "connection_not_found" } as const;
    if (input.to === "connect") await markStockDirty(tx, { shopId: input.shopId, connectionId: input.connectionId });
    return { ok: true, status } as const;
  });
}
