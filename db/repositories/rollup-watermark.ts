import { sql } from "drizzle-orm";
import type { DbOrTx } from "../client";

/** Days recomputed per statement during a catch-up, so one statement never spans the whole history. */
const DAYS_PER_BATCH = 31;

export interface OpenWatermark {
  /** Rows changed at or after this were not yet rolled up. */
  since: string;
  /** Where the watermark moves once the refresh is done (see openRollupWatermark). */
  horizon: string;
}

/**
 * Locks one shop's watermark of one rollup (created at -infinity the first time), so two
 * refreshes never interleave, and reads the refresh's horizon.
 *
 * updated_at is written as now(), the writing transaction's start, and becomes visible only at
 * its commit. So the horizon is the start of the oldest transaction still open when the refresh
 * began (or the refresh's own start): anything written before it was committed before the
 * changed days are read, and anything later is picked up next time (ADR 0011).
 */
export async function openRollupWatermark(tx: DbOrTx, shopId: string, rollup: string): Promise<OpenWatermark> {
  await tx.execute(sql`
    INSERT INTO rollup_watermarks (shop_id, rollup, orders_updated_before)
    VALUES (${shopId}, ${rollup}, '-infinity') ON CONFLICT DO NOTHING`);
  const [mark] = (
    await tx.execute<{ since: string }>(sql`
      SELECT orders_updated_before::text AS since FROM rollup_watermarks
       WHERE shop_id = ${shopId} AND rollup = ${rollup} FOR UPDATE`)
  ).rows;
  // Read before the changed rows, in its own statement (own snapshot under READ COMMITTED).
  const [horizon] = (
    await tx.execute<{ at: string }>(sql`
      SELECT least(now(), (SELECT min(xact_start) FROM pg_stat_activity
                            WHERE datname = current_database() AND xact_start IS NOT NULL
                              AND pid <> pg_backend_pid()))::text AS at`)
  ).rows;
  return { since: mark!.since, horizon: horizon!.at };
}

/** Recomputes the given days a month of days at a time; `recompute` gets the days as a date[] literal. */
export async function recomputeDaysInBatches(days: readonly string[], recompute: (batch: readonly string[], dateArray: string) => Promise<void>): Promise<void> {
  for (let start = 0; start < days.length; start += DAYS_PER_BATCH) {
    const batch = days.slice(start, start + DAYS_PER_BATCH);
    await recompute(batch, `{${batch.join(",")}}`);
  }
}

/** Moves the watermark to the horizon read when it was opened. */
export async function closeRollupWatermark(tx: DbOrTx, shopId: string, rollup: string, watermark: OpenWatermark): Promise<void> {
  await tx.execute(sql`
    UPDATE rollup_watermarks SET orders_updated_before = ${watermark.horizon}::timestamptz, refreshed_at = now()
     WHERE shop_id = ${shopId} AND rollup = ${rollup}`);
}
