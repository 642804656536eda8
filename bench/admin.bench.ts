import path from "node:path";
import { parseArgs } from "node:util";
import pg from "pg";
import { eq, sql } from "drizzle-orm";
import { createDatabaseClient } from "../db/client";
import { startEmbeddedPostgres } from "../db/embedded-postgres";
import { ensureDatabaseExists, migrateDatabase } from "../db/migrate";
import { createApiToken } from "../db/repositories/api-token-repository";
import { upsertShop } from "../db/repositories/shop-repository";
import { orders, shops } from "../db/schema";
import { seedAdminShop, seededSku } from "./admin-seed";
import { catchUpRollups } from "./admin-rollup-catch-up";

/**
 * npm run bench:admin -- --orders 1000000 --skus 50000 --locations 5 --runs 7
 *
 * Seeds one demo shop with a year of orders (set-based SQL, see admin-seed.ts) into its own
 * embedded PostgreSQL (kept under .data/bench-admin-pg and reused while the sizes match), then
 * calls every admin page's loader and every integration API endpoint in-process, the way Remix
 * does, `runs` times each after one warm-up call. Prints one line per page and, last, one JSON
 * object with the median and p95 per page and the slowest page.
 */
const { values } = parseArgs({
  options: {
    orders: { type: "string", default: "1000000" },
    skus: { type: "string", default: "50000" },
    locations: { type: "string", default: "5" },
    runs: { type: "string", default: "7" },
    reseed: { type: "boolean", default: false },
    only: { type: "string" },
  },
});
const orderCount = Number(values.orders);
const skuCount = Number(values.skus);
const locationCount = Number(values.locations);
const runs = Math.max(1, Number(values.runs));
const BENCH_DOMAIN = "bench-admin.myshopify.com";
const DATABASE = "switchyard_bench_admin";

let adminUrl = process.env.BENCH_ADMIN_DATABASE_URL;
let stopCluster = async () => {};
if (!adminUrl) {
  const cluster = await startEmbeddedPostgres({
    dataDir: process.env.SWITCHYARD_BENCH_DATA_DIR ?? path.resolve(".data", "bench-admin-pg"),
    port: Number(process.env.SWITCHYARD_BENCH_PG_PORT ?? 54348),
  });
  adminUrl = cluster.adminUrl;
  stopCluster = () => cluster.stop();
}
const url = new URL(adminUrl);
url.pathname = `/${DATABASE}`;

async function admin(text: string) {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

async function seededOrderCount(): Promise<number | undefined> {
  const client = createDatabaseClient(url.toString(), { max: 1 });
  try {
    const [shop] = await client.db.select({ id: shops.id }).from(shops).where(eq(shops.domain, BENCH_DOMAIN));
    if (!shop) return undefined;
    const [row] = await client.db.select({ count: sql<number>`count(*)::int` }).from(orders).where(eq(orders.shopId, shop.id));
    return row?.count;
  } catch {
    return undefined;
  } finally {
    await client.close();
  }
}

await ensureDatabaseExists(adminUrl, DATABASE);
const existing = await seededOrderCount();
const mustSeed = values.reseed || existing !== orderCount;
if (mustSeed) {
  // A fresh database is faster than deleting a million orders through their cascades.
  await admin(`DROP DATABASE IF EXISTS "${DATABASE}" WITH (FORCE)`);
  await ensureDatabaseExists(adminUrl, DATABASE);
}
const migrateStarted = performance.now();
await migrateDatabase(url.toString());
const migrateSeconds = (performance.now() - migrateStarted) / 1000;

const client = createDatabaseClient(url.toString(), { max: 10 });
const { db } = client;
const shop = await upsertShop(db, { domain: BENCH_DOMAIN, name: "Bench Admin", isDemo: true });
let seedSeconds = 0;
if (mustSeed) {
  const started = performance.now();
  const seedClient = new pg.Client({ connectionString: url.toString() });
  await seedClient.connect();
  await seedAdminShop(seedClient, {
    shopId: shop.id,
    orders: orderCount,
    skus: skuCount,
    locations: locationCount,
    log: (line) => console.log(`[seed ${((performance.now() - started) / 1000).toFixed(0)}s] ${line}`),
  });
  await seedClient.end();
  seedSeconds = (performance.now() - started) / 1000;
}
console.log(`shop ready: ${orderCount} orders, ${skuCount} SKUs x ${locationCount} locations (seed ${seedSeconds.toFixed(0)} s, migrate ${migrateSeconds.toFixed(0)} s)`);
const rollupSeconds = await catchUpRollups(db, shop.id);

// The admin in demo mode serves the demo shop without Shopify OAuth; the API takes a bearer token.
delete process.env.SHOPIFY_API_KEY;
process.env.SWITCHYARD_DEMO = "1";
const { setDatabaseForTests } = await import("../app/db.server");
setDatabaseForTests(db);
const token = await createApiToken(db, shop.id, `bench-${Date.now()}`);

const uid = async (kind: string, n: number) =>
  (await db.execute<{ id: string }>(sql`select md5(${shop.id}::text || ${`:${kind}:`} || ${n}::text)::uuid::text as id`)).rows[0]!.id;
// An order a third of a year old: the worst case for a newest-first scan looking for it.
const [rare] = (
  await db.execute<{ id: string; number: string; customer_email: string; customer_phone: string; external_id: string }>(
    sql`select id, number, customer_email, customer_phone, external_id from orders where id = ${await uid("order", Math.floor(orderCount / 3))}`,
  )
).rows;
if (!rare) throw new Error("the seeded shop has no order to search for");
const recentOrderId = await uid("order", orderCount - 10);
const variantId = await uid("var", Math.floor(skuCount / 2));
const locationId = await uid("loc", 1);
const monthAgo = new Date(Date.now() - 30 * 86_400_000).toISOString().slice(0, 10);

type Loader = (args: { request: Request; params: Record<string, string>; context: object }) => Promise<Response>;
const route = async (file: string) => ((await import(`../app/routes/${file}`)) as { loader: Loader }).loader;

interface BenchCase {
  name: string;
  loader: Loader;
  path: string;
  params?: Record<string, string>;
  api?: boolean;
}
const ordersLoader = await route("app.orders._index.tsx");
const inventoryLoader = await route("app.inventory._index.tsx");
const apiOrders = await route("api.v1.orders.ts");
const allCases: BenchCase[] = [
  { name: "dashboard /app", loader: await route("app._index.tsx"), path: "/app" },
  { name: "orders /app/orders", loader: ordersLoader, path: "/app/orders" },
  { name: "orders ?status=on_hold", loader: ordersLoader, path: "/app/orders?status=on_hold" },
  { name: "orders ?channel=amazon&location", loader: ordersLoader, path: `/app/orders?channel=amazon&location=${locationId}` },
  { name: "orders ?from=&to= (a month ago)", loader: ordersLoader, path: `/app/orders?from=${monthAgo}&to=${monthAgo}` },
  { name: "orders ?q=Lovelace (common)", loader: ordersLoader, path: "/app/orders?q=Lovelace" },
  { name: "orders ?q=<email> (rare)", loader: ordersLoader, path: `/app/orders?q=${encodeURIComponent(rare.customer_email)}` },
  { name: "orders ?q=<number> (rare)", loader: ordersLoader, path: `/app/orders?q=${encodeURIComponent(rare.number)}` },
  { name: "orders ?q=<phone> (rare)", loader: ordersLoader, path: `/app/orders?q=${encodeURIComponent(rare.customer_phone)}` },
  { name: "orders ?q=<external id> (rare)", loader: ordersLoader, path: `/app/orders?q=${encodeURIComponent(rare.external_id)}` },
  { name: "orders ?q=<SKU prefix>", loader: ordersLoader, path: `/app/orders?q=${seededSku(1234).slice(0, -1)}` },
  // Terms in every order or every line: the walk over the newest orders fills the page at once.
  { name: "orders ?q=example.com (every order)", loader: ordersLoader, path: "/app/orders?q=example.com" },
  { name: "orders ?q=SKU-0 (every line)", loader: ordersLoader, path: "/app/orders?q=SKU-0" },
  { name: "orders ?q=zqxjv (absent)", loader: ordersLoader, path: "/app/orders?q=zqxjv" },
  { name: "orders ?q=Lovelace&status=on_hold", loader: ordersLoader, path: "/app/orders?q=Lovelace&status=on_hold" },
  { name: "order page /app/orders/:id", loader: await route("app.orders.$id.tsx"), path: `/app/orders/${recentOrderId}`, params: { id: recentOrderId } },
  { name: "inventory /app/inventory", loader: inventoryLoader, path: "/app/inventory" },
  { name: "inventory ?q=Product 1 (common)", loader: inventoryLoader, path: "/app/inventory?q=Product%201" },
  { name: "inventory ?q=<SKU> (rare)", loader: inventoryLoader, path: `/app/inventory?q=${seededSku(43210)}` },
  { name: "inventory ?q=zqxjv (absent)", loader: inventoryLoader, path: "/app/inventory?q=zqxjv" },
  { name: "variant /app/inventory/:id", loader: await route("app.inventory.$variantId.tsx"), path: `/app/inventory/${variantId}`, params: { variantId } },
  { name: "locations /app/locations", loader: await route("app.locations._index.tsx"), path: "/app/locations" },
  { name: "location /app/locations/:id", loader: await route("app.locations.$id.tsx"), path: `/app/locations/${locationId}`, params: { id: locationId } },
  { name: "channels /app/channels", loader: await route("app.channels.tsx"), path: "/app/channels" },
  { name: "exceptions /app/exceptions", loader: await route("app.exceptions.tsx"), path: "/app/exceptions" },
  { name: "api GET /api/v1/orders?limit=100", loader: apiOrders, path: "/api/v1/orders?limit=100", api: true },
  { name: "api GET /api/v1/orders?status=on_hold", loader: apiOrders, path: "/api/v1/orders?status=on_hold&limit=100", api: true },
  {
    name: "api GET /api/v1/orders?updated_since=1h",
    loader: apiOrders,
    path: `/api/v1/orders?limit=100&updated_since=${new Date(Date.now() - 3_600_000).toISOString()}`,
    api: true,
  },
  { name: "api GET /api/v1/orders/:id", loader: await route("api.v1.orders.$id.ts"), path: `/api/v1/orders/${rare.id}`, params: { id: rare.id }, api: true },
  {
    name: "api GET /api/v1/inventory?sku=x100",
    loader: await route("api.v1.inventory.ts"),
    path: `/api/v1/inventory?sku=${Array.from({ length: 100 }, (_, i) => seededSku((i * 487) % skuCount)).join(",")}`,
    api: true,
  },
  { name: "api GET /api/v1/locations", loader: await route("api.v1.locations.ts"), path: "/api/v1/locations", api: true },
];
const cases = allCases.filter((entry) => !values.only || entry.name.includes(values.only));

async function callOnce(entry: BenchCase): Promise<number> {
  const headers = entry.api ? { authorization: `Bearer ${token}` } : undefined;
  const started = performance.now();
  let response: Response;
  try {
    response = await entry.loader({ request: new Request(`http://localhost${entry.path}`, { headers }), params: entry.params ?? {}, context: {} });
  } catch (thrown) {
    if (thrown instanceof Response) throw new Error(`${entry.name}: the loader answered ${thrown.status} ${await thrown.text()}`);
    throw thrown;
  }
  // Reading the body is part of serving the page.
  const body = await response.text();
  const elapsed = performance.now() - started;
  if (!response.ok) throw new Error(`${entry.name}: ${response.status} ${body.slice(0, 300)}`);
  return elapsed;
}

const round = (value: number) => Number(value.toFixed(1));
const results: Record<string, { median_ms: number; p95_ms: number }> = {};
for (const entry of cases) {
  await callOnce(entry); // warm-up: plans and pages cached, as on a running server
  const times: number[] = [];
  for (let run = 0; run < runs; run++) times.push(await callOnce(entry));
  times.sort((a, b) => a - b);
  const median = times[Math.floor((times.length - 1) / 2)]!;
  const p95 = times[Math.min(times.length - 1, Math.ceil(0.95 * times.length) - 1)]!;
  results[entry.name] = { median_ms: round(median), p95_ms: round(p95) };
  console.log(`${entry.name.padEnd(44)} median ${round(median).toString().padStart(8)} ms   p95 ${round(p95).toString().padStart(8)} ms`);
}

// The export is the one request that walks the history on purpose: time its first bytes (what
// the merchant waits for before the progress bar moves), not the whole file.
const exportLoader = await route("app.orders.export.ts");
const exportStarted = performance.now();
const exportResponse = await exportLoader({ request: new Request("http://localhost/app/orders/export"), params: {}, context: {} });
const exportReader = exportResponse.body!.getReader();
await exportReader.read();
const exportFirstBytesMs = performance.now() - exportStarted;
await exportReader.cancel();
console.log(`export /app/orders/export: first bytes after ${round(exportFirstBytesMs)} ms (total ${exportResponse.headers.get("X-Export-Total")} orders)`);

setDatabaseForTests(undefined);
await client.close();
await stopCluster();

const slowest = Object.entries(results).sort(([, a], [, b]) => b.median_ms - a.median_ms)[0];
console.log(
  JSON.stringify({
    orders: orderCount,
    skus: skuCount,
    locations: locationCount,
    runs,
    seed_s: round(seedSeconds),
    migrate_s: round(migrateSeconds),
    rollup_catch_up_s: rollupSeconds === undefined ? null : round(rollupSeconds),
    export_first_bytes_ms: round(exportFirstBytesMs),
    pages: results,
    slowest: slowest ? { page: slowest[0], ...slowest[1] } : null,
    within_budget: Object.values(results).every((result) => result.median_ms < 100 && result.p95_ms < 250),
  }),
);
