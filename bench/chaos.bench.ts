import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { randomUUID } from "node:crypto";
import { parseArgs } from "node:util";
import { sql } from "drizzle-orm";
import { signShopifyWebhook } from "../connectors/shopify/webhook-signature";
import { createDatabaseClient } from "../db/client";
import { startEmbeddedPostgres } from "../db/embedded-postgres";
import { ensureDatabaseExists, migrateDatabase } from "../db/migrate";
import { receiveStock } from "../db/repositories/inventory-repository";
import { upsertShop } from "../db/repositories/shop-repository";
import { channelConnections, locations, products, variants } from "../db/schema";
import { SeededRandom } from "../db/seed/seeded-random";
import { DEMO_WEBHOOK_SECRET } from "../app/config/demo-mode.server";
import { freePort } from "../server/free-port";

/**
 * npm run bench:chaos -- --orders 300 --rate 20 --concurrency 8 --worker-kills 4 --db-kills 2
 *
 * Streams signed Shopify orders/create deliveries at the app's webhook ingress (its own process)
 * while killing worker processes (SIGKILL, restarted after a moment) and the PostgreSQL
 * postmaster (SIGKILL; the supervisor starts it again) at random moments, a bounded number of
 * times, all on loopback. Senders behave like Shopify: anything but 200 is sent again, and some
 * acknowledged deliveries are redelivered. Then it waits for the system to settle and checks:
 * every acknowledged delivery is exactly one order, nothing is left waiting after the bound,
 * and the ledger's balances equal its movements. The last line is one JSON object.
 */
const { values } = parseArgs({
  options: {
    orders: { type: "string", default: "300" },
    concurrency: { type: "string", default: "8" },
    // Deliveries per second the stream is paced at, so the kills land in the middle of it.
    rate: { type: "string", default: "20" },
    workers: { type: "string", default: "2" },
    "worker-kills": { type: "string", default: "4" },
    "db-kills": { type: "string", default: "2" },
    "worker-timeout-s": { type: "string", default: "3" },
    "max-seconds": { type: "string", default: "240" },
    seed: { type: "string", default: "7" },
  },
});
const totalOrders = Number(values.orders);
const concurrency = Number(values.concurrency);
const rate = Number(values.rate);
const workerCount = Number(values.workers);
const workerKills = Number(values["worker-kills"]);
const dbKills = Number(values["db-kills"]);
const workerTimeoutS = Number(values["worker-timeout-s"]);
const maxSeconds = Number(values["max-seconds"]);
const random = new SeededRandom(Number(values.seed));
/** Nothing may wait longer than this after the last kill: the worker timeout, a sweep, a restart. */
const boundS = workerTimeoutS * 3 + 30;
const started = Date.now();
const log = (line: string) => console.log(`[chaos +${((Date.now() - started) / 1000).toFixed(1)}s] ${line}`);

// --- the database: durable (no fresh-cluster shortcuts), supervised like npm start's -------------
const dataDir = path.resolve(".data", "chaos-pg");
fs.rmSync(dataDir, { recursive: true, force: true });
const cluster = await startEmbeddedPostgres({ dataDir, port: Number(process.env.SWITCHYARD_CHAOS_PG_PORT ?? 54342), supervise: true });
await ensureDatabaseExists(cluster.adminUrl, "switchyard_chaos");
const url = cluster.urlFor("switchyard_chaos");
await migrateDatabase(url);
const client = createDatabaseClient(url, { max: 4 });
const { db } = client;

// --- a shop with stock for two SKUs (the documented orders/create example's) ---------------------
const shopDomain = `chaos-${Date.now()}.myshopify.com`;
const shop = await upsertShop(db, { domain: shopDomain, name: "Chaos" });
await db.insert(channelConnections).values({ shopId: shop.id, channel: "shopify", name: shopDomain });
const [location] = await db.insert(locations).values({ shopId: shop.id, name: "Main", kind: "warehouse", address1: "1 Main St", city: "Columbus", countryCode: "US", priority: 1 }).returning();
const [product] = await db.insert(products).values({ shopId: shop.id, title: "Chaos goods" }).returning();
for (const sku of ["IPOD2008PINK", "MUG-BLK-11OZ"]) {
  const [variant] = await db.insert(variants).values({ shopId: shop.id, productId: product!.id, sku, title: sku, priceMinor: 1999 }).returning();
  await db.transaction((tx) => receiveStock(tx, { shopId: shop.id, variantId: variant!.id, locationId: location!.id, quantity: totalOrders * 10, actor: "bench", receiptId: `chaos-${sku}` }));
}
const template = JSON.parse(fs.readFileSync(path.resolve("tests/fixtures/shopify/orders-create-webhook.json"), "utf8")) as Record<string, unknown>;

// --- processes: one web (ingress), several workers -----------------------------------------------
const webPort = await freePort();
const childEnv = { ...process.env, DATABASE_URL: url, SWITCHYARD_WORKER_TIMEOUT_S: String(workerTimeoutS), SWITCHYARD_DEMO: "1", SHOPIFY_API_SECRET: DEMO_WEBHOOK_SECRET, CHAOS_WEB_PORT: String(webPort) };
const spawnNode = (script: string, env: Record<string, string> = {}) =>
  spawn(process.execPath, ["--import", "tsx", script], { env: { ...childEnv, ...env }, stdio: ["ignore", "ignore", "ignore"] });
const web = spawnNode("bench/webhook-ingress-server.ts");
const workers: ChildProcess[] = [];
for (let i = 0; i < workerCount; i++) workers.push(spawnNode("server/worker.ts", { WORKER_CONCURRENCY: "4" }));
await waitFor(async () => (await fetch(`http://127.0.0.1:${webPort}/`).catch(() => undefined))?.status === 404, 60_000, "web process");
await waitFor(async () => (await db.execute<{ n: number }>(sql`SELECT count(*)::int AS n FROM worker_heartbeats`)).rows[0]!.n >= workerCount, 60_000, "worker processes");
log(`web on 127.0.0.1:${webPort}, ${workerCount} workers, database on ${url.replace(/\/\/[^@]+@/, "//")}`);

// --- the stream, with chaos at random moments ------------------------------------------------------
const acked = new Set<number>();
let redeliveries = 0;
let answers503 = 0;
let otherErrors = 0;
let next = 0;
let lastChaosAt = Date.now();
let chaosDone = false;
const chaos = { workerKills: 0, dbKills: 0 };

async function send(n: number): Promise<number> {
  const id = 9_100_000_000 + n;
  const body = JSON.stringify({ ...template, id, admin_graphql_api_id: `gid://shopify/Order/${id}`, name: `#C${n}`, order_number: n });
  const response = await fetch(`http://127.0.0.1:${webPort}/webhooks/orders/create`, {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      "X-Shopify-Topic": "orders/create",
      "X-Shopify-Shop-Domain": shopDomain,
      "X-Shopify-Event-Id": `chaos-event-${n}`,
      "X-Shopify-Webhook-Id": randomUUID(),
      "X-Shopify-Triggered-At": new Date().toISOString(),
      "X-Shopify-Hmac-Sha256": signShopifyWebhook(body, DEMO_WEBHOOK_SECRET),
    },
    body,
    signal: AbortSignal.timeout(10_000),
  }).catch(() => undefined);
  return response?.status ?? 0;
}

async function sender() {
  while (next < totalOrders && Date.now() - started < maxSeconds * 1000) {
    const n = next++;
    const due = streamStart + (n / rate) * 1000;
    if (due > Date.now()) await sleep(due - Date.now());
    for (let attempt = 0; ; attempt++) {
      const status = await send(n);
      if (status === 200) {
        acked.add(n);
        // Shopify redelivers now and then even after a 200: it must change nothing.
        if (random.next() < 0.05) {
          redeliveries++;
          await send(n);
        }
        break;
      }
      if (status === 503) answers503++;
      else otherErrors++;
      if (Date.now() - started > maxSeconds * 1000) break;
      await sleep(Math.min(2000, 100 * 2 ** Math.min(attempt, 5)));
    }
  }
}

async function chaosMonkey() {
  const events: ("worker" | "db")[] = [...Array(workerKills).fill("worker"), ...Array(dbKills).fill("db")];
  for (let i = events.length - 1; i > 0; i--) {
    const j = Math.floor(random.next() * (i + 1));
    [events[i], events[j]] = [events[j]!, events[i]!];
  }
  for (const event of events) {
    // Spread the kills over the stream: wait until a random share of it has been acknowledged.
    const at = Math.floor(totalOrders * (0.1 + 0.8 * random.next()));
    await waitFor(async () => acked.size >= at || next >= totalOrders, maxSeconds * 1000, "stream progress").catch(() => {});
    if (event === "worker") {
      const index = Math.floor(random.next() * workers.length);
      workers[index]!.kill("SIGKILL");
      chaos.workerKills++;
      log(`killed worker ${index} with SIGKILL (acked ${acked.size})`);
      const downMs = 500 + Math.floor(random.next() * 3000);
      setTimeout(() => {
        workers[index] = spawnNode("server/worker.ts", { WORKER_CONCURRENCY: "4" });
      }, downMs);
    } else {
      const pid = cluster.postmasterPid();
      if (pid) process.kill(pid, "SIGKILL");
      chaos.dbKills++;
      log(`killed PostgreSQL (postmaster ${pid}) with SIGKILL (acked ${acked.size})`);
    }
    lastChaosAt = Date.now();
    await sleep(1000 + Math.floor(random.next() * 2000));
  }
  chaosDone = true;
}

const streamStart = Date.now();
await Promise.all([chaosMonkey(), ...Array.from({ length: concurrency }, sender)]);
await waitFor(async () => chaosDone, 60_000, "chaos finished").catch(() => {});
const streamEnd = Date.now();
log(`stream done: ${acked.size} acknowledged, ${answers503} answers 503, ${otherErrors} other failures retried, ${redeliveries} redeliveries`);

// --- settle and check ------------------------------------------------------------------------------
const waitingNow = async () =>
  (await db.execute<{ n: number }>(sql`SELECT count(*)::int AS n FROM webhook_deliveries WHERE shop_id = ${shop.id} AND status = 'received'`)).rows[0]!.n;
const boundDeadline = Math.max(lastChaosAt, streamEnd) + boundS * 1000;
let settledAt: number | undefined;
while (Date.now() < boundDeadline) {
  if ((await waitingNow().catch(() => -1)) === 0) {
    settledAt = Date.now();
    break;
  }
  await sleep(250);
}
const stuckAfterBound = settledAt ? 0 : await waitingNow();
const outcome = (
  await db.execute<{ orders: number; duplicated: number; mismatches: number; external_ids: string[] }>(sql`
    WITH per_order AS (SELECT external_id, count(*) AS copies FROM orders WHERE shop_id = ${shop.id} GROUP BY external_id),
         ledger AS (
           SELECT l.id FROM inventory_levels l
             LEFT JOIN inventory_movements m ON m.variant_id = l.variant_id AND m.location_id = l.location_id
            WHERE l.shop_id = ${shop.id}
            GROUP BY l.id
           HAVING l.on_hand <> coalesce(sum(m.on_hand_delta), 0) OR l.reserved <> coalesce(sum(m.reserved_delta), 0))
    SELECT (SELECT count(*)::int FROM per_order) AS orders,
           (SELECT count(*)::int FROM per_order WHERE copies > 1) AS duplicated,
           (SELECT count(*)::int FROM ledger) AS mismatches,
           (SELECT coalesce(array_agg(external_id), '{}') FROM per_order) AS external_ids`)
).rows[0]!;
const ordered = new Set(outcome.external_ids.map((gid) => Number(gid.split("/").pop()) - 9_100_000_000));
const lost = [...acked].filter((n) => !ordered.has(n)).length;

for (const worker of workers) worker.kill("SIGKILL");
web.kill("SIGKILL");
await client.close();
await cluster.stop();

console.log(
  JSON.stringify({
    acked: acked.size,
    orders: outcome.orders,
    lost,
    duplicated: outcome.duplicated,
    // Deliveries still waiting `bound_s` seconds after the last kill (0 = nothing stuck).
    stuck_after_s: stuckAfterBound,
    bound_s: boundS,
    ledger_mismatches: outcome.mismatches,
    // From the later of the last kill and the end of the stream until nothing was waiting.
    recovery_s: settledAt ? Number(((settledAt - Math.max(lastChaosAt, streamEnd)) / 1000).toFixed(2)) : null,
    worker_kills: chaos.workerKills,
    db_kills: chaos.dbKills,
    answers_503: answers503,
    redeliveries,
    seconds: Number(((Date.now() - started) / 1000).toFixed(1)),
  }),
);
process.exit(0);

function sleep(ms: number) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function waitFor(condition: () => Promise<boolean>, timeoutMs: number, what: string) {
  const until = Date.now() + timeoutMs;
  while (!(await condition().catch(() => false))) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

