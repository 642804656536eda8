import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { sql } from "drizzle-orm";
import pg from "pg";
import { DEMO_WEBHOOK_SECRET } from "../app/config/demo-mode.server";
import { signShopifyWebhook } from "../connectors/shopify/webhook-signature";
import { createDatabaseClient } from "../db/client";
import { startEmbeddedPostgres } from "../db/embedded-postgres";
import { ensureDatabaseExists, migrateDatabase } from "../db/migrate";
import { receiveStock } from "../db/repositories/inventory-repository";
import { upsertShop } from "../db/repositories/shop-repository";
import { channelConnections, locations, products, variants } from "../db/schema";
import { SeededRandom } from "../db/seed/seeded-random";
import { freePort } from "../server/free-port";
import { createRawHttpPoster, type RawHttpPoster } from "./raw-http-poster";

/**
 * npm run bench:intake -- --orders 1000 --concurrency 16
 *
 * The whole intake path as Shopify drives it: the app's webhook ingress (its own process) and
 * worker process(es) against DATABASE_URL or an embedded PostgreSQL (.data/intake-pg), N signed
 * orders/create deliveries shaped like Shopify's (1–3 lines; a share with blank SKUs matched by
 * their variant id; a few SKUs so scarce that orders race for the last units) posted by C
 * concurrent senders that retry like Shopify, then a wait until every order is reserved or held,
 * and the ledger checked. Before the stream the bench runs its own pgbench -N–style baseline on
 * the same server (each transaction: three updates of random rows in small tables and an insert),
 * so e2e_orders_per_s / baseline_tps reads the same on any machine. The last line is one JSON object.
 */
const { values } = parseArgs({
  options: {
    orders: { type: "string", default: "1000" },
    concurrency: { type: "string", default: "16" },
    workers: { type: "string", default: "1" },
    skus: { type: "string", default: "300" },
    "skuless-share": { type: "string", default: "0.3" },
    "scarce-share": { type: "string", default: "0.05" },
    "redeliver-share": { type: "string", default: "0.02" },
    "baseline-seconds": { type: "string", default: "10" },
    // Seconds per variant of the wake probe (0 skips it): what a NOTIFY or an add_job per delivery costs the ingress.
    "wake-probe-seconds": { type: "string", default: "0" },
    "max-seconds": { type: "string", default: "600" },
    seed: { type: "string", default: "11" },
    // Orders of another shop sent and decided before the clock starts (0: measure a cold start).
    warmup: { type: "string", default: "1000" },
    // A folder for V8 CPU profiles of the web and worker processes (written when they stop).
    "profile-dir": { type: "string" },
  },
});
const totalOrders = Number(values.orders);
const concurrency = Number(values.concurrency);
const workerCount = Number(values.workers);
const skuCount = Number(values.skus);
const skulessShare = Number(values["skuless-share"]);
const scarceShare = Number(values["scarce-share"]);
const redeliverShare = Number(values["redeliver-share"]);
const baselineSeconds = Number(values["baseline-seconds"]);
const maxSeconds = Number(values["max-seconds"]);
const warmupOrders = Number(values.warmup);
const random = new SeededRandom(Number(values.seed));
const started = Date.now();
const log = (line: string) => console.log(`[intake +${((Date.now() - started) / 1000).toFixed(1)}s] ${line}`);

// --- the database -----------------------------------------------------------------------------------
let url = process.env.DATABASE_URL;
let stopCluster = async () => {};
if (!url) {
  const dataDir = path.resolve(".data", "intake-pg");
  fs.rmSync(dataDir, { recursive: true, force: true });
  const cluster = await startEmbeddedPostgres({ dataDir, port: Number(process.env.SWITCHYARD_BENCH_INTAKE_PG_PORT ?? 54344) });
  await ensureDatabaseExists(cluster.adminUrl, "switchyard_intake");
  url = cluster.urlFor("switchyard_intake");
  stopCluster = () => cluster.stop();
}
await migrateDatabase(url);
const client = createDatabaseClient(url, { max: 4 });
const { db } = client;
// This server's postmaster, when it runs on this machine: PostgreSQL's CPU per order counts its
// processes only, not other clusters' sharing the machine (other benches, test suites).
const postmasterPid = ((pid) => (pid !== undefined && commOf(pid) === "postgres" ? pid : undefined))(
  parentPid((await db.execute<{ pid: number }>(sql`SELECT pg_backend_pid() AS pid`)).rows[0]!.pid),
);

// --- the baseline: what this server does with small transactions at the same concurrency -----------
const baselineTps = await runBaseline(url, concurrency, baselineSeconds);
log(`baseline: ${baselineTps} tps (three updates and an insert per transaction, ${concurrency} clients)`);
const wakeProbeSeconds = Number(values["wake-probe-seconds"]);
const wakeProbe = wakeProbeSeconds > 0 ? await runWakeProbe(url, concurrency, wakeProbeSeconds) : undefined;
if (wakeProbe) log(`wake probe (deliveries stored per second, ${concurrency} clients): ${JSON.stringify(wakeProbe)}`);

// --- the shops: SKUs with a Shopify variant id each, stock at two locations -----------------------------
const runId = `intake-${Date.now()}`;
const template = JSON.parse(fs.readFileSync(path.resolve("tests/fixtures/shopify/orders-create-webhook.json"), "utf8")) as Record<string, unknown>;
const lineTemplate = (template.line_items as Record<string, unknown>[])[0]!;
const scarceCount = Math.max(1, Math.floor(skuCount * scarceShare));
/** Shopify order ids of the measured shop start here (lost orders are found by them). */
const MEASURED_ORDER_IDS = 7_700_000_000;

interface BenchShop {
  id: string;
  domain: string;
  /** Shopify variant ids, by SKU index. */
  variantIds: number[];
  /** Shopify order ids are this plus the order's index. */
  orderIdBase: number;
  /** Each order its own buyer: customer ids from this, emails with this prefix. */
  customerIdBase: number;
  buyer: string;
}

async function seedShop(label: string, name: string, ids: Pick<BenchShop, "orderIdBase" | "customerIdBase" | "buyer"> & { variantIdBase: number }, rng: SeededRandom): Promise<BenchShop> {
  const domain = `${runId}-${label}.myshopify.com`;
  const shop = await upsertShop(db, { domain, name });
  await db.insert(channelConnections).values({ shopId: shop.id, channel: "shopify", name: domain });
  const locationRows = await db
    .insert(locations)
    .values(["Columbus", "Reno"].map((city, i) => ({ shopId: shop.id, name: city, kind: "warehouse", address1: "1 Bench Way", city, countryCode: "US", priority: i + 1 })))
    .returning();
  const [product] = await db.insert(products).values({ shopId: shop.id, title: `${name} goods` }).returning();
  const variantIds = Array.from({ length: skuCount }, (_, i) => ids.variantIdBase + i);
  const variantRows = await db
    .insert(variants)
    .values(variantIds.map((id, i) => ({ shopId: shop.id, productId: product!.id, sku: `INTAKE-${i}`, title: `Intake ${i}`, priceMinor: 2500, externalId: `gid://shopify/ProductVariant/${id}` })))
    .returning();
  await db.transaction(async (tx) => {
    for (const [i, variant] of variantRows.entries()) {
      for (const location of locationRows) {
        const quantity = i < scarceCount ? rng.int(0, 2) : totalOrders;
        if (quantity > 0) await receiveStock(tx, { shopId: shop.id, variantId: variant.id, locationId: location.id, quantity, actor: "bench", receiptId: `intake-${i}` });
      }
    }
  });
  return { id: shop.id, domain, variantIds, orderIdBase: ids.orderIdBase, customerIdBase: ids.customerIdBase, buyer: ids.buyer };
}

function orderBody(shop: BenchShop, n: number): string {
  const id = shop.orderIdBase + n;
  const lineCount = 1 + (n % 3);
  const lines = Array.from({ length: lineCount }, (_, l) => {
    // Every tenth order asks for a scarce SKU, so orders race for the last units.
    const index = l === 0 && n % 10 === 0 ? n % scarceCount : scarceCount + ((n * 7 + l * 13) % (skuCount - scarceCount));
    // Deterministic per line, so a redelivery carries the same body.
    const skuless = ((n * 31 + l * 17) % 100) / 100 < skulessShare;
    return { ...lineTemplate, id: id * 10 + l, admin_graphql_api_id: `gid://shopify/LineItem/${id * 10 + l}`, quantity: 1, current_quantity: 1, fulfillable_quantity: 1, sku: skuless ? "" : `INTAKE-${index}`, variant_id: shop.variantIds[index], title: `Intake ${index}`, name: `Intake ${index}` };
  });
  const placed = new Date(Date.UTC(2026, 10, 20, 12) + n * 1000).toISOString();
  // A flash sale's orders come from many buyers: each order its own customer and street, as
  // Shopify sends them (one shared buyer would make every risk check count the whole sale).
  const email = `${shop.buyer}-${n}@example.com`;
  const customerId = shop.customerIdBase + n;
  const customer = { ...(template.customer as Record<string, unknown>), id: customerId, email, admin_graphql_api_id: `gid://shopify/Customer/${customerId}` };
  const shippingAddress = { ...(template.shipping_address as Record<string, unknown>), address1: `${100 + (n % 9000)} Sale Street` };
  return JSON.stringify({ ...template, id, admin_graphql_api_id: `gid://shopify/Order/${id}`, name: `#I${n}`, order_number: n, email, contact_email: email, customer, shipping_address: shippingAddress, line_items: lines, created_at: placed, updated_at: placed });
}

const shop = await seedShop("sale", "Intake bench", { variantIdBase: 880_000_000, orderIdBase: MEASURED_ORDER_IDS, customerIdBase: 990_000_000, buyer: "buyer" }, random);
const warmShop =
  warmupOrders > 0
    ? await seedShop("warmup", "Intake bench warm-up", { variantIdBase: 870_000_000, orderIdBase: 6_600_000_000, customerIdBase: 980_000_000, buyer: "early-buyer" }, new SeededRandom(Number(values.seed) + 1))
    : undefined;

// --- processes: the web ingress and the worker(s) ---------------------------------------------------------
const webPort = await freePort();
const childEnv = { ...process.env, DATABASE_URL: url, SWITCHYARD_DEMO: "1", SHOPIFY_API_SECRET: DEMO_WEBHOOK_SECRET, BENCH_WEB_PORT: String(webPort), BENCH_WEB_POOL: String(concurrency) };
const children: ChildProcess[] = [];
const spawnNode = (script: string, env: Record<string, string> = {}) => {
  const profile = values["profile-dir"] ? ["--cpu-prof", `--cpu-prof-dir=${path.resolve(values["profile-dir"])}`] : [];
  const child = spawn(process.execPath, [...profile, "--import", "tsx", script], { env: { ...childEnv, ...env }, stdio: ["ignore", "ignore", "inherit"] });
  children.push(child);
  return child;
};
spawnNode("bench/webhook-ingress-server.ts");
for (let i = 0; i < workerCount; i++) spawnNode("server/worker.ts", { WORKER_CONCURRENCY: "4" });
await waitFor(async () => (await fetch(`http://127.0.0.1:${webPort}/`).catch(() => undefined))?.status === 404, 60_000, "web process");
await waitFor(async () => (await db.execute<{ n: number }>(sql`SELECT count(*)::int AS n FROM worker_heartbeats`)).rows[0]!.n >= workerCount, 60_000, "worker processes");
log(`web on 127.0.0.1:${webPort}, ${workerCount} worker process(es); ${totalOrders} orders from ${concurrency} senders`);

// --- the streams ---------------------------------------------------------------------------------------------
// Shopify's side of the wire, on the app's two cores: one raw keep-alive connection per sender,
// each request's bytes rendered before the clock starts but for its event id and time
// (bench/raw-http-poster.ts says why). What the ingress receives is the request Shopify sends.
const senderConnections = Array.from({ length: concurrency }, () => createRawHttpPoster("127.0.0.1", webPort));

interface StreamResult {
  acked: Set<number>;
  latencies: number[];
  retries: number;
  redeliveries: number;
  startedAt: number;
  endedAt: number;
}

/**
 * `count` signed orders/create deliveries for `target`, posted by `concurrency` senders that retry
 * like Shopify and now and then redeliver an acknowledged one under a new event id. What Shopify
 * builds and signs on its side is built before the clock starts: the senders' CPU on this machine
 * is not the app's, and it shares the two cores the figures are about.
 */
async function stream(target: BenchShop, count: number, rng: SeededRandom, onStart: () => void = () => {}): Promise<StreamResult> {
  const signed = Array.from({ length: count }, (_, n) => {
    const body = Buffer.from(orderBody(target, n));
    const head =
      `POST /webhooks/orders/create HTTP/1.1\r\nhost: 127.0.0.1:${webPort}\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n` +
      `x-shopify-topic: orders/create\r\nx-shopify-shop-domain: ${target.domain}\r\nx-shopify-hmac-sha256: ${signShopifyWebhook(body.toString(), DEMO_WEBHOOK_SECRET)}\r\n`;
    return { body, head };
  });
  const result: StreamResult = { acked: new Set(), latencies: [], retries: 0, redeliveries: 0, startedAt: 0, endedAt: 0 };
  let next = 0;

  async function post(connection: RawHttpPoster, n: number, eventId: string): Promise<number> {
    const { body, head } = signed[n]!;
    const t0 = performance.now();
    const status = await connection.post(`${head}x-shopify-event-id: ${eventId}\r\nx-shopify-triggered-at: ${new Date().toISOString()}\r\n\r\n`, body);
    result.latencies.push(performance.now() - t0);
    return status;
  }

  async function sender(connection: RawHttpPoster) {
    while (next < count && Date.now() - started < maxSeconds * 1000) {
      const n = next++;
      for (let attempt = 0; ; attempt++) {
        if ((await post(connection, n, `${target.domain}-${n}`)) === 200) {
          result.acked.add(n);
          break;
        }
        result.retries++;
        await sleep(Math.min(2000, 50 * 2 ** Math.min(attempt, 5)));
      }
      // Shopify redelivers now and then even after a 200 (a new event id): one order still.
      if (rng.next() < redeliverShare) {
        result.redeliveries++;
        await post(connection, n, `${target.domain}-${n}-again`);
      }
    }
  }
  onStart();
  result.startedAt = Date.now();
  await Promise.all(senderConnections.map((connection) => sender(connection)));
  result.endedAt = Date.now();
  return result;
}

// Polled every 10 ms, only once the senders are done (nothing polls while they send), so the
// figure's end is not rounded up by most of a poll: a 1,000-order stream lasts under a second.
// The inbox's pending count reads a partial index of what still waits; the orders are counted,
// which reads every one of the shop's orders (6 ms at 20,000), only once nothing waits.
async function everyOrderDecided(target: BenchShop, orders: number): Promise<void> {
  const decided = async () =>
    (await db.execute<{ n: number }>(sql`SELECT count(*)::int AS n FROM orders WHERE shop_id = ${target.id} AND status <> 'received'`)).rows[0]!.n;
  const pending = async () =>
    (await db.execute<{ n: number }>(sql`SELECT count(*)::int AS n FROM webhook_deliveries WHERE shop_id = ${target.id} AND status = 'received'`)).rows[0]!.n;
  await waitFor(async () => (await pending()) === 0 && (await decided()) >= orders, maxSeconds * 1000, "every order reserved or held", 10);
}

async function everyOrderRouted(target: BenchShop): Promise<void> {
  const waiting = async () =>
    (
      await db.execute<{ n: number }>(sql`
        SELECT count(*)::int AS n FROM orders o
         WHERE o.shop_id = ${target.id} AND o.status = 'reserved'
           AND NOT EXISTS (SELECT 1 FROM routing_decisions d WHERE d.order_id = o.id AND d.current)`)
    ).rows[0]!.n;
  await waitFor(async () => (await waiting()) === 0, maxSeconds * 1000, "every warm-up order routed", 100);
}

// The warm-up: a running server has compiled its hot paths long before a sale starts; processes
// started a moment ago have not, and their first thousand orders cost them about twice the CPU
// each (V8 runs new code interpreted until it is found hot). Another shop's orders, through the
// same ingress and worker, then the measured shop's. --warmup 0 measures the cold start.
if (warmShop) {
  const warm = await stream(warmShop, warmupOrders, new SeededRandom(Number(values.seed) + 2));
  await everyOrderDecided(warmShop, warm.acked.size);
  log(`warm-up: ${warm.acked.size} orders of another shop acknowledged and decided in ${((Date.now() - warm.startedAt) / 1000).toFixed(2)} s`);
  // Its orders are routed next (a moment after its intake went quiet), one transaction each; left
  // running, that routing took a tenth of the worker's CPU per measured order (0.36 → 0.32 ms).
  // Another shop's backlog is not this shop's intake, so the clock starts once it is done.
  const routedFrom = Date.now();
  await everyOrderRouted(warmShop);
  log(`warm-up: its orders routed in ${((Date.now() - routedFrom) / 1000).toFixed(2)} s`);
}

let cpuAtStart: Record<string, number> = {};
const measured = await stream(shop, totalOrders, random, () => (cpuAtStart = cpuSnapshot()));
const { acked, latencies, retries, redeliveries, startedAt: streamStart, endedAt: streamEnd } = measured;
log(`stream done: ${acked.size} acknowledged in ${((streamEnd - streamStart) / 1000).toFixed(2)} s, ${retries} retried, ${redeliveries} redelivered`);

// --- every order reserved or held ----------------------------------------------------------------------------
await everyOrderDecided(shop, acked.size);
const doneAt = Date.now();
const cpuAtEnd = cpuSnapshot();

const outcome = (
  await db.execute<{ orders: number; duplicated: number; received_twice: number; oversold: number; mismatches: number; external_ids: string[]; statuses: Record<string, number>; failed: number }>(sql`
    WITH per_order AS (SELECT external_id, count(*) AS copies FROM orders WHERE shop_id = ${shop.id} GROUP BY external_id),
         ledger AS (
           SELECT l.id FROM inventory_levels l
             LEFT JOIN inventory_movements m ON m.variant_id = l.variant_id AND m.location_id = l.location_id
            WHERE l.shop_id = ${shop.id}
            GROUP BY l.id
           HAVING l.on_hand <> coalesce(sum(m.on_hand_delta), 0) OR l.reserved <> coalesce(sum(m.reserved_delta), 0)),
         held AS (
           SELECT l.id FROM inventory_levels l
             LEFT JOIN allocations a ON a.variant_id = l.variant_id AND a.location_id = l.location_id AND a.status = 'reserved'
            WHERE l.shop_id = ${shop.id}
            GROUP BY l.id
           HAVING l.reserved > l.on_hand OR l.reserved <> coalesce(sum(a.quantity), 0))
    SELECT (SELECT count(*)::int FROM per_order) AS orders,
           (SELECT count(*)::int FROM per_order WHERE copies > 1) AS duplicated,
           (SELECT count(*)::int FROM (SELECT order_id FROM order_events WHERE shop_id = ${shop.id} AND kind = 'received' GROUP BY order_id HAVING count(*) > 1) t) AS received_twice,
           (SELECT count(*)::int FROM held) AS oversold,
           (SELECT count(*)::int FROM ledger) AS mismatches,
           (SELECT count(*)::int FROM webhook_deliveries WHERE shop_id = ${shop.id} AND status = 'failed') AS failed,
           (SELECT coalesce(jsonb_object_agg(status, n), '{}') FROM (SELECT status, count(*)::int AS n FROM orders WHERE shop_id = ${shop.id} GROUP BY status) s) AS statuses,
           (SELECT coalesce(array_agg(external_id), '{}') FROM per_order) AS external_ids`)
).rows[0]!;
const ordered = new Set(outcome.external_ids.map((gid) => Number(gid.split("/").pop()) - MEASURED_ORDER_IDS));
const lost = [...acked].filter((n) => !ordered.has(n)).length;

for (const connection of senderConnections) connection.close();
for (const child of children) child.kill("SIGTERM");
await Promise.race([Promise.all(children.map((child) => new Promise((resolve) => (child.exitCode === null ? child.once("exit", resolve) : resolve(null))))), sleep(5_000)]);
for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
await client.close();
await stopCluster();

const sorted = [...latencies].sort((a, b) => a - b);
const quantile = (q: number) => Number((sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0).toFixed(1));
const e2e = Number((acked.size / ((doneAt - streamStart) / 1000)).toFixed(1));
console.log(
  JSON.stringify({
    orders: outcome.orders,
    concurrency,
    workers: workerCount,
    acks_per_s: Number((latencies.length / ((streamEnd - streamStart) / 1000)).toFixed(1)),
    ack_p50_ms: quantile(0.5),
    ack_p99_ms: quantile(0.99),
    e2e_orders_per_s: e2e,
    e2e_seconds: Number(((doneAt - streamStart) / 1000).toFixed(2)),
    // From the last ack to the last order decided: what the worker still had to do.
    drain_ms: doneAt - streamEnd,
    oversold: outcome.oversold,
    ledger_mismatches: outcome.mismatches,
    lost,
    duplicated: outcome.duplicated + outcome.received_twice,
    failed_deliveries: outcome.failed,
    statuses: outcome.statuses,
    redeliveries,
    baseline_tps: baselineTps,
    e2e_vs_baseline: Number((e2e / baselineTps).toFixed(2)),
    cpu_ms_per_order: cpuPerOrder(cpuAtStart, cpuAtEnd, acked.size),
    warmup_orders: warmupOrders,
    ...(wakeProbe ? { wake_probe: wakeProbe } : {}),
  }),
);
process.exit(0);

/**
 * pgbench -N's spirit with the shape the issue asks for: per transaction three updates of random
 * rows (100,000 accounts, 1,000 tellers, 100 branches: small tables, rare collisions) and one
 * insert into a history table, from `clients` connections for `seconds`; returns transactions per second.
 */
async function runBaseline(connectionString: string, clients: number, seconds: number): Promise<number> {
  const pool = new pg.Pool({ connectionString, max: clients });
  await pool.query(`
    DROP TABLE IF EXISTS bench_baseline_accounts, bench_baseline_tellers, bench_baseline_branches, bench_baseline_history;
    CREATE TABLE bench_baseline_accounts (aid int PRIMARY KEY, abalance int NOT NULL DEFAULT 0, filler char(84));
    CREATE TABLE bench_baseline_tellers (tid int PRIMARY KEY, tbalance int NOT NULL DEFAULT 0, filler char(84));
    CREATE TABLE bench_baseline_branches (bid int PRIMARY KEY, bbalance int NOT NULL DEFAULT 0, filler char(88));
    CREATE TABLE bench_baseline_history (tid int, bid int, aid int, delta int, mtime timestamptz, filler char(22));
    INSERT INTO bench_baseline_accounts (aid) SELECT generate_series(1, 100000);
    INSERT INTO bench_baseline_tellers (tid) SELECT generate_series(1, 1000);
    INSERT INTO bench_baseline_branches (bid) SELECT generate_series(1, 100);`);
  await pool.query("VACUUM ANALYZE bench_baseline_accounts, bench_baseline_tellers, bench_baseline_branches");
  const rng = new SeededRandom(5);
  const transactions = await countWhileRunning(pool, clients, seconds, async (connection) => {
    const aid = rng.int(1, 100_000);
    const tid = rng.int(1, 1_000);
    const bid = rng.int(1, 100);
    const delta = rng.int(-5000, 5000);
    await connection.query("BEGIN");
    await connection.query("UPDATE bench_baseline_accounts SET abalance = abalance + $1 WHERE aid = $2", [delta, aid]);
    await connection.query("UPDATE bench_baseline_tellers SET tbalance = tbalance + $1 WHERE tid = $2", [delta, tid]);
    await connection.query("UPDATE bench_baseline_branches SET bbalance = bbalance + $1 WHERE bid = $2", [delta, bid]);
    await connection.query("INSERT INTO bench_baseline_history (tid, bid, aid, delta, mtime) VALUES ($1, $2, $3, $4, now())", [tid, bid, aid, delta]);
    await connection.query("COMMIT");
  });
  await pool.query("DROP TABLE bench_baseline_accounts, bench_baseline_tellers, bench_baseline_branches, bench_baseline_history");
  await pool.end();
  return Number((transactions / seconds).toFixed(1));
}

/**
 * What waking the worker costs the ingress, measured on this server: `clients` connections store
 * 8 KB deliveries for `seconds` each way — a plain INSERT (what the ingress does now), an INSERT
 * and a pg_notify in one transaction, and an INSERT and a graphile_worker.add_job with one job key
 * per shop (a coalesced wake, which still notifies on every call). Returns stores per second.
 */
async function runWakeProbe(connectionString: string, clients: number, seconds: number): Promise<Record<string, number>> {
  const pool = new pg.Pool({ connectionString, max: clients });
  await pool.query("DROP TABLE IF EXISTS bench_wake_inbox; CREATE TABLE bench_wake_inbox (id bigserial PRIMARY KEY, body bytea NOT NULL)");
  const body = Buffer.alloc(8192, 0x61);
  const variants: Record<string, (c: pg.PoolClient) => Promise<unknown>> = {
    insert_only: (c) => c.query("INSERT INTO bench_wake_inbox (body) VALUES ($1)", [body]),
    insert_notify: async (c) => {
      await c.query("BEGIN");
      await c.query("INSERT INTO bench_wake_inbox (body) VALUES ($1)", [body]);
      await c.query("SELECT pg_notify('bench_wake', '')");
      await c.query("COMMIT");
    },
    insert_add_job_keyed: async (c) => {
      await c.query("BEGIN");
      await c.query("INSERT INTO bench_wake_inbox (body) VALUES ($1)", [body]);
      await c.query("SELECT graphile_worker.add_job('bench:wake', '{}'::json, job_key => 'bench-wake-shop', job_key_mode => 'preserve_run_at', run_at => now() + interval '1 hour')");
      await c.query("COMMIT");
    },
  };
  const result: Record<string, number> = {};
  for (const [name, store] of Object.entries(variants)) {
    result[name] = Number(((await countWhileRunning(pool, clients, seconds, store)) / seconds).toFixed(1));
  }
  await pool.query("DROP TABLE bench_wake_inbox; DELETE FROM graphile_worker._private_jobs WHERE key = 'bench-wake-shop'");
  await pool.end();
  return result;
}

/** Runs `work` in a loop on each of `clients` connections for `seconds`; returns how many times it completed. */
async function countWhileRunning(pool: pg.Pool, clients: number, seconds: number, work: (connection: pg.PoolClient) => Promise<unknown>): Promise<number> {
  let done = 0;
  const until = Date.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      const connection = await pool.connect();
      try {
        while (Date.now() < until) {
          await work(connection);
          done++;
        }
      } finally {
        connection.release();
      }
    }),
  );
  return done;
}

/**
 * CPU time (user + system, ms) used so far by the bench's senders (this process), the web
 * process, the worker(s) and every PostgreSQL process on the machine, read from /proc (Linux;
 * empty elsewhere). Two snapshots around the stream say where an order's CPU goes.
 */
function cpuSnapshot(): Record<string, number> {
  // With `withReaped`, the CPU of children that ended and were reaped counts too: a PostgreSQL
  // backend that exits mid-run moves its time into the postmaster's, and is still counted.
  const ticksOf = (pid: number | string, withReaped = false): number => {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const own = Number(fields[11]) + Number(fields[12]);
      return (withReaped ? own + Number(fields[13]) + Number(fields[14]) : own) * 10; // USER_HZ is 100 on Linux
    } catch {
      return 0;
    }
  };
  const usage = process.cpuUsage();
  const snapshot: Record<string, number> = { senders: (usage.user + usage.system) / 1000, web: ticksOf(children[0]?.pid ?? 0), workers: 0, postgres: 0 };
  for (const child of children.slice(1)) snapshot.workers! += ticksOf(child.pid ?? 0);
  try {
    for (const pid of fs.readdirSync("/proc")) {
      if (!/^\d+$/.test(pid)) continue;
      if (commOf(Number(pid)) !== "postgres") continue;
      if (postmasterPid !== undefined && Number(pid) !== postmasterPid && parentPid(Number(pid)) !== postmasterPid) continue;
      snapshot.postgres! += ticksOf(pid, true);
    }
  } catch {
    // Not Linux: no figures.
  }
  return snapshot;
}

function commOf(pid: number): string | undefined {
  try {
    return fs.readFileSync(`/proc/${pid}/comm`, "utf8").trim();
  } catch {
    return undefined;
  }
}

/** The parent of a process on this machine; undefined when it is not here (a remote server) or not Linux. */
function parentPid(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  } catch {
    return undefined;
  }
}

function cpuPerOrder(start: Record<string, number>, end: Record<string, number>, orders: number): Record<string, number> {
  const perOrder: Record<string, number> = {};
  for (const key of Object.keys(end)) perOrder[key] = Number(((end[key]! - start[key]!) / Math.max(1, orders)).toFixed(3));
  perOrder.total = Number(Object.values(perOrder).reduce((sum, value) => sum + value, 0).toFixed(3));
  return perOrder;
}

function sleep(ms: number) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function waitFor(condition: () => Promise<boolean>, timeoutMs: number, what: string, intervalMs = 100) {
  const until = Date.now() + timeoutMs;
  while (!(await condition().catch(() => false))) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(intervalMs);
  }
}

