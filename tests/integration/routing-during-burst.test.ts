import { eq, sql } from "drizzle-orm";
import type { JobHelpers } from "graphile-worker";
import { beforeAll, describe, expect, it } from "vitest";
import { ingestOrder } from "../../db/repositories/order-ingest-repository";
import { storeDelivery } from "../../db/repositories/webhook-inbox-repository";
import { routingDecisions, webhookDeliveries } from "../../db/schema";
import { ordersRouteTask } from "../../jobs/tasks/orders-route.task";
import { createLocation, createShop, createVariant, line, makeOrder, receive } from "../helpers/ledger-fixtures";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";

/**
 * Routing yields to a burst (core/routing/routing-deferral.ts): while more deliveries wait in the
 * shop's inbox than one intake batch takes, the routing job looks again a moment later instead of
 * competing with capture; once intake has caught up, the orders are routed.
 */
let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});

const helpers = { logger: { debug() {}, info() {}, warn() {}, error() {} } } as unknown as JobHelpers;

async function reservedOrder() {
  const { db } = database;
  const shop = await createShop(db);
  const location = await createLocation(db, shop.id);
  const tee = await createVariant(db, shop.id, "TEE");
  await receive(db, shop.id, tee.id, location.id, 10);
  const { orderId } = await ingestOrder(db, { shopId: shop.id, actor: "test", order: makeOrder({ lines: [line("TEE", 1)] }) });
  return { shop, orderId };
}

async function queueDeliveries(shopId: string, count: number) {
  for (let i = 0; i < count; i++) {
    await storeDelivery(database.db, { shopId, channel: "shopify", deliveryId: `burst-${shopId}-${i}`, topic: "orders/create", rawBody: Buffer.from("{}") });
  }
}

const decisionsOf = (orderId: string) => database.db.select().from(routingDecisions).where(eq(routingDecisions.orderId, orderId));

describe("routing during an intake burst", () => {
  it("waits while the shop's inbox holds a batch or more, and routes once intake has caught up", async () => {
    const { shop, orderId } = await reservedOrder();
    await queueDeliveries(shop.id, 100);
    const route = ordersRouteTask({ db: database.db });

    await route({ shopId: shop.id }, helpers);
    expect(await decisionsOf(orderId)).toEqual([]);
    // It asked to look again: a routing job for the shop is queued.
    const queued = await database.db.execute<{ n: number }>(sql`SELECT count(*)::int AS n FROM graphile_worker.jobs WHERE task_identifier = 'orders/route' AND key = ${`route-orders:${shop.id}`}`);
    expect(queued.rows[0]!.n).toBeGreaterThan(0);

    // Intake caught up.
    await database.db.update(webhookDeliveries).set({ status: "processed" }).where(eq(webhookDeliveries.shopId, shop.id));
    await route({ shopId: shop.id }, helpers);
    expect(await decisionsOf(orderId)).toHaveLength(1);
  });

  it("routes an order that has waited the longest allowed even while the burst goes on", async () => {
    const { shop, orderId } = await reservedOrder();
    await queueDeliveries(shop.id, 100);
    await database.db.execute(sql`UPDATE orders SET created_at = now() - interval '31 seconds' WHERE id = ${orderId}`);
    await ordersRouteTask({ db: database.db })({ shopId: shop.id }, helpers);
    expect(await decisionsOf(orderId)).toHaveLength(1);
  });
});
