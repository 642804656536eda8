import { spawn, type ChildProcess } from "node:child_process";
import { sql } from "drizzle-orm";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setDatabaseForTests } from "../../app/db.server";
import { loader as healthz } from "../../app/routes/healthz";
import { unlockJobsOfDeadWorkers } from "../../db/repositories/worker-liveness-repository";
import { startWorker, type WorkerHandle } from "../../jobs/worker-runner";
import { channelConnectors } from "../../server/channel-modules";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";
import { waitUntil } from "../helpers/wait-until";
import { postOrder, streamOutcome, streamShop } from "./order-stream-fixtures";
import { webhookSecret } from "../../app/config/demo-mode.server";
import { signShopifyWebhook } from "../../connectors/shopify/webhook-signature";
import { orderWebhookPayload } from "../fixtures/shopify/webhooks/shopify-webhook-requests";
import { freePort } from "../../server/free-port";

/**
 * Issue 7 "Deliveries stuck for four hours": a worker killed with -9 left its jobs locked, and
 * graphile-worker waits four hours before taking them back. Now every worker's sweeper unlocks
 * the jobs of a worker unseen for SWITCHYARD_WORKER_TIMEOUT_S (2 s here); and deliveries are no
 * jobs at all: the intake claims them with row locks inside its transaction (docs/adr/0013), so
 * a killed worker's claim ends with its connection and the batch is simply claimed again.
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

describe("a worker process killed with SIGKILL mid-batch", () => {
  it("loses nothing: the batch is redone by another worker and every acknowledged delivery becomes exactly one order", { timeout: 90_000 }, async () => {
    const { db } = database;
    const shop = await streamShop(db);
    const total = 30;
    let acked = 0;
    // Hold the shop's stock rows so the worker's batch stops mid-transaction (its claim taken,
    // waiting to lock the levels) and is certainly in flight when it dies.
    const blocker = new pg.Client({ connectionString: database.url });
    await blocker.connect();
    await blocker.query("BEGIN");
    await blocker.query("SELECT id FROM inventory_levels WHERE shop_id = $1 FOR UPDATE", [shop.id]);

    for (let n = 0; n < total / 2; n++) if ((await postOrder(shop.domain, n)) === 200) acked++;
    const child = spawnWorker();
    const workerPid = await waitUntil(
      "the worker's batch waits on the held stock rows",
      async () =>
        (
          await db.execute<{ pid: number }>(
            sql`SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query ILIKE '%from%inventory_levels%' AND pid <> pg_backend_pid()`,
          )
        ).rows[0]?.pid,
      DEADLINE_MS,
    );
    for (let n = total / 2; n < total; n++) if ((await postOrder(shop.domain, n)) === 200) acked++;

    child.kill("SIGKILL");
    await new Promise((resolve) => child.once("exit", resolve));
    await blocker.query("ROLLBACK");
    await blocker.end();
    // The dead worker's session notices its client is gone once its lock wait ends, and its
    // transaction rolls back: a transaction without its client can never commit.
    await waitUntil("the killed worker's session is gone", async () => (await db.execute(sql`SELECT 1 FROM pg_stat_activity WHERE pid = ${workerPid}`)).rows.length === 0, DEADLINE_MS);
    expect((await streamOutcome(db, shop.id)).orders).toBe(0);
    expect(acked).toBe(total);

    // A new worker comes up (as a supervisor or the next deploy would start one) and claims the batch again.
    workers.push(await startWorker({ connectionString: database.url, db, connectors: channelConnectors(db), concurrency: 2, quiet: true, bounds: BOUNDS }));
    await expectEveryOrderOnce(shop.id, total);
    const health = await healthz();
    expect(await health.json()).toMatchObject({ deliveries: "ok", worker: "ok" });
    // Stopped, so the next test's deliveries are processed by its own worker processes only.
    await workers.pop()!.stop();
  });
});

describe("two web and two worker processes on one database", () => {
  it("process every delivery exactly once while orders and redeliveries stream in", { timeout: 90_000 }, async () => {
    const { db } = database;
    const shop = await streamShop(db);
    const webPorts = [await freePort(), await freePort()];
    for (const port of webPorts) spawnProcess("bench/webhook-ingress-server.ts", { BENCH_WEB_PORT: String(port) });
    spawnWorker();
    spawnWorker();
    await waitUntil("both worker processes heartbeat", async () => (await db.execute(sql`SELECT 1 FROM worker_heartbeats WHERE seen_at > now() - interval '2 seconds'`)).rows.length >= 2, DEADLINE_MS);
    for (const port of webPorts) await waitUntil(`the web process on ${port}`, async () => (await fetch(`http://127.0.0.1:${port}/`).catch(() => undefined))?.status === 404, DEADLINE_MS);

    const total = 80;
    // Four senders over both web processes; a tenth of the orders delivered twice (a new event id), to the other one.
    const post = (n: number, eventId: string, port: number) => {
      const body = JSON.stringify(orderWebhookPayload({ id: String(7_000_000 + 1000 + n), name: `#W${n}` }));
      return fetch(`http://127.0.0.1:${port}/webhooks/orders/create`, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-Shopify-Topic": "orders/create", "X-Shopify-Shop-Domain": shop.domain, "X-Shopify-Event-Id": eventId, "X-Shopify-Hmac-Sha256": signShopifyWebhook(body, webhookSecret()) },
        body,
      }).then((response) => response.status);
    };
    const sent = await Promise.all(
      Array.from({ length: 4 }, async (_, sender) => {
        let ok = 0;
        for (let n = sender; n < total; n += 4) {
          if ((await post(n, `web-${n}`, webPorts[n % 2]!)) === 200) ok++;
          if (n % 10 === 0 && (await post(n, `web-${n}-again`, webPorts[(n + 1) % 2]!)) === 200) ok++;
        }
        return ok;
      }),
    );
    expect(sent.reduce((a, b) => a + b, 0)).toBe(total + total / 10);

    await expectEveryOrderOnce(shop.id, total);
    const statuses = await db.execute<{ status: string; n: number }>(sql`SELECT status, count(*)::int AS n FROM webhook_deliveries WHERE shop_id = ${shop.id} GROUP BY status ORDER BY status`);
    expect(statuses.rows).toEqual([
      { status: "ignored_stale", n: total / 10 },
      { status: "processed", n: total },
    ]);
  });
});

/** Every order of the stream exists once, was received once, and the ledger holds. */
async function expectEveryOrderOnce(shopId: string, total: number) {
  const { db } = database;
  const outcome = await waitUntil(
    "every acknowledged delivery is an order",
    async () => {
      const now = await streamOutcome(db, shopId);
      return now.waiting === 0 && now.orders === total ? now : undefined;
    },
    DEADLINE_MS,
  );
  expect(outcome).toEqual({ orders: total, duplicated: 0, waiting: 0, ledgerMismatches: 0 });
  const receivedTwice = await db.execute(sql`SELECT order_id FROM order_events WHERE shop_id = ${shopId} AND kind = 'received' GROUP BY order_id HAVING count(*) > 1`);
  expect(receivedTwice.rows).toEqual([]);
}

function spawnWorker(): ChildProcess {
  return spawnProcess("server/worker.ts", { WORKER_CONCURRENCY: "2", SWITCHYARD_WORKER_TIMEOUT_S: String(BOUNDS.workerTimeoutSeconds) });
}

function spawnProcess(script: string, env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, ["--import", "tsx", script], {
    env: { ...process.env, DATABASE_URL: database.url, ...env },
    stdio: ["ignore", "ignore", "pipe"],
  });
  child.stderr?.on("data", () => {});
  children.push(child);
  return child;
}

