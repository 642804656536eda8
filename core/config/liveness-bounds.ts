/**
 * How long things may go unseen before Switchyard acts, in seconds (issue 7: seconds, not the
 * four hours graphile-worker waits by itself). Read from the environment so tests and the chaos
 * bench can shrink them:
 *  - SWITCHYARD_WORKER_TIMEOUT_S: a worker whose heartbeat is older is dead; its jobs are unlocked.
 *  - SWITCHYARD_DELIVERY_WAIT_S: a delivery stored longer ago and still unprocessed makes /healthz 503.
 * Heartbeats and sweeps run three times per timeout, so one missed beat never kills a live worker.
 */
export interface LivenessBounds {
  workerTimeoutSeconds: number;
  deliveryWaitSeconds: number;
  heartbeatMs: number;
  sweepMs: number;
}

export const DEFAULT_WORKER_TIMEOUT_S = 30;
export const DEFAULT_DELIVERY_WAIT_S = 120;

export function livenessBounds(env: Record<string, string | undefined> = process.env): LivenessBounds {
  const workerTimeoutSeconds = positiveNumber(env.SWITCHYARD_WORKER_TIMEOUT_S, DEFAULT_WORKER_TIMEOUT_S);
  const deliveryWaitSeconds = positiveNumber(env.SWITCHYARD_DELIVERY_WAIT_S, DEFAULT_DELIVERY_WAIT_S);
  const beat = Math.max(200, Math.min(10_000, Math.floor((workerTimeoutSeconds * 1000) / 3)));
  return { workerTimeoutSeconds, deliveryWaitSeconds, heartbeatMs: beat, sweepMs: beat };
}

function positiveNumber(value: string | undefined, fallback: number): number {
  const parsed = Number(value);
  return value !== undefined && value.trim() !== "" && Number.isFinite(parsed) && parsed > 0 ? parsed : fallback;
}
