import { spawn, type ChildProcess } from "node:child_process";
import { eq, sql } from "drizzle-orm";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setDatabaseForTests } from "../../app/db.server";
import { loader as healthz } from "../../app/routes/healthz";
import { unlockJobsOfDeadWorkers } from "../../db/repositories/worker-liveness-repository";
import { webhookDeliveries } from "../../db/schema";
import { startWorker, type WorkerHandle } from "../../jobs/worker-runner";
import { channelConnectors } from "../../server/channel-modules";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";
import { waitUntil } from "../helpers/wait-until";
import { postOrder, streamOutcome, streamShop } from "./order-stream-fixtures";

/**
 * Issue 7 "Deliveries stuck for four hours": a worker killed with -9 left its jobs locked, and
 * graphile-worker waits four hours before taking them back. Now every worker's sweeper unlocks
 * the jobs of a worker unseen for SWITCHYARD_WORKER_TIMEOUT_S (2 s here).
 */
const BOUNDS = { workerTimeoutSeconds: 2, deliveryWaitSeconds: 30, heartbeatMs: 300, sweepMs: 300 };
/** What the test waits for at most: the bound plus a worker's start-up on a loaded machine, far below four hours. */
const DEADLINE_MS = 45_000;

let database: TestDatabase;
const children: ChildProcess[] = [];
const workers: WorkerHandle[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  setDatabaseForTests(database.db);
});
afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
  for (const worker of workers) await worker.stop();
  setDatabaseForTests(undefined);
});

describe("the sweeper", () => {
  it("unlocks only jobs held by ids no fresh heartbeat names, and only past the timeout", async () => {
    const { db } = database;
    await db.execute(sql`INSERT INTO worker_heartbeats (worker_id, seen_at, lock_ids) VALUES ('alive', now(), '{live-slot}'), ('gone', now() - interval '1 hour', '{dead-slot}')`);
    await db.execute(sql`SELECT graphile_worker.add_job('maintenance:prune-inbox', '{}'::json, job_key => 'sweeper-live')`);
    await db.execute(sql`SELECT graphile_worker.add_job('maintenance:prune-inbox', '{}'::json, job_key => 'sweeper-dead')`);
    await db.execute(sql`SELECT graphile_worker.add_job('maintenance:prune-inbox', '{}'::json, job_key => 'sweeper-fresh')`);
    await db.execute(sql`UPDATE graphile_worker._private_jobs SET locked_by = 'live-slot', locked_at = now() - interval '1 hour' WHERE key = 'sweeper-live'`);
    await db.execute(sql`UPDATE graphile_worker._private_jobs SET locked_by = 'dead-slot', locked_at = now() - interval '1 hour' WHERE key = 'sweeper-dead'`);
    // Locked a moment ago by a slot started after the last heartbeat: not yet suspicious.
    await db.execute(sql`UPDATE graphile_worker._private_jobs SET locked_by = 'new-slot', locked_at = now() WHERE key = 'sweeper-fresh'`);

    expect(await unlockJobsOfDeadWorkers(db, 30)).toEqual(["dead-slot"]);
    const locks = await db.execute<{ key: string; locked_by: string | null }>(sql`SELECT key, locked_by FROM graphile_worker.jobs WHERE key LIKE 'sweeper-%' ORDER BY key`);
    expect(locks.rows).toEqual([
      { key: "sweeper-dead", locked_by: null },
      { key: "sweeper-fresh", locked_by: "new-slot" },
      { key: "sweeper-live", locked_by: "live-slot" },
    ]);
    await db.execute(sql`DELETE FROM graphile_worker._private_jobs WHERE key LIKE 'sweeper-%'`);
    await db.execute(sql`DELETE FROM worker_heartbeats`);
  });
});

describe("a worker process killed with SIGKILL mid-stream", () => {
  it("loses nothing: every acknowledged delivery becomes exactly one order within the bound", async () => {
    const { db } = database;
    const shop = await streamShop(db);
    const child = spawnWorker();
    await waitUntil("the worker process heartbeats", async () => (await db.execute(sql`SELECT 1 FROM worker_heartbeats`)).rows.length > 0, DEADLINE_MS);

    const total = 30;
    let acked = 0;
    for (let n = 0; n < total / 2; n++) if ((await postOrder(shop.domain, n)) === 200) acked++;

    // Hold one delivery's row so the worker is certainly mid-job on it when it dies.
    const [held] = await db.select({ id: webhookDeliveries.id }).from(webhookDeliveries).where(eq(webhookDeliveries.deliveryId, `orders/create:stream-${shop.domain}-${total / 2 - 1}`));
    const blocker = new pg.Client({ connectionString: database.url });
    await blocker.connect();
    await blocker.query("BEGIN");
    await blocker.query("SELECT id FROM webhook_deliveries WHERE id = $1 FOR UPDATE", [held!.id]);
    await waitUntil(
      "the worker takes the held delivery's job",
      async () => (await db.execute(sql`SELECT 1 FROM graphile_worker.jobs WHERE key = ${`delivery:${held!.id}`} AND locked_by IS NOT NULL`)).rows.length > 0,
      DEADLINE_MS,
    );
    for (let n = total / 2; n < total; n++) if ((await postOrder(shop.domain, n)) === 200) acked++;

    child.kill("SIGKILL");
    await new Promise((resolve) => child.once("exit", resolve));
    await blocker.query("ROLLBACK");
    await blocker.end();
    expect(acked).toBe(total);

    // A new worker comes up (as a supervisor or the next deploy would start one) and sweeps.
    workers.push(await startWorker({ connectionString: database.url, db, connectors: channelConnectors(db), concurrency: 2, quiet: true, bounds: BOUNDS }));
    const outcome = await waitUntil(
      "every acknowledged delivery is an order",
      async () => {
        const now = await streamOutcome(db, shop.id);
        return now.waiting === 0 && now.orders === total ? now : undefined;
      },
      DEADLINE_MS,
    );
    expect(outcome).toEqual({ orders: total, duplicated: 0, waiting: 0, ledgerMismatches: 0 });
    const health = await healthz();
    expect(await health.json()).toMatchObject({ deliveries: "ok", worker: "ok" });
  });
});

function spawnWorker(): ChildProcess {
  const child = spawn(process.execPath, ["--import", "tsx", "server/worker.ts"], {
    env: { ...process.env, DATABASE_URL: database.url, WORKER_CONCURRENCY: "2", SWITCHYARD_WORKER_TIMEOUT_S: String(BOUNDS.workerTimeoutSeconds) },
    stdio: ["ignore", "ignore", "pipe"],
  });
  child.stderr?.on("data", () => {});
  children.push(child);
  return child;
}
