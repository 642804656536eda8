import { sql } from "drizzle-orm";
import type { DbOrTx } from "../client";
import type { JobPayload, TaskName } from "./job-payloads";

export interface EnqueueOptions {
  /** De-duplicates: a second job with the same key replaces or joins the first. */
  jobKey?: string;
  /** replace (default): newest payload and run time win; preserve_run_at: coalesce a burst. */
  jobKeyMode?: "replace" | "preserve_run_at" | "unsafe_dedupe";
  runAt?: Date;
  maxAttempts?: number;
  queueName?: string;
  priority?: number;
}

/**
 * Adds a graphile-worker job through SQL on the caller's connection, so that when the
 * caller is inside a transaction the job commits or rolls back with the state change that
 * caused it (rule 4): a crash can lose neither.
 */
export async function enqueueJob<T extends TaskName>(
  db: DbOrTx,
  task: T,
  payload: JobPayload<T>,
  options: EnqueueOptions = {},
): Promise<void> {
  await db.execute(sql`
    SELECT graphile_worker.add_job(
      identifier => ${task}::text,
      payload => ${JSON.stringify(payload)}::json,
      queue_name => ${options.queueName ?? null}::text,
      run_at => ${options.runAt ? options.runAt.toISOString() : null}::timestamptz,
      max_attempts => ${options.maxAttempts ?? null}::int,
      job_key => ${options.jobKey ?? null}::text,
      priority => ${options.priority ?? null}::int,
      job_key_mode => ${options.jobKeyMode ?? "replace"}::text
    )`);
}
