import { sql } from "drizzle-orm";
import type { DbOrTx } from "../client";

/**
 * Worker liveness in PostgreSQL, so it holds across processes and machines: each worker process
 * writes a heartbeat naming the graphile-worker ids its job slots lock jobs with; jobs locked by
 * an id no live heartbeat names, for longer than the timeout, belong to a dead worker.
 */

export async function recordHeartbeat(db: DbOrTx, workerId: string, lockIds: readonly string[]): Promise<void> {
  await db.execute(sql`
    INSERT INTO worker_heartbeats (worker_id, seen_at, lock_ids)
    VALUES (${workerId}, now(), ARRAY(SELECT jsonb_array_elements_text(${JSON.stringify(lockIds)}::jsonb)))
    ON CONFLICT (worker_id) DO UPDATE SET seen_at = now(), lock_ids = excluded.lock_ids`);
}

export async function forgetWorker(db: DbOrTx, workerId: string): Promise<void> {
  await db.execute(sql`DELETE FROM worker_heartbeats WHERE worker_id = ${workerId}`);
}

/** Unlocks what the given graphile-worker ids hold (slots of this process that died). */
export async function unlockJobsOf(db: DbOrTx, lockIds: readonly string[]): Promise<void> {
  if (lockIds.length === 0) return;
  await db.execute(sql`SELECT graphile_worker.force_unlock_workers(ARRAY(SELECT jsonb_array_elements_text(${JSON.stringify(lockIds)}::jsonb)))`);
}

/**
 * The sweeper's one statement: find the ids holding jobs (or job queues) locked longer than the
 * timeout that no fresh heartbeat names, and unlock them with graphile_worker.force_unlock_workers,
 * so their jobs run again at once instead of after graphile-worker's own four hours. A live
 * worker's long job is never touched: its id is in its heartbeat. Old heartbeat rows are tidied.
 */
export async function unlockJobsOfDeadWorkers(db: DbOrTx, timeoutSeconds: number): Promise<string[]> {
  const result = await db.execute<{ ids: string[] }>(sql`
    WITH live AS (
      SELECT DISTINCT unnest(lock_ids) AS id FROM worker_heartbeats
       WHERE seen_at > now() - make_interval(secs => ${timeoutSeconds})
    ), held AS (
      SELECT locked_by AS id, locked_at FROM graphile_worker._private_jobs WHERE locked_by IS NOT NULL
      UNION ALL
      SELECT locked_by, locked_at FROM graphile_worker._private_job_queues WHERE locked_by IS NOT NULL
    ), dead AS (
      SELECT coalesce(array_agg(DISTINCT id), '{}'::text[]) AS ids FROM held
       WHERE locked_at < now() - make_interval(secs => ${timeoutSeconds})
         AND id NOT IN (SELECT id FROM live)
    ), tidied AS (
      DELETE FROM worker_heartbeats WHERE seen_at < now() - make_interval(secs => greatest(3600, ${timeoutSeconds} * 10))
    )
    SELECT ids, graphile_worker.force_unlock_workers(ids)::text AS unlocked FROM dead`);
  return result.rows[0]?.ids ?? [];
}
