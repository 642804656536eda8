import { json } from "@remix-run/node";
import { readHealth } from "../../db/queries/health-queries";
import { getDatabase } from "../db.server";
import packageJson from "../../package.json";

/**
 * GET /healthz — 200 when the database answers and a worker is alive, 503 otherwise, with
 * {db, worker, version} either way so a probe's log says which part is down.
 */
export const loader = async () => {
  const version = packageJson.version;
  try {
    const health = await readHealth(getDatabase());
    const worker = health.workers > 0 ? "ok" : "down";
    return json(
      { db: "ok", worker, version, workers: health.workers, workerLastSeen: health.lastSeen },
      { status: worker === "ok" ? 200 : 503, headers: { "Cache-Control": "no-store" } },
    );
  } catch (error) {
    return json(
      { db: "down", worker: "unknown", version, error: (error as Error).message },
      { status: 503, headers: { "Cache-Control": "no-store" } },
    );
  }
};
