import path from "node:path";
import { parseArgs } from "node:util";
import { eq, sql } from "drizzle-orm";
import { startShopifySandbox } from "../connectors/shopify/sandbox/shopify-sandbox.server";
import { CHANNELS, unifiedOrderSchema } from "../core/orders/unified-order";
import { createDatabaseClient } from "../db/client";
import { credentialCipher } from "../db/crypto/encryption-key";
import { startEmbeddedPostgres } from "../db/embedded-postgres";
import { ensureDatabaseExists, migrateDatabase } from "../db/migrate";
import { receiveStock } from "../db/repositories/inventory-repository";
import { ingestOrder } from "../db/repositories/order-ingest-repository";
import { upsertShop } from "../db/repositories/shop-repository";
import { channelConnections, channelListings, channelLocations, locations, products, shops, variants } from "../db/schema";
import { SeededRandom } from "../db/seed/seeded-random";
import { startWorker } from "../jobs/worker-runner";
import { channelConnectors } from "../server/channel-modules";

/**
 * npm run bench:sync -- --skus 1000 --sales-per-s 50 --seconds 20
 *
 * N SKUs listed on every channel whose sandbox is on main (Shopify today; Amazon, eBay and
 * WooCommerce join as their modules land in server/channel-modules.ts), a stream of sales on
 * random channels ingested through the real path, and the real worker pushing stock through
 * the channel modules. For each sale: the time until every sandbox shows the new figure. Then
 * the stream stops, the queue drains and every sandbox is compared with the ledger. The last
 * line is one JSON object.
 */
const { values } = parseArgs({
  options: {
    skus: { type: "string", default: "1000" },
    "sales-per-s": { type: "string", default: "50" },
    seconds: { type: "string", default: "20" },
    concurrency: { type: "string", default: "4" },
  },
});
const skuCount = Number(values.skus);
const salesPerSecond = Number(values["sales-per-s"]);
const durationS = Number(values.seconds);

let url = process.env.DATABASE_URL;
let stopCluster = async () => {};
if (!url) {
  const cluster = await startEmbeddedPostgres({ dataDir: path.resolve(".data", "bench-sync-pg"), port: Number(process.env.SWITCHYARD_BENCH_PG_PORT ?? 54339) });
  await ensureDatabaseExists(cluster.adminUrl, "switchyard_bench_sync");
  url = cluster.urlFor("switchyard_bench_sync");
  stopCluster = () => cluster.stop();
}
await migrateDatabase(url);
const client = createDatabaseClient(url, { max: 24 });
const { db } = client;
const random = new SeededRandom(7);

// --- the channels: one sandbox per channel module that has one -------------------------------
const TOKEN = "shpat_bench";
const skus = Array.from({ length: skuCount }, (_, i) => `SYNC-${i}`);
const opening = new Map(skus.map((sku) => [sku, random.int(20, 60)]));
const shopify = await startShopifySandbox({
  port: Number(process.env.SHOPIFY_SANDBOX_PORT ?? 0),
  shopDomain: `bench-sync-${Date.now()}.myshopify.com`,
  accessToken: TOKEN,
  webhookSecret: "bench",
  appUrl: "http://127.0.0.1:9",
  log: () => {},
  seed: {
    locations: [{ name: "Warehouse" }],
    variants: skus.map((sku) => ({ sku, title: sku, price: "10.00" })),
    // Each channel starts out showing what it was last told.
    inventory: skus.map((sku) => ({ sku, location: "Warehouse", available: opening.get(sku)! })),
  },
});
const sandboxes = [{ channel: "shopify", sandbox: shopify }];

// Counting transport: calls and 429 / THROTTLED answers per channel host.
const calls: Record<string, number> = { shopify: 0 };
const throttled: Record<string, number> = { shopify: 0 };
const countingFetch: typeof fetch = async (input, init) => {
  const response = await fetch(input, init);
  const channel = String(input).startsWith(shopify.url) ? "shopify" : "other";
  calls[channel] = (calls[channel] ?? 0) + 1;
  if (response.status === 429) throttled[channel] = (throttled[channel] ?? 0) + 1;
  else if (channel === "shopify") {
    const text = await response.clone().text();
    if (text.includes('"THROTTLED"')) throttled[channel] = (throttled[channel] ?? 0) + 1;
  }
  return response;
};

// --- Switchyard: a shop, its location, the catalogue and its listings --------------------------
const shop = await upsertShop(db, { domain: `bench-sync-${Date.now()}.myshopify.com`, name: "Bench sync" });
const sandboxLocation = shopify.state.locations[0]!;
const [location] = await db
  .insert(locations)
  .values({ shopId: shop.id, name: "Warehouse", kind: "warehouse", address1: "1 Bench Way", city: "Columbus", countryCode: "US", priority: 1, externalId: sandboxLocation.id })
  .returning();
const [product] = await db.insert(products).values({ shopId: shop.id, title: "Bench product" }).returning();
const variantRows = await db
  .insert(variants)
  .values(skus.map((sku) => ({ shopId: shop.id, productId: product!.id, sku, title: sku, priceMinor: 1000 })))
  .returning();
await db.transaction(async (tx) => {
  for (const variant of variantRows) {
    await receiveStock(tx, { shopId: shop.id, variantId: variant.id, locationId: location!.id, quantity: opening.get(variant.sku!)!, actor: "bench", receiptId: "bench" });
  }
});
const [connection] = await db
  .insert(channelConnections)
  .values({
    shopId: shop.id,
    channel: "shopify",
    name: "Shopify sandbox",
    credentialsEncrypted: credentialCipher().encryptJson({ accessToken: TOKEN }),
    settings: { baseUrl: shopify.url, sandbox: true },
  })
  .returning();
await db.insert(channelLocations).values({ connectionId: connection!.id, locationId: location!.id });
const itemBySku = new Map(shopify.state.inventoryItems.map((item) => [item.sku, item.id]));
await db
  .insert(channelListings)
  .values(variantRows.map((v) => ({ shopId: shop.id, connectionId: connection!.id, variantId: v.id, externalId: itemBySku.get(v.sku!)!, externalSku: v.sku, lastPushedAvailable: opening.get(v.sku!)! })))
  .returning();
await db.execute(sql`
  INSERT INTO channel_listing_locations (listing_id, location_id, last_pushed_available, last_pushed_at)
  SELECT id, ${location!.id}::uuid, last_pushed_available, now() FROM channel_listings WHERE connection_id = ${connection!.id}`);


// The worker runs as its own process would: its own pool, not queued behind the sales' queries.
const workerClient = createDatabaseClient(url, { max: 8 });
const connectors = { ...channelConnectors(workerClient.db), fetch: countingFetch };
const worker = await startWorker({ connectionString: url, db: workerClient.db, connectors, concurrency: Number(values.concurrency), quiet: true });

// --- the sales stream ------------------------------------------------------------------------
const shown = (sku: string) => shopify.state.inventoryLevels.find((l) => l.inventoryItemId === itemBySku.get(sku) && l.locationId === sandboxLocation.id)?.available ?? null;
const expected = new Map(opening);
const outstanding: { sku: string; figure: number; at: number }[] = [];
const latencies: number[] = [];
let sales = 0;
const poller = setInterval(() => {
  const now = performance.now();
  for (let i = outstanding.length - 1; i >= 0; i--) {
    const sale = outstanding[i]!;
    const value = shown(sale.sku);
    // Stock only goes down in this bench: the sale is visible once the channel shows its figure or less.
    if (value !== null && value <= sale.figure) {
      latencies.push(now - sale.at);
      outstanding.splice(i, 1);
    }
  }
}, 5);

const started = performance.now();
let index = 0;
let active = 0;
const inFlight: Promise<void>[] = [];
// Channels' ingress runs a bounded number of ingests at once; an unbounded burst only queues on the pool.
const maxIngests = 8;
while (performance.now() - started < durationS * 1000) {
  const due = Math.floor(((performance.now() - started) / 1000) * salesPerSecond);
  while (index < due && active < maxIngests) {
    const i = index++;
    const sku = skus[random.int(0, skuCount - 1)]!;
    if ((expected.get(sku) ?? 0) <= 0) continue;
    const order = unifiedOrderSchema.parse({
      channel: CHANNELS[random.int(0, CHANNELS.length - 1)],
      externalId: `sale-${i}`,
      number: `S${i}`,
      placedAt: new Date(),
      sourceUpdatedAt: new Date(),
      currency: "USD",
      financialStatus: "paid",
      customer: { name: "Bench Buyer" },
      shippingAddress: { name: "Bench Buyer", line1: "1 Main St", city: "Denver", region: "CO", postalCode: "80202", countryCode: "US" },
      lines: [{ externalLineId: `sale-${i}-1`, sku, title: sku, quantity: 1, unitPriceMinor: 1000 }],
      subtotalMinor: 1000,
      totalMinor: 1000,
    });
    expected.set(sku, expected.get(sku)! - 1);
    const figure = expected.get(sku)!;
    active++;
    inFlight.push(
      ingestOrder(db, { shopId: shop.id, order, actor: "bench" }).then(() => {
        active--;
        sales++;
        outstanding.push({ sku, figure, at: performance.now() });
      }),
    );
  }
  await new Promise((resolve) => setTimeout(resolve, 5));
}
await Promise.all(inFlight);
const streamSeconds = (performance.now() - started) / 1000;

// Drain: wait for the dirty set to empty and every sale to be visible (at most 60 s).
const drainDeadline = performance.now() + 60_000;
for (;;) {
  const dirty = await db.execute<{ n: number }>(sql`SELECT count(*)::int AS n FROM stock_sync_dirty WHERE shop_id = ${shop.id}`);
  if ((dirty.rows[0]!.n === 0 && outstanding.length === 0) || performance.now() > drainDeadline) break;
  await new Promise((resolve) => setTimeout(resolve, 50));
}
clearInterval(poller);
await worker.stop();
await workerClient.close();

// --- checks ----------------------------------------------------------------------------------
const ledger = await db.execute<{ sku: string; available: number }>(sql`
  SELECT v.sku, (l.on_hand - l.reserved - l.safety_stock)::int AS available
    FROM inventory_levels l JOIN variants v ON v.id = l.variant_id WHERE l.shop_id = ${shop.id}`);
let lostUpdates = 0;
for (const row of ledger.rows) if (shown(row.sku) !== Math.max(0, row.available)) lostUpdates++;
const oversoldRows = await db.execute<{ oversold: number }>(sql`
  SELECT coalesce(sum(greatest(0, reserved - on_hand)), 0)::int AS oversold FROM inventory_levels WHERE shop_id = ${shop.id}`);
const channelOversold = ledger.rows.filter((row) => (shown(row.sku) ?? 0) > Math.max(0, row.available)).length;
const maxBatch = 250;
const result = {
  skus: skuCount,
  channels: sandboxes.length,
  sales,
  sales_per_s: Number((sales / streamSeconds).toFixed(1)),
  p50_ms: percentile(50),
  p95_ms: percentile(95),
  max_ms: latencies.length > 0 ? Math.round(Math.max(...latencies)) : null,
  not_visible: outstanding.length,
  api_calls: Object.fromEntries(sandboxes.map(({ channel }) => [channel, calls[channel] ?? 0])),
  // Every sale changes one figure that must reach each channel: ceil(sales / largest batch) calls per channel at best.
  batch_lower_bound: Object.fromEntries(sandboxes.map(({ channel }) => [channel, Math.ceil(sales / maxBatch)])),
  http_429: Object.fromEntries(sandboxes.map(({ channel }) => [channel, throttled[channel] ?? 0])),
  oversold: oversoldRows.rows[0]!.oversold + channelOversold,
  lost_updates: lostUpdates,
};

await db.delete(shops).where(eq(shops.id, shop.id));
await client.close();
await shopify.stop();
await stopCluster();

function percentile(p: number): number | null {
  if (latencies.length === 0) return null;
  const sorted = [...latencies].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!);
}

console.log(`${sales} sales over ${streamSeconds.toFixed(1)} s on ${skuCount} SKUs; ${latencies.length} seen on every channel`);
console.log(JSON.stringify(result));
process.exit(0);
