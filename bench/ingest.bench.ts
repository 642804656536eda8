import path from "node:path";
import { parseArgs } from "node:util";
import { eq, sql } from "drizzle-orm";
import { createDatabaseClient } from "../db/client";
import { startEmbeddedPostgres } from "../db/embedded-postgres";
import { ensureDatabaseExists, migrateDatabase } from "../db/migrate";
import { ingestOrder } from "../db/repositories/order-ingest-repository";
import { receiveStock } from "../db/repositories/inventory-repository";
import { upsertShop } from "../db/repositories/shop-repository";
import { locations, products, shops, variants } from "../db/schema";
import { CHANNELS, unifiedOrderSchema } from "../core/orders/unified-order";
import { SeededRandom } from "../db/seed/seeded-random";

/**
 * npm run bench:ingest -- --orders 20000 --concurrency 16
 *
 * Ingests unified orders through the real path (upsert, reserve under row locks, timeline,
 * stock-sync job enqueued) into a throwaway shop, then checks the ledger: nothing oversold,
 * cached balances equal the movement sums. Prints one JSON line last.
 */
const { values } = parseArgs({
  options: {
    orders: { type: "string", default: "2000" },
    concurrency: { type: "string", default: "16" },
    skus: { type: "string", default: "500" },
    // Deliberately short stock on some SKUs so orders really race for the last units.
    "scarce-share": { type: "string", default: "0.1" },
    keep: { type: "boolean", default: false },
  },
});
const totalOrders = Number(values.orders);
const concurrency = Number(values.concurrency);
const skuCount = Number(values.skus);
const scarceShare = Number(values["scarce-share"]);

let url = process.env.DATABASE_URL;
let stopCluster = async () => {};
if (!url) {
  const cluster = await startEmbeddedPostgres({ dataDir: path.resolve(".data", "bench-pg"), port: Number(process.env.SWITCHYARD_BENCH_PG_PORT ?? 54339) });
  await ensureDatabaseExists(cluster.adminUrl, "switchyard_bench");
  url = cluster.urlFor("switchyard_bench");
  stopCluster = () => cluster.stop();
}
await migrateDatabase(url);
const client = createDatabaseClient(url, { max: concurrency + 4 });
const { db } = client;

const shop = await upsertShop(db, { domain: `bench-${Date.now()}.myshopify.com`, name: "Bench" });
const random = new SeededRandom(42);
const locationRows = await db
  .insert(locations)
  .values(
    ["Columbus", "Reno", "Dallas", "Brooklyn"].map((name, i) => ({
      shopId: shop.id,
      name,
      kind: i < 2 ? "warehouse" : i === 2 ? "3pl" : "store",
      address1: "1 Bench Way",
      city: name,
      countryCode: "US",
      priority: i + 1,
    })),
  )
  .returning();
const [product] = await db.insert(products).values({ shopId: shop.id, title: "Bench product" }).returning();
const variantRows = await db
  .insert(variants)
  .values(Array.from({ length: skuCount }, (_, i) => ({ shopId: shop.id, productId: product!.id, sku: `BENCH-${i}`, title: `Bench ${i}`, priceMinor: 2500 })))
  .returning();
const scarce = new Set(variantRows.slice(0, Math.floor(skuCount * scarceShare)).map((v) => v.id));
await db.transaction(async (tx) => {
  for (const variant of variantRows) {
    for (const location of locationRows) {
      const quantity = scarce.has(variant.id) ? random.int(0, 3) : random.int(50, 200);
      if (quantity > 0) await receiveStock(tx, { shopId: shop.id, variantId: variant.id, locationId: location.id, quantity, actor: "bench", receiptId: "bench" });
    }
  }
});

function makeOrder(i: number) {
  const lines = Array.from({ length: 1 + (i % 3) }, (_, l) => {
    // A third of the orders hit the scarce SKUs, so contention is real.
    const index = i % 3 === 0 && scarce.size > 0 ? random.int(0, scarce.size - 1) : random.int(0, skuCount - 1);
    return { externalLineId: `${i}-${l}`, sku: `BENCH-${index}`, title: "Bench", quantity: 1 + (l % 2), unitPriceMinor: 2500 };
  });
  const subtotal = lines.reduce((sum, line) => sum + line.quantity * line.unitPriceMinor, 0);
  return unifiedOrderSchema.parse({
    channel: CHANNELS[i % 4],
    externalId: `bench-${i}`,
    number: `B${i}`,
    placedAt: new Date(),
    sourceUpdatedAt: new Date(),
    currency: "USD",
    financialStatus: "paid",
    customer: { name: "Bench Customer" },
    shippingAddress: { name: "Bench Customer", line1: "1 Main St", city: "Denver", region: "CO", postalCode: "80202", countryCode: "US" },
    lines,
    subtotalMinor: subtotal,
    totalMinor: subtotal,
  });
}

const latencies: number[] = [];
let next = 0;
const started = performance.now();
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    for (let i = next++; i < totalOrders; i = next++) {
      const order = makeOrder(i);
      const t0 = performance.now();
      await ingestOrder(db, { shopId: shop.id, order, actor: "bench" });
      latencies.push(performance.now() - t0);
    }
  }),
);
const seconds = (performance.now() - started) / 1000;

const checks = await db.execute<{ oversold: number; over_allocated: number; ledger_mismatches: number; reserved_units: number; orders: number; backordered: number }>(sql`
  WITH ledger AS (
    SELECT variant_id, location_id, sum(on_hand_delta)::int AS on_hand, sum(reserved_delta)::int AS reserved
      FROM inventory_movements WHERE shop_id = ${shop.id} GROUP BY variant_id, location_id),
  held AS (
    SELECT variant_id, location_id, sum(quantity)::int AS reserved
      FROM allocations WHERE shop_id = ${shop.id} AND status = 'reserved' GROUP BY variant_id, location_id)
  SELECT
    (SELECT coalesce(sum(greatest(0, reserved - on_hand)), 0)::int FROM inventory_levels WHERE shop_id = ${shop.id}) AS oversold,
    (SELECT count(*)::int FROM inventory_levels l LEFT JOIN held h USING (variant_id, location_id)
      WHERE l.shop_id = ${shop.id} AND l.reserved <> coalesce(h.reserved, 0)) AS over_allocated,
    (SELECT count(*)::int FROM inventory_levels l LEFT JOIN ledger g USING (variant_id, location_id)
      WHERE l.shop_id = ${shop.id} AND (l.on_hand <> coalesce(g.on_hand, 0) OR l.reserved <> coalesce(g.reserved, 0))) AS ledger_mismatches,
    (SELECT coalesce(sum(reserved), 0)::int FROM inventory_levels WHERE shop_id = ${shop.id}) AS reserved_units,
    (SELECT count(*)::int FROM orders WHERE shop_id = ${shop.id}) AS orders,
    (SELECT count(*)::int FROM orders WHERE shop_id = ${shop.id} AND status = 'backordered') AS backordered`);
const check = checks.rows[0]!;

if (!values.keep) await db.delete(shops).where(eq(shops.id, shop.id));
await client.close();
await stopCluster();

latencies.sort((a, b) => a - b);
const percentile = (p: number) => Number(latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]!.toFixed(2));
console.log(`ingested ${check.orders} orders (${check.backordered} backordered on scarce SKUs), ${check.reserved_units} units reserved`);
console.log(
  JSON.stringify({
    orders: totalOrders,
    concurrency,
    seconds: Number(seconds.toFixed(2)),
    orders_per_s: Number((totalOrders / seconds).toFixed(1)),
    p50_ms: percentile(50),
    p95_ms: percentile(95),
    p99_ms: percentile(99),
    oversold: check.oversold,
    allocation_mismatches: check.over_allocated,
    ledger_mismatches: check.ledger_mismatches,
  }),
);
