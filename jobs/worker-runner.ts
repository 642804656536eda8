import { EventEmitter } from "node:events";
import { randomUUID } from "node:crypto";
import os from "node:os";
import { Logger, parseCrontab, run, type Runner, type Task, type TaskList, type WorkerEvents } from "graphile-worker";
import { livenessBounds, type LivenessBounds } from "../core/config/liveness-bounds";
import type { Database } from "../db/client";
import { describeError, safeErrorText } from "../db/safe-error-text";
import { forgetWorker, recordHeartbeat, unlockJobsOf, unlockJobsOfDeadWorkers } from "../db/repositories/worker-liveness-repository";
import { buildTaskList, CRONTAB } from "./task-list";
import { listenForInboxWakes } from "../db/queue/inbox-wake-channel";
import { intakeOptions, startIntakeLoop, type IntakeOptions } from "./intake/intake-loop";
import type { TaskContext } from "./task-context";
import type { ChannelConnectors } from "../connectors/channel-connectors";

export interface WorkerHandle {
  /** The graphile-worker runner currently running (replaced after a database outage). */
  readonly runner: Runner;
  /** Runs the sweeper once now (tests; it also runs on start and on a schedule). */
  sweep(): Promise<string[]>;
  stop(): Promise<void>;
}

/**
 * Runs graphile-worker with our task list and crontab, and keeps it honest about liveness:
 *  - the intake loop claims the webhook inbox in batches (jobs/intake/intake-loop.ts);
 *  - a heartbeat row (read by /healthz and by every other worker's sweeper) names the ids this
 *    process's job slots lock jobs with;
 *  - a sweeper, on start and every few seconds, unlocks jobs held by ids no live heartbeat names
 *    for longer than SWITCHYARD_WORKER_TIMEOUT_S (a worker killed with -9): their deliveries are
 *    processed within seconds, exactly once (processing is idempotent under the delivery's lock);
 *  - a job slot that graphile-worker retires because the database vanished while it was
 *    finishing a job ("committing seppuku") is replaced by restarting the runner once the
 *    database is back, and the job it held is unlocked at once.
 */
export async function startWorker(options: {
  connectionString: string;
  db: Database;
  /** The channel modules, from the composition root (server/channel-modules.ts). */
  connectors: ChannelConnectors;
  concurrency?: number;
  context?: Partial<TaskContext>;
  quiet?: boolean;
  bounds?: LivenessBounds;
  /** Run the crontab (default true); extra worker processes of the chaos bench may leave it to one. */
  cron?: boolean;
  /**
   * Job slots that run nothing but the stock sync (default 1), polling for due runs every
   * STOCK_SYNC_POLL_MS: a change is on the channels a hold after it even while every other slot
   * is busy with an order backlog. The other slots run stock syncs too.
   */
  stockSyncSlots?: number;
  /** The inbox's intake loop (default: on, sized by SWITCHYARD_INTAKE_*); false leaves the inbox to other workers. */
  intake?: Partial<IntakeOptions> | false;
}): Promise<WorkerHandle> {
  const bounds = options.bounds ?? livenessBounds();
  const context: TaskContext = { db: options.db, connectors: options.connectors, ...options.context };
  const taskList = withSafeErrors(buildTaskList(context));
  const workerId = `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const logger = options.quiet ? quietLogger : safeLogger;
  const liveSlots = new Set<string>();
  const retiredSlots = new Set<string>();
  let stopping = false;
  let restarting: Promise<void> | undefined;

  const events = new EventEmitter() as WorkerEvents;
  events.on("worker:create", ({ worker }) => {
    liveSlots.add(worker.workerId);
  });
  const retire = ({ worker }: { worker: { workerId: string } }) => {
    if (!liveSlots.delete(worker.workerId) || stopping) return;
    retiredSlots.add(worker.workerId);
    void restart();
  };
  events.on("worker:fatalError", retire);
  events.on("worker:stop", retire);

  const start = () =>
    run({
      connectionString: options.connectionString,
      concurrency: options.concurrency ?? 4,
      noHandleSignals: true,
      pollInterval: 1000,
      taskList,
      parsedCronItems: options.cron === false ? [] : parseCrontab(CRONTAB),
      events,
      logger,
    });

  const stockSyncSlots = options.stockSyncSlots ?? 1;
  // Stock sync runs are queued a hold ahead (not notified when due): found by polling, so poll often.
  const startStockSync = () =>
    run({
      connectionString: options.connectionString,
      concurrency: stockSyncSlots,
      noHandleSignals: true,
      pollInterval: STOCK_SYNC_POLL_MS,
      taskList: { "inventory/sync": taskList["inventory/sync"]! },
      parsedCronItems: [],
      events,
      logger,
    });
  /** Both runners, or neither: a half-started pair is stopped before the error is thrown. */
  const startAll = async (): Promise<[Runner, Runner | undefined]> => {
    const main = await start();
    try {
      return [main, stockSyncSlots > 0 ? await startStockSync() : undefined];
    } catch (error) {
      await withinMs(main.stop(), STOP_GRACE_MS);
      throw error;
    }
  };

  let [runner, stockSyncRunner] = await startAll();

  /** One restart at a time; retried with backoff while the database is still away. */
  function restart(): Promise<void> {
    restarting ??= (async () => {
      const old = runner;
      if (stockSyncRunner) await withinMs(stockSyncRunner.stop(), STOP_GRACE_MS);
      // The old runner's pool may be broken: give its graceful stop a bound, not forever.
      await withinMs(old.stop(), STOP_GRACE_MS);
      for (let attempt = 0; !stopping; attempt++) {
        try {
          [runner, stockSyncRunner] = await startAll();
          console.error(`[worker] job slots restarted after a database outage (${retiredSlots.size} retired)`);
          return;
        } catch (error) {
          await delay(Math.min(5000, 250 * 2 ** attempt));
          if (attempt % 8 === 7) console.error(`[worker] still waiting for the database: ${describeError(error)}`);
        }
      }
    })().finally(() => {
      restarting = undefined;
    });
    return restarting;
  }

  const beat = async () => {
    try {
      await recordHeartbeat(options.db, workerId, [...liveSlots]);
      if (retiredSlots.size > 0) {
        const ids = [...retiredSlots];
        await unlockJobsOf(options.db, ids);
        for (const id of ids) retiredSlots.delete(id);
      }
    } catch (error) {
      console.error(`[worker] heartbeat failed: ${describeError(error)}`);
    }
  };
  const sweep = async (): Promise<string[]> => {
    try {
      const unlocked = await unlockJobsOfDeadWorkers(options.db, bounds.workerTimeoutSeconds);
      if (unlocked.length > 0) console.error(`[worker] unlocked the jobs of ${unlocked.length} dead worker slot(s): ${unlocked.join(", ")}`);
      return unlocked;
    } catch (error) {
      console.error(`[worker] sweep failed: ${describeError(error)}`);
      return [];
    }
  };

  await beat();
  await sweep();
  // Deliveries are claimed from the inbox in batches by this loop, not by a job per delivery.
  const intake = options.intake === false ? undefined : startIntakeLoop(context, { ...intakeOptions(), ...options.intake });
  // Web processes elsewhere NOTIFY (throttled) when they store deliveries: claim at once.
  const wakes = intake ? listenForInboxWakes(options.connectionString, () => intake.wake()) : undefined;
  const heartbeatTimer = setInterval(() => void beat(), bounds.heartbeatMs);
  const sweepTimer = setInterval(() => void sweep(), bounds.sweepMs);
  heartbeatTimer.unref();
  sweepTimer.unref();

  return {
    get runner() {
      return runner;
    },
    sweep,
    stop: async () => {
      stopping = true;
      await withinMs(wakes?.stop() ?? Promise.resolve(), STOP_GRACE_MS);
      await withinMs(intake?.stop() ?? Promise.resolve(), STOP_GRACE_MS);
      clearInterval(heartbeatTimer);
      clearInterval(sweepTimer);
      await withinMs(restarting ?? Promise.resolve(), STOP_GRACE_MS);
      await withinMs(runner.stop(), STOP_GRACE_MS);
      if (stockSyncRunner) await withinMs(stockSyncRunner.stop(), STOP_GRACE_MS);
      await forgetWorker(options.db, workerId).catch(() => {});
    },
  };
}

/**
 * A task's error becomes graphile-worker's log line and the job's last_error column: neither may
 * hold the SQL parameters Drizzle puts in its messages (whole customer payloads).
 */
function withSafeErrors(tasks: TaskList): TaskList {
  return Object.fromEntries(
    Object.entries(tasks).map(([name, task]) => [
      name,
      (async (payload, helpers) => {
        try {
          return await (task as Task)(payload, helpers);
        } catch (error) {
          const safe = new Error(describeError(error));
          (safe as Error & { code?: unknown }).code = (error as { code?: unknown }).code ?? ((error as { cause?: { code?: unknown } }).cause?.code);
          throw safe;
        }
      }) as Task,
    ]),
  );
}

/** How often the stock sync's own slots look for a due run (each look is one indexed query). */
const STOCK_SYNC_POLL_MS = 200;

/** How long a stop waits for running jobs to finish before it gives up on them (they are retried). */
const STOP_GRACE_MS = 15_000;

async function withinMs(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([work.catch(() => {}), new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

function delay(ms: number) {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

const safeLogger = new Logger((scope) => (level, message) => {
  const line = `[worker${scope.label ? `:${scope.label}` : ""}] ${safeErrorText(message)}`;
  if (level === "error") console.error(line);
  else if (level === "warning") console.warn(line);
  else if (level === "info") console.log(line);
});

const quietLogger = new Logger(() => (level, message) => {
  if (level === "error") console.error(`[worker] ${safeErrorText(message)}`);
});
