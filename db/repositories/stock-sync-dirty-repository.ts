import { sql, type SQL } from "drizzle-orm";
import { STOCK_SYNC_HOLD_MS } from "../../core/inventory/stock-sync-plan";
import type { DbOrTx } from "../client";
import { executePrepared } from "../prepared-statement";

/**
 * The dirty set: which variants each connection still has to be told about. Marked in the
 * ledger change's transaction together with ONE coalesced sync job per connection (job key and
 * queue per connection, so a burst of changes becomes one run, runs of one connection never
 * overlap, and a throttled channel never holds up another's queue). A row leaves the set only
 * when the channel settled its push, and only at the generation that run read.
 */

/**
 * Stock sync runs ahead of other jobs (graphile-worker runs numerically lower priorities first):
 * there are at most a few per connection and second, so they never starve order intake, and a
 * backlog of orders never holds up the stock that keeps the other channels from overselling.
 */
export const STOCK_SYNC_PRIORITY = -10;

/** The graphile-worker job key and queue of a connection's stock sync. */
export const stockSyncJobKey = (connectionId: string) => `stock-sync:${connectionId}`;

/**
 * Marks the variants (and kits built from them) dirty for every connected connection listing
 * them, and makes sure each such connection's sync job runs within `STOCK_SYNC_HOLD_MS`, in one
 * statement on the caller's transaction. `variantIds` undefined marks every listing of the shop
 * (or of `connectionId`): for changes that are not about particular variants (a connection
 * (re)connected, settings).
 *
 * The job runs a short hold after the first mark of a burst, so one run carries the burst (the
 * channel's largest batches, not one call per sale). A job already due within the hold is left
 * alone (the burst joins it), a later one (a conflict's follow-up) is pulled in, and a job
 * waiting out the channel's Retry-After or a backoff (flagged `backoff`) is never pulled in:
 * the dirty rows wait for it.
 */
export async function markStockDirty(
  tx: DbOrTx,
  input: { shopId: string; variantIds?: readonly string[]; connectionId?: string; delayMs?: number },
): Promise<number> {
  const touched: SQL = input.variantIds
    ? sql`AND cl.variant_id IN (
            SELECT x::uuid FROM jsonb_array_elements_text(${JSON.stringify(input.variantIds)}::jsonb) x
            UNION
            SELECT kc.kit_variant_id FROM kit_components kc
             WHERE kc.component_variant_id IN (SELECT x::uuid FROM jsonb_array_elements_text(${JSON.stringify(input.variantIds)}::jsonb) x))`
    : sql``;
  if (input.variantIds && input.variantIds.length === 0) return 0;
  const onlyConnection = input.connectionId ? sql`AND cl.connection_id = ${input.connectionId}` : sql``;
  const runAt = sql`now() + make_interval(secs => ${(input.delayMs ?? STOCK_SYNC_HOLD_MS) / 1000})`;
  const result = await executePrepared<{ connection_id: string }>(tx, sql`
    WITH marked AS (
      INSERT INTO stock_sync_dirty AS d (connection_id, variant_id, shop_id)
      SELECT cl.connection_id, cl.variant_id, cl.shop_id
        FROM channel_listings cl
        JOIN channel_connections c ON c.id = cl.connection_id AND c.status = 'connected'
       WHERE cl.shop_id = ${input.shopId} ${onlyConnection} ${touched}
       -- One order for every writer, so concurrent marks never wait on each other crosswise.
       ORDER BY cl.connection_id, cl.variant_id
      ON CONFLICT (connection_id, variant_id) DO UPDATE SET generation = nextval('stock_sync_generation')
      RETURNING d.connection_id),
    connections AS (SELECT DISTINCT connection_id FROM marked),
    queued AS (
      SELECT graphile_worker.add_job(
               identifier => 'inventory/sync',
               payload => json_build_object('shopId', ${input.shopId}::uuid, 'connectionId', m.connection_id),
               queue_name => 'stock-sync:' || m.connection_id,
               run_at => ${runAt},
               priority => ${STOCK_SYNC_PRIORITY}::int,
               job_key => 'stock-sync:' || m.connection_id,
               job_key_mode => 'replace')
        FROM connections m
       WHERE NOT EXISTS (
               SELECT 1 FROM graphile_worker.jobs j
                WHERE j.key = 'stock-sync:' || m.connection_id AND j.locked_at IS NULL
                  AND (j.run_at <= ${runAt} OR coalesce(j.flags ? 'backoff', false))))
    SELECT m.connection_id FROM connections m, (SELECT count(*) FROM queued) q`);
  return result.rows.length;
}

/**
 * Queues a connection's sync run without marking anything (a follow-up, a backoff retry).
 * `backoff` runs (after a 429 or an outage) are not pulled in by new marks.
 */
export async function queueConnectionSync(
  db: DbOrTx,
  input: { shopId: string; connectionId: string; delayMs: number; attempt?: number; backoff?: boolean },
): Promise<void> {
  await db.execute(sql`
    SELECT graphile_worker.add_job(
      identifier => 'inventory/sync',
      payload => ${JSON.stringify({ shopId: input.shopId, connectionId: input.connectionId, attempt: input.attempt ?? 0 })}::json,
      queue_name => ${stockSyncJobKey(input.connectionId)}::text,
      run_at => now() + make_interval(secs => ${input.delayMs / 1000}),
      job_key => ${stockSyncJobKey(input.connectionId)}::text,
      priority => ${STOCK_SYNC_PRIORITY}::int,
      flags => ${input.backoff ? sql`ARRAY['backoff']::text[]` : sql`NULL::text[]`},
      job_key_mode => 'replace')`);
}

export interface DirtyVariant {
  variantId: string;
  generation: number;
  firstMarkedAt: Date;
  /** How long ago it was first marked, by the database's clock (the hold is measured on it). */
  ageMs: number;
}

/** The oldest dirty variants of a connection, at most `limit`. */
export async function readDirtyVariants(db: DbOrTx, connectionId: string, limit: number): Promise<DirtyVariant[]> {
  const result = await db.execute<{ variant_id: string; generation: number | string; first_marked_at: Date | string; age_ms: number | string }>(sql`
    SELECT variant_id, generation, first_marked_at, (extract(epoch FROM clock_timestamp() - first_marked_at) * 1000)::float8 AS age_ms
      FROM stock_sync_dirty
     WHERE connection_id = ${connectionId}
     ORDER BY first_marked_at, variant_id
     LIMIT ${limit}`);
  return result.rows.map((r) => ({ variantId: r.variant_id, generation: Number(r.generation), firstMarkedAt: new Date(r.first_marked_at), ageMs: Number(r.age_ms) }));
}

/**
 * Removes the rows the channel settled, but only at the generation read: a variant marked
 * again during the push keeps its row (and its queued job), so that change is pushed too.
 */
export async function clearSettledDirty(db: DbOrTx, connectionId: string, settled: readonly DirtyVariant[]): Promise<void> {
  if (settled.length === 0) return;
  const rows = settled.map((d) => ({ variant_id: d.variantId, generation: d.generation }));
  await db.execute(sql`
    DELETE FROM stock_sync_dirty d
     USING jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS x(variant_id uuid, generation bigint)
     WHERE d.connection_id = ${connectionId} AND d.variant_id = x.variant_id AND d.generation = x.generation`);
}

/** Dirty rows left for the connection (the health page's queue depth; a follow-up when > 0). */
export async function countDirty(db: DbOrTx, connectionId: string): Promise<number> {
  const result = await db.execute<{ n: number }>(sql`SELECT count(*)::int AS n FROM stock_sync_dirty WHERE connection_id = ${connectionId}`);
  return result.rows[0]?.n ?? 0;
}
