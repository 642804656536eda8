import { sql } from "drizzle-orm";
import type { DbOrTx } from "../client";
import type { ImportCountsMap, ImportProgressMap, ImportRunStatus } from "../schema";

/** The latest import of a connection as the Channels page shows it (dates as ISO strings). */
export interface ImportRunView {
  id: string;
  connectionId: string;
  status: ImportRunStatus;
  progress: ImportProgressMap;
  counts: ImportCountsMap;
  error: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  createdAt: string;
}

/** The newest import run of each connection of the shop, keyed by connection id. */
export async function latestImportRunsByConnection(db: DbOrTx, shopId: string): Promise<Record<string, ImportRunView>> {
  const result = await db.execute<{
    id: string;
    connection_id: string;
    status: ImportRunStatus;
    progress: ImportProgressMap;
    counts: ImportCountsMap;
    error: string | null;
    started_at: Date | string | null;
    finished_at: Date | string | null;
    created_at: Date | string;
  }>(sql`
    SELECT DISTINCT ON (connection_id) id, connection_id, status, progress, counts, error, started_at, finished_at, created_at
      FROM import_runs
     WHERE shop_id = ${shopId}
     ORDER BY connection_id, created_at DESC`);
  const iso = (value: Date | string | null) => (value === null ? null : new Date(value).toISOString());
  return Object.fromEntries(
    result.rows.map((row) => [
      row.connection_id,
      {
        id: row.id,
        connectionId: row.connection_id,
        status: row.status,
        progress: row.progress ?? {},
        counts: row.counts ?? {},
        error: row.error,
        startedAt: iso(row.started_at),
        finishedAt: iso(row.finished_at),
        createdAt: iso(row.created_at)!,
      },
    ]),
  );
}
