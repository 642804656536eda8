import { randomUUID } from "node:crypto";
import os from "node:os";
import { Logger, parseCrontab, run, type Runner } from "graphile-worker";
import { sql } from "drizzle-orm";
import type { Database } from "../db/client";
import { buildTaskList, CRONTAB } from "./task-list";
import type { TaskContext } from "./task-context";
import type { ChannelConnectors } from "../connectors/channel-connectors";

export interface WorkerHandle {
  runner: Runner;
  stop(): Promise<void>;
}

const HEARTBEAT_MS = 10_000;

/**
 * Runs graphile-worker against the database with our task list and crontab, and writes a
 * heartbeat row that /healthz reads (so health is right even when the worker runs on
 * another machine than the app).
 */
export async function startWorker(options: {
  connectionString: string;
  db: Database;
  /** The channel modules, from the composition root (server/channel-modules.ts). */
  connectors: ChannelConnectors;
  concurrency?: number;
  context?: Partial<TaskContext>;
  quiet?: boolean;
}): Promise<WorkerHandle> {
  const context: TaskContext = { db: options.db, connectors: options.connectors, ...options.context };
  const runner = await run({
    connectionString: options.connectionString,
    concurrency: options.concurrency ?? 4,
    noHandleSignals: true,
    pollInterval: 1000,
    taskList: buildTaskList(context),
    parsedCronItems: parseCrontab(CRONTAB),
    ...(options.quiet ? { logger: quietLogger } : {}),
  });
  const workerId = `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const beat = () =>
    options.db
      .execute(sql`INSERT INTO worker_heartbeats (worker_id, seen_at) VALUES (${workerId}, now())
                   ON CONFLICT (worker_id) DO UPDATE SET seen_at = now()`)
      .catch((error: Error) => console.error("[worker] heartbeat failed:", error.message));
  await beat();
  const timer = setInterval(beat, HEARTBEAT_MS);
  timer.unref();
  return {
    runner,
    stop: async () => {
      clearInterval(timer);
      await runner.stop();
      await options.db.execute(sql`DELETE FROM worker_heartbeats WHERE worker_id = ${workerId}`).catch(() => {});
    },
  };
}


const quietLogger = new Logger(() => (level, message) => {
  if (level === "error") console.error(`[worker] ${message}`);
});
