import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setDatabaseForTests } from "../../app/db.server";
import { loader as healthz } from "../../app/routes/healthz";
import { createDatabaseClient, type DatabaseClient } from "../../db/client";
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from "../../db/embedded-postgres";
import { ensureDatabaseExists, migrateDatabase } from "../../db/migrate";
import { startWorker, type WorkerHandle } from "../../jobs/worker-runner";
import { channelConnectors } from "../../server/channel-modules";
import { waitUntil } from "../helpers/wait-until";
import { postOrder, streamOutcome, streamShop } from "./order-stream-fixtures";
import { freePort } from "../../server/free-port";

/**
 * Issue 7 "One lost database connection kills the whole app": kill -9 of the postmaster while
 * webhooks arrive. Now the app answers 503 while the database is away (the channel retries),
 * the supervisor starts PostgreSQL again, the pools reconnect, /healthz recovers by itself,
 * and every acknowledged delivery becomes exactly one order.
 */
const BOUNDS = { workerTimeoutSeconds: 2, deliveryWaitSeconds: 30, heartbeatMs: 300, sweepMs: 300 };
const DEADLINE_MS = 60_000;

let cluster: EmbeddedPostgresHandle;
let client: DatabaseClient;
let worker: WorkerHandle | undefined;
const dataDir = path.resolve(".data", `db-loss-test-${process.pid}`);

beforeAll(async () => {
  // Not `fresh`: a fresh cluster runs with synchronous_commit=off, which may lose acknowledged
  // commits when the server is killed; this test is about exactly that, so it runs durable.
  fs.rmSync(dataDir, { recursive: true, force: true });
  cluster = await startEmbeddedPostgres({ dataDir, port: await freePort(), supervise: true });
  await ensureDatabaseExists(cluster.adminUrl, "switchyard");
  const url = cluster.urlFor("switchyard");
  await migrateDatabase(url);
  client = createDatabaseClient(url, { max: 8 });
  setDatabaseForTests(client.db);
  worker = await startWorker({ connectionString: url, db: client.db, connectors: channelConnectors(client.db), concurrency: 2, quiet: true, bounds: BOUNDS });
});

afterAll(async () => {
  await worker?.stop();
  setDatabaseForTests(undefined);
  await client?.close();
  await cluster?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe("PostgreSQL killed mid-stream", () => {
  it("answers 503 while it is away, recovers on its own and loses no acknowledged delivery", async () => {
    const shop = await streamShop(client.db);
    const total = 40;
    const statuses: number[] = [];
    let killedPid: number | undefined;

    for (let n = 0; n < total; n++) {
      if (n === 12) {
        killedPid = cluster.postmasterPid();
        process.kill(killedPid!, "SIGKILL");
      }
      // As Shopify does: a delivery not answered 200 is sent again (here at once, then every 200 ms).
      const status = await waitUntil(`delivery ${n} acknowledged`, async () => {
        const answer = await postOrder(shop.domain, n).catch(() => 599);
        statuses.push(answer);
        return answer === 200 ? answer : undefined;
      }, DEADLINE_MS, 200);
      expect(status).toBe(200);
    }

    expect(cluster.postmasterPid()).not.toBe(killedPid);
    // While the database was away the ingress said "try again", never "stored".
    expect(statuses.filter((s) => s !== 200).every((s) => s === 503)).toBe(true);
    expect(statuses.some((s) => s === 503)).toBe(true);

    const outcome = await waitUntil("every acknowledged delivery is an order", async () => {
      const now = await streamOutcome(client.db, shop.id);
      return now.waiting === 0 && now.orders === total ? now : undefined;
    }, DEADLINE_MS, 200);
    expect(outcome).toEqual({ orders: total, duplicated: 0, waiting: 0, ledgerMismatches: 0 });

    const health = await waitUntil("/healthz is 200 again", async () => {
      const response = await healthz();
      return response.status === 200 ? response.json() : undefined;
    }, DEADLINE_MS, 200);
    expect(health).toMatchObject({ db: "ok", worker: "ok", deliveries: "ok" });
  });
});

