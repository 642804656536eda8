import { sql } from "drizzle-orm";
import type { DbOrTx } from "../client";

/**
 * The stock sync's health per connection, for the Channels page: the queue (dirty variants and
 * how old the oldest is), pushes awaiting the channel, failed runs and drift found in the last
 * day, the last reconciliation, and push latency per recent run for the chart.
 */

export interface ConnectionSyncStats {
  connectionId: string;
  queueDepth: number;
  oldestQueuedAt: string | null;
  pendingResults: number;
  failedRuns24h: number;
  driftFound24h: number;
  lastReconciledAt: string | null;
}

export interface PushLatencyPoint {
  connectionId: string;
  channel: string;
  finishedAt: string;
  p50Ms: number;
  maxMs: number;
}

export async function connectionSyncStats(db: DbOrTx, shopId: string): Promise<Record<string, ConnectionSyncStats>> {
  const result = await db.execute<{
    id: string;
    queue_depth: number;
    oldest: Date | string | null;
    pending: number;
    failed: number;
    drift: number;
    reconciled: Date | string | null;
  }>(sql`
    SELECT c.id,
           (SELECT count(*)::int FROM stock_sync_dirty d WHERE d.connection_id = c.id) AS queue_depth,
           (SELECT min(d.first_marked_at) FROM stock_sync_dirty d WHERE d.connection_id = c.id) AS oldest,
           (SELECT coalesce(sum((SELECT count(*) FROM jsonb_object_keys(p.items))), 0)::int FROM stock_sync_pending p WHERE p.connection_id = c.id) AS pending,
           (SELECT count(*)::int FROM stock_sync_runs r WHERE r.connection_id = c.id AND r.outcome = 'failed' AND r.finished_at > now() - interval '1 day') AS failed,
           (SELECT coalesce(sum(r.drift), 0)::int FROM stock_sync_runs r WHERE r.connection_id = c.id AND r.kind = 'reconcile' AND r.finished_at > now() - interval '1 day') AS drift,
           (SELECT max(r.finished_at) FROM stock_sync_runs r WHERE r.connection_id = c.id AND r.kind = 'reconcile') AS reconciled
      FROM channel_connections c
     WHERE c.shop_id = ${shopId}`);
  const iso = (value: Date | string | null) => (value === null ? null : new Date(value).toISOString());
  return Object.fromEntries(
    result.rows.map((r) => [
      r.id,
      {
        connectionId: r.id,
        queueDepth: r.queue_depth,
        oldestQueuedAt: iso(r.oldest),
        pendingResults: r.pending,
        failedRuns24h: r.failed,
        driftFound24h: r.drift,
        lastReconciledAt: iso(r.reconciled),
      },
    ]),
  );
}

/** The latest `limit` sync runs that pushed something, per connection, oldest first. */
export async function recentPushLatencies(db: DbOrTx, shopId: string, limit = 60): Promise<PushLatencyPoint[]> {
  const result = await db.execute<{ connection_id: string; channel: string; finished_at: Date | string; p50: number; max: number }>(sql`
    SELECT x.connection_id, x.channel, x.finished_at, x.p50, x.max FROM (
      SELECT r.connection_id, c.channel, r.finished_at, r.latency_p50_ms AS p50, r.latency_max_ms AS max,
             row_number() OVER (PARTITION BY r.connection_id ORDER BY r.finished_at DESC) AS n
        FROM stock_sync_runs r JOIN channel_connections c ON c.id = r.connection_id
       WHERE r.shop_id = ${shopId} AND r.kind = 'sync' AND r.latency_max_ms IS NOT NULL) x
     WHERE x.n <= ${limit}
     ORDER BY x.finished_at`);
  return result.rows.map((r) => ({ connectionId: r.connection_id, channel: r.channel, finishedAt: new Date(r.finished_at).toISOString(), p50Ms: r.p50, maxMs: r.max }));
}
