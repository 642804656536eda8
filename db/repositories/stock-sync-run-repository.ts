import { and, asc, eq, sql } from "drizzle-orm";
import type { DbOrTx } from "../client";
import { stockSyncPending, stockSyncRuns, type PendingStockItem } from "../schema";

/** What the channel health page reads: one row per sync or reconciliation run, and pushes awaiting the channel. */

export interface SyncRunRecord {
  shopId: string;
  connectionId: string;
  kind: "sync" | "reconcile";
  outcome: string;
  items: number;
  calls: number;
  latenciesMs?: readonly number[];
  drift?: number;
  error?: string | null;
}

export async function recordSyncRun(db: DbOrTx, run: SyncRunRecord): Promise<void> {
  const sorted = [...(run.latenciesMs ?? [])].sort((a, b) => a - b);
  await db.insert(stockSyncRuns).values({
    shopId: run.shopId,
    connectionId: run.connectionId,
    kind: run.kind,
    outcome: run.outcome,
    items: run.items,
    calls: run.calls,
    latencyMaxMs: sorted.length > 0 ? Math.round(sorted[sorted.length - 1]!) : null,
    latencyP50Ms: sorted.length > 0 ? Math.round(sorted[Math.floor((sorted.length - 1) / 2)]!) : null,
    drift: run.drift ?? 0,
    error: run.error ?? null,
  });
}

export async function storePendingPush(
  db: DbOrTx,
  input: { shopId: string; connectionId: string; pendingId: string; items: Record<string, PendingStockItem> },
): Promise<void> {
  // Until it settles, what the channel will hold is not known: a sale it makes meanwhile may be
  // overwritten when the submission lands, so none is taken as already shown (own-sale-echo.ts).
  const listingIds = [...new Set(Object.values(input.items).map((item) => item.listingId))];
  await db.execute(sql`
    UPDATE channel_listings SET last_push_settled_at = NULL
     WHERE connection_id = ${input.connectionId}
       AND id IN (SELECT x::uuid FROM jsonb_array_elements_text(${JSON.stringify(listingIds)}::jsonb) x)`);
  await db
    .insert(stockSyncPending)
    .values(input)
    .onConflictDoUpdate({
      target: [stockSyncPending.connectionId, stockSyncPending.pendingId],
      set: { items: sql`${stockSyncPending.items} || excluded.items` },
    });
}

export async function listPendingPushes(db: DbOrTx, connectionId: string, limit = 20) {
  return db.select().from(stockSyncPending).where(eq(stockSyncPending.connectionId, connectionId)).orderBy(asc(stockSyncPending.submittedAt)).limit(limit);
}

/** Records that the channel was just asked about a pending submission (pendingCheckDue reads it). */
export async function markPendingChecked(db: DbOrTx, connectionId: string, pendingId: string): Promise<void> {
  await db
    .update(stockSyncPending)
    .set({ lastCheckedAt: sql`now()` })
    .where(and(eq(stockSyncPending.connectionId, connectionId), eq(stockSyncPending.pendingId, pendingId)));
}

export async function deletePendingPush(db: DbOrTx, connectionId: string, pendingId: string): Promise<void> {
  await db.delete(stockSyncPending).where(and(eq(stockSyncPending.connectionId, connectionId), eq(stockSyncPending.pendingId, pendingId)));
}
