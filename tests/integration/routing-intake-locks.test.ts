import { and, asc, eq, inArray, sql } from "drizzle-orm";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setDatabaseForTests } from "../../app/db.server";
import { action as ordersCreate } from "../../app/routes/webhooks.orders.create";
import { action as ordersUpdated } from "../../app/routes/webhooks.orders.updated";
import { routePendingOrders } from "../../db/repositories/routing-repository";
import { inventoryLevels, orders } from "../../db/schema";
import { processInboxBatch } from "../../jobs/intake/intake-loop";
import { createLocation, createShop, createVariant, ledgerMismatches, receive } from "../helpers/ledger-fixtures";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";
import { waitUntil } from "../helpers/wait-until";
import { orderWebhookPayload, postWebhook } from "../fixtures/shopify/webhooks/shopify-webhook-requests";

/**
 * Routing and the intake lock orders, levels and allocations in one order (docs/adr/0003):
 * every order a transaction touches first, in id order; then every inventory level it can
 * touch, in id order, in one statement. Each test forces the interleaving that deadlocked
 * before: a third connection holds one row, routing queues on it first and the intake batch
 * second, and the row is let go. Both must then finish, one after the other, with no 40P01.
 */
let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase({ max: 10 });
  setDatabaseForTests(database.db);
});
afterAll(() => setDatabaseForTests(undefined));

interface World {
  shop: { id: string; domain: string };
  /** The variant whose level has the lower id, and the other one. */
  low: { id: string; sku: string; levelId: string };
  high: { id: string; sku: string; levelId: string };
}

async function world(): Promise<World> {
  const { db } = database;
  const shop = await createShop(db);
  const location = await createLocation(db, shop.id);
  const made: { id: string; sku: string | null }[] = [];
  for (const sku of ["TEE-LOCK-A", "TEE-LOCK-B"]) {
    const variant = await createVariant(db, shop.id, sku);
    await receive(db, shop.id, variant.id, location.id, 100);
    made.push(variant);
  }
  const levels = await db
    .select({ id: inventoryLevels.id, variantId: inventoryLevels.variantId })
    .from(inventoryLevels)
    .where(inArray(inventoryLevels.variantId, made.map((v) => v.id)))
    .orderBy(asc(inventoryLevels.id));
  const [low, high] = levels.map((level) => ({ id: level.variantId, levelId: level.id, sku: made.find((v) => v.id === level.variantId)!.sku! }));
  return { shop, low: low!, high: high! };
}

/** A Shopify order (the connector fixture) with these SKUs and quantities as its lines. */
function payload(id: string, lines: [sku: string, quantity: number][], updatedAt: string) {
  const base = orderWebhookPayload({ id, updated_at: updatedAt, created_at: "2026-11-20T10:00:00-05:00" });
  const template = (base.line_items as Record<string, unknown>[])[0]!;
  return {
    ...base,
    line_items: lines.map(([sku, quantity], n) => ({
      ...template,
      id: Number(`${id}${n + 1}`),
      admin_graphql_api_id: `gid://shopify/LineItem/${id}${n + 1}`,
      // Variants Switchyard does not know by Shopify id: matched by SKU.
      variant_id: Number(`7${id}${n + 1}`),
      sku,
      title: sku,
      name: sku,
      quantity,
      current_quantity: quantity,
      fulfillable_quantity: quantity,
    })),
  };
}

async function post(shop: World["shop"], topic: "orders/create" | "orders/updated", body: unknown) {
  const { response } = await postWebhook(topic === "orders/create" ? ordersCreate : ordersUpdated, { topic, shopDomain: shop.domain, body: JSON.stringify(body) });
  expect(response.status).toBe(200);
}

async function drain() {
  while ((await processInboxBatch({ db: database.db }, { batchSize: 100, maxAttempts: 3 })).claimed > 0);
}

async function orderId(shopId: string, id: string) {
  const [row] = await database.db.select({ id: orders.id, status: orders.status }).from(orders).where(and(eq(orders.shopId, shopId), eq(orders.externalId, `gid://shopify/Order/${id}`)));
  return row!;
}

/** Backends of this test database waiting on a lock. */
async function lockWaiters(): Promise<number> {
  const result = await database.db.execute<{ n: number }>(sql`
    SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`);
  return result.rows[0]!.n;
}

/**
 * Holds `lockSql` in a transaction of its own, starts routing, then the intake batch (each once
 * the one before queues on the held row), lets go, and returns how each ended.
 */
async function raceBehind(lockSql: string, params: unknown[], shopId: string) {
  const blocker = new pg.Client({ connectionString: database.url });
  await blocker.connect();
  try {
    await blocker.query("BEGIN");
    await blocker.query(lockSql, params);
    const settle = (work: Promise<unknown>) => work.then(() => "ok", (error: unknown) => codeOf(error));
    const routing = settle(routePendingOrders(database.db, shopId));
    await waitUntil("routing waits on the held row", async () => (await lockWaiters()) >= 1, 10_000, 20);
    const intake = settle(processInboxBatch({ db: database.db }, { batchSize: 100, maxAttempts: 3 }));
    await waitUntil("the intake batch waits too", async () => (await lockWaiters()) >= 2, 10_000, 20);
    await blocker.query("COMMIT");
    return { routing: await routing, intake: await intake };
  } finally {
    await blocker.end();
  }
}

function codeOf(error: unknown): string {
  for (let e = error as { code?: string; cause?: unknown } | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) {
    if (typeof e.code === "string") return e.code;
  }
  return String(error);
}

describe("routing and intake batches lock in one order", () => {
  it("a batch that creates an order and then updates the order being routed does not deadlock with routing", async () => {
    const { shop, low, high } = await world();
    await post(shop, "orders/create", payload("9101", [[low.sku, 1], [high.sku, 1]], "2026-11-20T10:00:00-05:00"));
    await drain();
    const routed = await orderId(shop.id, "9101");
    expect(routed.status).toBe("reserved");

    // One batch: a new order on the same variants, then a newer version of the order routing takes.
    await post(shop, "orders/create", payload("9102", [[low.sku, 1], [high.sku, 1]], "2026-11-20T10:05:00-05:00"));
    await post(shop, "orders/updated", { ...payload("9101", [[low.sku, 1], [high.sku, 1]], "2026-11-20T11:00:00-05:00"), note: "gift wrap" });
    const outcome = await raceBehind("SELECT 1 FROM orders WHERE id = $1 FOR UPDATE", [routed.id], shop.id);

    expect(outcome).toEqual({ routing: "ok", intake: "ok" });
    expect((await orderId(shop.id, "9101")).status).toBe("allocated");
    expect((await orderId(shop.id, "9102")).status).toBe("reserved");
    expect(await ledgerMismatches(database.db, shop.id)).toEqual([]);
  });

  it("a batch whose later delivery needs a level with a lower id than an earlier one took does not deadlock with routing", async () => {
    const { shop, low, high } = await world();
    // An order on the low variant only, routed already; then the order routing will take.
    await post(shop, "orders/create", payload("9201", [[low.sku, 2]], "2026-11-20T10:00:00-05:00"));
    await drain();
    await routePendingOrders(database.db, shop.id);
    await post(shop, "orders/create", payload("9202", [[low.sku, 1], [high.sku, 1]], "2026-11-20T10:01:00-05:00"));
    await drain();

    // One batch: a new order on the high variant, then an edit of 9201 (low variant, one unit fewer).
    await post(shop, "orders/create", payload("9203", [[high.sku, 1]], "2026-11-20T10:05:00-05:00"));
    await post(shop, "orders/updated", payload("9201", [[low.sku, 1]], "2026-11-20T11:00:00-05:00"));
    const outcome = await raceBehind("SELECT 1 FROM inventory_levels WHERE id = $1 FOR UPDATE", [low.levelId], shop.id);

    expect(outcome).toEqual({ routing: "ok", intake: "ok" });
    expect((await orderId(shop.id, "9202")).status).toBe("allocated");
    expect((await orderId(shop.id, "9203")).status).toBe("reserved");
    const [lowLevel] = await database.db.select().from(inventoryLevels).where(eq(inventoryLevels.id, low.levelId));
    // 9201 now holds one, 9202 one.
    expect(lowLevel!.reserved).toBe(2);
    expect(await ledgerMismatches(database.db, shop.id)).toEqual([]);
  });
});

describe("routing and intake batches running side by side", () => {
  it("rounds of new orders and edits on the variants routing is moving end with no deadlock and a ledger equal to its movements", async () => {
    const { db } = database;
    const { shop, low, high } = await world();
    // A nearer second location, so routing moves reservations (release and reserve movements).
    const sanJose = await createLocation(db, shop.id, { name: "San Jose", priority: 2, city: "San Jose", region: "CA", postalCode: "95112", latitude: 37.35, longitude: -121.89 });
    for (const variant of [low, high]) await receive(db, shop.id, variant.id, sanJose.id, 100);

    const deadlocks: string[] = [];
    const count = (error: unknown) => {
      if (codeOf(error) !== "40P01") throw error;
      deadlocks.push("40P01");
    };
    for (let round = 0; round < 12; round++) {
      const at = (minute: number) => new Date(Date.parse("2026-11-20T15:00:00Z") + (round * 10 + minute) * 60_000).toISOString();
      const id = (n: number) => String(9300 + round * 10 + n);
      for (let n = 0; n < 3; n++) await post(shop, "orders/create", payload(id(n), [[low.sku, 1], [high.sku, 1]], at(n)));
      if (round > 0) {
        // Edits of the previous round's orders, which routing is taking now: one unit fewer of one, a new line on another.
        const previous = (n: number) => String(9300 + (round - 1) * 10 + n);
        await post(shop, "orders/updated", payload(previous(0), [[high.sku, 1]], at(5)));
        await post(shop, "orders/updated", payload(previous(1), [[low.sku, 2], [high.sku, 1]], at(5)));
      }
      await Promise.all([
        routePendingOrders(db, shop.id).catch(count),
        processInboxBatch({ db }, { batchSize: 2, maxAttempts: 3 }).catch(count),
        processInboxBatch({ db }, { batchSize: 100, maxAttempts: 3 }).catch(count),
      ]);
      await drain();
    }
    await routePendingOrders(db, shop.id);

    expect(deadlocks).toEqual([]);
    expect(await ledgerMismatches(db, shop.id)).toEqual([]);
  });
});
