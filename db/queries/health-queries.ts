import { sql } from "drizzle-orm";
import type { DbOrTx } from "../client";

export interface HealthReading {
  /** Workers whose heartbeat is fresher than the worker timeout. */
  workers: number;
  lastSeen: string | null;
  /** Deliveries stored but not yet processed for longer than the wait bound. */
  deliveriesWaiting: number;
  oldestWaitingSeconds: number | null;
}

/** Database reachable, live workers, and deliveries waiting longer than they should. */
export async function readHealth(db: DbOrTx, bounds: { workerTimeoutSeconds: number; deliveryWaitSeconds: number }): Promise<HealthReading> {
  const result = await db.execute<{ workers: number; last_seen: string | null; waiting: number; oldest_s: number | null }>(sql`
    SELECT (SELECT count(*) FILTER (WHERE seen_at > now() - make_interval(secs => ${bounds.workerTimeoutSeconds}))::int
              FROM worker_heartbeats) AS workers,
           (SELECT max(seen_at)::text FROM worker_heartbeats) AS last_seen,
           (SELECT count(*)::int FROM webhook_deliveries
             WHERE status = 'received' AND received_at < now() - make_interval(secs => ${bounds.deliveryWaitSeconds})) AS waiting,
           (SELECT extract(epoch FROM now() - min(received_at))::float8 FROM webhook_deliveries WHERE status = 'received') AS oldest_s`);
  const row = result.rows[0]!;
  return {
    workers: row.workers,
    lastSeen: row.last_seen,
    deliveriesWaiting: row.waiting,
    oldestWaitingSeconds: row.oldest_s === null ? null : Math.round(Number(row.oldest_s)),
  };
}
