import { json } from "@remix-run/node";
import { livenessBounds } from "../../core/config/liveness-bounds";
import { readHealth } from "../../db/queries/health-queries";
import { getDatabase } from "../db.server";
import packageJson from "../../package.json";

/**
 * GET /healthz — 200 when the database answers, a worker is alive and no delivery has waited
 * longer than the bound (SWITCHYARD_DELIVERY_WAIT_S); 503 otherwise, with {db, worker,
 * deliveries, version} so a probe's log says which part is down. Never internals: a database
 * error is logged here and shown only as "down".
 */
export const loader = async () => {
  const version = packageJson.version;
  const bounds = livenessBounds();
  const headers = { "Cache-Control": "no-store" };
  try {
    const health = await readHealth(getDatabase(), bounds);
    const worker = health.workers > 0 ? "ok" : "down";
    const deliveries = health.deliveriesWaiting > 0 ? "stuck" : "ok";
    return json(
      {
        db: "ok",
        worker,
        deliveries,
        version,
        workers: health.workers,
        workerLastSeen: health.lastSeen,
        deliveriesWaitingBeyondBound: health.deliveriesWaiting,
        oldestWaitingSeconds: health.oldestWaitingSeconds,
        boundSeconds: bounds.deliveryWaitSeconds,
      },
      { status: worker === "ok" && deliveries === "ok" ? 200 : 503, headers },
    );
  } catch (error) {
    console.error(`[healthz] database check failed: ${(error as Error & { code?: string }).code ?? (error as Error).name}`);
    return json({ db: "down", worker: "unknown", deliveries: "unknown", version }, { status: 503, headers });
  }
};
