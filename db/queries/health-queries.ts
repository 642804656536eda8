import { sql } from "drizzle-orm";
import type { DbOrTx } from "../client";

/** Database reachable, and whether any worker has written a heartbeat recently. */
export async function readHealth(db: DbOrTx, workerFreshSeconds = 30) {
  const result = await db.execute<{ workers: number; last_seen: string | null }>(sql`
    SELECT count(*) FILTER (WHERE seen_at > now() - make_interval(secs => ${workerFreshSeconds}))::int AS workers,
           max(seen_at)::text AS last_seen
      FROM worker_heartbeats`);
  const row = result.rows[0]!;
  return { workers: row.workers, lastSeen: row.last_seen };
}
