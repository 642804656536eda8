import { spawn, type ChildProcess } from "node:child_process";
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWooCommerceSandbox, type WooCommerceSandbox } from "../../connectors/woocommerce/sandbox/woocommerce-sandbox.server";
import { credentialCipher } from "../../db/crypto/encryption-key";
import { adjustInventory } from "../../db/repositories/inventory-repository";
import { startWorker, type WorkerHandle } from "../../jobs/worker-runner";
import { channelConnectors } from "../../server/channel-modules";
import { createConnection, createListing } from "../helpers/channel-fixtures";
import { createLocation, createShop, createVariant, receive } from "../helpers/ledger-fixtures";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";
import { waitUntil } from "../helpers/wait-until";

/**
 * A worker process killed with SIGKILL in the middle of a stock push loses no change: its job
 * stays locked until another worker's sweeper takes it back, the dirty rows it read are still
 * there (they leave only once a push settled), and the next run pushes the newest figure,
 * including a sale made while the dead worker's call hung. Real processes, the real WooCommerce
 * module and sandbox; a gate in front of the sandbox holds the first push so the kill lands
 * mid-call, then drops it unanswered.
 */
const BOUNDS = { workerTimeoutSeconds: 2, deliveryWaitSeconds: 30, heartbeatMs: 300, sweepMs: 300 };
const DEADLINE_MS = 45_000;
const KEYS = { consumerKey: "ck_kill_test", consumerSecret: "cs_kill_test" };

let database: TestDatabase;
let woo: WooCommerceSandbox;
let gate: Server;
let gateUrl: string;
let holding = true;
const held: { res: ServerResponse }[] = [];
const children: ChildProcess[] = [];
const workers: WorkerHandle[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  woo = await startWooCommerceSandbox({ port: 0, ...KEYS, log: () => {}, seed: { products: [{ name: "Kill test", sku: "KILL-1", price: "5.00", stock: 10 }] } });
  // Forwards to the sandbox; while `holding`, a stock batch is kept waiting and never answered.
  gate = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (holding && req.method === "POST" && req.url?.includes("/products/batch")) {
      held.push({ res });
      req.resume();
      return;
    }
    const target = new URL(req.url ?? "/", woo.url);
    // The Host header stays the gate's: WooCommerce signs plain-http requests (OAuth 1.0a) over the URL the client called.
    const forward = httpRequest(target, { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => gate.listen(0, "127.0.0.1", resolve));
  gateUrl = `http://127.0.0.1:${(gate.address() as AddressInfo).port}`;
});
afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
  for (const worker of workers) await worker.stop();
  for (const { res } of held) res.destroy();
  await new Promise<void>((resolve) => gate.close(() => resolve()));
  await woo.stop();
});

describe("a worker killed with SIGKILL mid-push", () => {
  it("loses no stock change: a new worker takes the job back and pushes the newest figure", async () => {
    const { db } = database;
    const shop = await createShop(db);
    const location = await createLocation(db, shop.id, { name: "Main" });
    const variant = await createVariant(db, shop.id, "KILL-1");
    await receive(db, shop.id, variant.id, location.id, 10);
    const product = [...woo.state.products.values()].find((p) => p.sku === "KILL-1")!;
    const connection = await createConnection(db, shop.id, {
      channel: "woocommerce",
      locationIds: [location.id],
      credentialsEncrypted: credentialCipher().encryptJson(KEYS),
      settings: { baseUrl: gateUrl },
    });
    await createListing(db, shop.id, connection.id, variant.id, { externalId: String(product.id) });
    await db.execute(sql`UPDATE channel_listings SET last_pushed_available = 10 WHERE connection_id = ${connection.id}`);
    await db.execute(sql`DELETE FROM stock_sync_dirty WHERE connection_id = ${connection.id}`);

    const child = spawnWorker();
    await waitUntil("the worker process heartbeats", async () => (await db.execute(sql`SELECT 1 FROM worker_heartbeats`)).rows.length > 0, DEADLINE_MS);

    // A sale: the worker's sync run sends 7, and the gate holds the call.
    await adjustInventory(db, { shopId: shop.id, variantId: variant.id, locationId: location.id, delta: -3, actor: "test", reason: "sale" });
    await waitUntil("the worker's push is in flight", async () => held.length > 0, DEADLINE_MS);
    child.kill("SIGKILL");
    await new Promise((resolve) => child.once("exit", resolve));
    // The call dies unanswered with its worker; another sale lands meanwhile.
    for (const { res } of held.splice(0)) res.destroy();
    holding = false;
    await adjustInventory(db, { shopId: shop.id, variantId: variant.id, locationId: location.id, delta: -2, actor: "test", reason: "sale" });
    expect(product.stockQuantity).toBe(10);
    expect((await db.execute(sql`SELECT 1 FROM stock_sync_dirty WHERE connection_id = ${connection.id}`)).rows).toHaveLength(1);

    // A new worker comes up and sweeps the dead one's job back.
    workers.push(await startWorker({ connectionString: database.url, db, connectors: channelConnectors(db), concurrency: 2, quiet: true, bounds: BOUNDS }));
    await waitUntil(
      "the newest figure is on WooCommerce and nothing is left dirty",
      async () => product.stockQuantity === 5 && (await db.execute(sql`SELECT 1 FROM stock_sync_dirty WHERE connection_id = ${connection.id}`)).rows.length === 0,
      DEADLINE_MS,
    );
    const listing = await db.execute<{ last_pushed_available: number }>(sql`SELECT last_pushed_available FROM channel_listings WHERE connection_id = ${connection.id}`);
    expect(listing.rows).toEqual([{ last_pushed_available: 5 }]);
  }, 120_000);
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
