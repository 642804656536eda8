import { isDatabaseUnavailable, isRetriableConflict } from "../../db/connection-errors";
import { onInboxStored } from "../../db/queue/inbox-signal";
import { claimPendingDeliveries, DEFAULT_CLAIM_BYTES, recordDeliveryAttempt } from "../../db/repositories/webhook-inbox-repository";
import { describeError } from "../../db/safe-error-text";
import type { TaskContext } from "../task-context";
import { loadShop, processClaimedDeliveries, processDeliveryById, type DeliveryOutcome } from "./delivery-processing";

export interface IntakeOptions {
  /**
   * Deliveries claimed per transaction at most (SWITCHYARD_INTAKE_BATCH, default 500). A batch holds
   * what is pending, so a quiet shop's are small; under a burst, what a batch costs whatever its
   * size (each level it locks and updates once, each statement, the commit) is spread over more
   * orders (bench:intake, 8,000 orders: ~1,240 orders/s at 100, ~1,420 at 500; docs/adr/0026).
   */
  batchSize: number;
  /** Stored bytes a batch reads at most past its first delivery (SWITCHYARD_INTAKE_BATCH_BYTES, default 64 MiB). */
  batchBytes?: number;
  /** How long an idle loop waits before looking again (SWITCHYARD_INTAKE_POLL_MS, default 50). */
  pollMs: number;
  /**
   * Loops per process, each claiming its own batches (SWITCHYARD_INTAKE_LOOPS, default 3). A
   * shop's batches take its levels one at a time; with three loops one holds them while another
   * waits for them with its orders already written and a third parses and matches, so a backlog
   * drains with both cores busy (bench:intake: ~890 → ~1,000 orders/s over two, docs/adr/0025).
   */
  loops: number;
  /** Attempts before a delivery whose processing keeps throwing is failed with an exception. */
  maxAttempts: number;
}

export function intakeOptions(env: Record<string, string | undefined> = process.env): IntakeOptions {
  const positive = (value: string | undefined, fallback: number) => {
    const n = Number(value);
    return Number.isSafeInteger(n) && n > 0 ? n : fallback;
  };
  return {
    batchSize: positive(env.SWITCHYARD_INTAKE_BATCH, 500),
    batchBytes: positive(env.SWITCHYARD_INTAKE_BATCH_BYTES, DEFAULT_CLAIM_BYTES),
    pollMs: positive(env.SWITCHYARD_INTAKE_POLL_MS, 50),
    loops: positive(env.SWITCHYARD_INTAKE_LOOPS, 3),
    maxAttempts: positive(env.SWITCHYARD_INTAKE_MAX_ATTEMPTS, 10),
  };
}

export interface BatchResult {
  claimed: number;
  outcomes: DeliveryOutcome[];
}

/**
 * Claims up to `batchSize` pending deliveries of one shop and processes them in one transaction
 * (delivery-processing.ts). If the batch throws for another reason than the database being away
 * or a deadlock (those leave everything pending and are simply claimed again), the deliveries are
 * taken apart and processed one by one, so one delivery that trips a bug costs only its own
 * attempt (counted, backed off, failed with an exception after maxAttempts), never the shop's inbox.
 */
export async function processInboxBatch(context: TaskContext, options: Pick<IntakeOptions, "batchSize" | "batchBytes" | "maxAttempts">): Promise<BatchResult> {
  let claimedIds: number[] = [];
  try {
    return await context.db.transaction(async (tx) => {
      const rows = await claimPendingDeliveries(tx, options.batchSize, options.batchBytes);
      claimedIds = rows.map((row) => row.id);
      if (rows.length === 0) return { claimed: 0, outcomes: [] };
      const outcomes = await processClaimedDeliveries(tx, context, rows, await loadShop(tx, rows[0]!.shopId));
      return { claimed: rows.length, outcomes };
    });
  } catch (error) {
    if (claimedIds.length === 0 || isDatabaseUnavailable(error) || isRetriableConflict(error)) throw error;
    const outcomes: DeliveryOutcome[] = [];
    for (const rowId of claimedIds) {
      try {
        const outcome = await processDeliveryById(context, rowId);
        if (outcome.delivery === "handled") outcomes.push({ ...outcome, rowId });
      } catch (single) {
        if (isDatabaseUnavailable(single)) throw single;
        // Lost a deadlock against another worker: still pending, claimed again shortly.
        if (isRetriableConflict(single)) continue;
        console.error(`[intake] delivery ${rowId} failed: ${describeError(single)}`);
        await recordDeliveryAttempt(context.db, rowId, describeError(single), options.maxAttempts);
      }
    }
    return { claimed: claimedIds.length, outcomes };
  }
}

export interface IntakeLoopHandle {
  /** Looks at the inbox now instead of at the next poll. */
  wake(): void;
  /** Lets the batch in flight finish, then stops. */
  stop(): Promise<void>;
}

/**
 * The worker's intake: `loops` loops, each claiming a batch, processing it, and claiming the next
 * at once while there is work; an idle loop sleeps `pollMs` or until woken (an ingress in the same
 * process signals every stored delivery at no database cost). No job and no NOTIFY per delivery:
 * docs/adr/0015 has the measurements.
 */
export function startIntakeLoop(context: TaskContext, options: IntakeOptions = intakeOptions()): IntakeLoopHandle {
  let stopping = false;
  const sleepers = new Set<() => void>();
  const wake = () => {
    for (const resolve of sleepers) resolve();
    sleepers.clear();
  };
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        sleepers.delete(done);
        resolve();
      }
      sleepers.add(done);
    });
  const unsubscribe = onInboxStored(wake);

  const loop = async () => {
    let failures = 0;
    while (!stopping) {
      try {
        const { claimed } = await processInboxBatch(context, options);
        failures = 0;
        if (claimed === 0) await sleep(options.pollMs);
      } catch (error) {
        failures++;
        if (!isRetriableConflict(error)) console.error(`[intake] batch failed: ${describeError(error)}`);
        await sleep(isRetriableConflict(error) ? 5 : Math.min(5_000, 100 * 2 ** Math.min(failures, 6)));
      }
    }
  };
  const running = Array.from({ length: options.loops }, loop);
  return {
    wake,
    stop: async () => {
      stopping = true;
      unsubscribe();
      wake();
      await Promise.all(running);
    },
  };
}
