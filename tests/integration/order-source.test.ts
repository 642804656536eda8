import { and, eq, sql } from "drizzle-orm";
import type { JobHelpers } from "graphile-worker";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setDatabaseForTests } from "../../app/db.server";
import { action as ordersCreate } from "../../app/routes/webhooks.orders.create";
import { action as ordersUpdated } from "../../app/routes/webhooks.orders.updated";
import { redactCustomer } from "../../db/repositories/compliance-repository";
import { pruneInbox } from "../../db/repositories/inbox-retention-repository";
import { ingestOrder } from "../../db/repositories/order-ingest-repository";
import { loadOrderSource } from "../../db/repositories/order-source-repository";
import { routingHistory } from "../../db/repositories/routing-repository";
import { mapShopifyOrderWebhook } from "../../connectors/shopify/shopify-order-mapper";
import { channelConnections, orders, webhookDeliveries } from "../../db/schema";
import { orderSourcePayload } from "../../jobs/intake/order-source";
import { ordersRouteTask } from "../../jobs/tasks/orders-route.task";
import { processWebhookDelivery } from "../../jobs/tasks/webhooks-process.task";
import { createLocation, createShop, createVariant, receive } from "../helpers/ledger-fixtures";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";
import { orderWebhookPayload, postWebhook } from "../fixtures/shopify/webhooks/shopify-webhook-requests";

/**
 * An order's channel payload is kept once, as the body of the delivery it arrived in, and the
 * order names that delivery (docs/adr/0022): routing reads it from there, the inbox's prune keeps
 * it while an order names it, and redaction erases it with the order's customer data.
 */
let database: TestDatabase;
const SHOP = "order-source.myshopify.com";
let shopId: string;
let brooklynId: string;
const helpers = { logger: { debug() {}, info() {}, warn() {}, error() {} } } as unknown as JobHelpers;

beforeAll(async () => {
  database = await createTestDatabase();
  setDatabaseForTests(database.db);
  const { db } = database;
  const shop = await createShop(db, SHOP);
  shopId = shop.id;
  await db.insert(channelConnections).values({ shopId, channel: "shopify", name: SHOP });
  const warehouse = await createLocation(db, shopId, { name: "Columbus DC" });
  const brooklyn = await createLocation(db, shopId, { name: "Brooklyn store", kind: "store", canPickup: true, postalCode: "11201", latitude: 40.69, longitude: -73.99 });
  brooklynId = brooklyn.id;
  for (const sku of ["IPOD2008PINK", "MUG-BLK-11OZ"]) {
    const variant = await createVariant(db, shopId, sku);
    for (const where of [warehouse, brooklyn]) await receive(db, shopId, variant.id, where.id, 20);
  }
});
afterAll(() => setDatabaseForTests(undefined));

async function deliver(action: unknown, topic: string, payload: Record<string, unknown>, triggeredAt: string) {
  const { response, deliveryId } = await postWebhook(action, { topic, shopDomain: SHOP, body: JSON.stringify(payload), triggeredAt });
  expect(response.status).toBe(200);
  const [row] = await database.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.deliveryId, deliveryId));
  expect(await processWebhookDelivery({ db: database.db }, row!.id)).toMatchObject({ delivery: "handled", status: "processed" });
  return row!.id;
}

async function orderOf(externalId: string) {
  const [row] = await database.db.select().from(orders).where(and(eq(orders.shopId, shopId), eq(orders.externalId, externalId)));
  return row!;
}

const ageDeliveries = (ids: number[], days: number) =>
  database.db.execute(sql`UPDATE webhook_deliveries SET received_at = now() - make_interval(days => ${days}) WHERE id = ANY(${sql.param(ids)}::bigint[])`);

const stillStored = async (ids: number[]) =>
  (await database.db.execute<{ id: string }>(sql`SELECT id FROM webhook_deliveries WHERE id = ANY(${sql.param(ids)}::bigint[]) ORDER BY id`)).rows.map((row) => Number(row.id));

describe("an order's payload, kept once in the delivery it arrived in", () => {
  it("is not copied onto the order, reads back with its 64-bit ids exact, and routes the pickup it asks for", async () => {
    const pickup = [{ id: 1, title: "Pickup at Brooklyn store", code: "Pickup", delivery_category: "pick-up", price: "0.00" }];
    const deliveryRowId = await deliver(ordersCreate, "orders/create", orderWebhookPayload({ id: "7101", shipping_lines: pickup }), "2026-12-01T10:00:00Z");

    const order = await orderOf("gid://shopify/Order/7101");
    expect(order).toMatchObject({ status: "reserved", sourceDeliveryId: deliveryRowId, sourcePayload: null });
    const payload = orderSourcePayload(await loadOrderSource(database.db, order)) as { customer: { id: unknown }; shipping_lines: unknown[] };
    expect(payload.customer.id).toBe("115310627314723950");
    expect(payload.shipping_lines).toHaveLength(1);

    await ordersRouteTask({ db: database.db })({ shopId }, helpers);
    const [decision] = await routingHistory(database.db, shopId, order.id);
    expect(decision!.summary).toBe("Pickup at Brooklyn store.");
    const held = await database.db.execute<{ location_id: string }>(sql`SELECT DISTINCT location_id FROM allocations WHERE order_id = ${order.id} AND status = 'reserved'`);
    expect(held.rows.map((row) => row.location_id)).toEqual([brooklynId]);
  });

  it("follows the order to its newest delivery, and the prune deletes the old one but keeps the one an order names", async () => {
    const created = await deliver(ordersCreate, "orders/create", orderWebhookPayload({ id: "7102" }), "2026-12-01T10:00:00Z");
    const updated = await deliver(
      ordersUpdated,
      "orders/updated",
      orderWebhookPayload({ id: "7102", note: "leave at the door", updated_at: "2026-12-01T11:00:00-05:00" }),
      "2026-12-01T16:00:00Z",
    );
    const order = await orderOf("gid://shopify/Order/7102");
    expect(order).toMatchObject({ note: "leave at the door", sourceDeliveryId: updated, sourcePayload: null });
    expect(orderSourcePayload(await loadOrderSource(database.db, order))).toMatchObject({ note: "leave at the door" });

    await ageDeliveries([created, updated], 40);
    await pruneInbox(database.db);
    expect(await stillStored([created, updated])).toEqual([updated]);
  });

  it("keeps an imported order's payload on the order until a delivery brings a newer version", async () => {
    const node = orderWebhookPayload({ id: "7103", updated_at: "2026-12-01T09:00:00-05:00" });
    const mapped = mapShopifyOrderWebhook(node);
    if (!mapped.ok) throw new Error(mapped.reason);
    await ingestOrder(database.db, { shopId, order: mapped.value, actor: "shopify:import", sourcePayload: { imported: true, name: "#7103" } });
    const imported = await orderOf("gid://shopify/Order/7103");
    expect(imported).toMatchObject({ sourceDeliveryId: null, sourcePayload: { imported: true, name: "#7103" } });
    expect(orderSourcePayload(await loadOrderSource(database.db, imported))).toEqual({ imported: true, name: "#7103" });

    const updated = await deliver(ordersUpdated, "orders/updated", { ...node, note: "gift", updated_at: "2026-12-01T12:00:00-05:00" }, "2026-12-01T17:00:00Z");
    expect(await orderOf("gid://shopify/Order/7103")).toMatchObject({ note: "gift", sourceDeliveryId: updated, sourcePayload: null });
  });

  it("is erased with the customer's data: the delivery is redacted and the order no longer names it", async () => {
    const deliveryRowId = await deliver(ordersCreate, "orders/create", orderWebhookPayload({ id: "7104" }), "2026-12-01T10:00:00Z");
    const result = await database.db.transaction((tx) => redactCustomer(tx, shopId, { orderIds: ["7104"] }));
    expect(result.ordersRedacted).toBeGreaterThanOrEqual(1);

    const order = await orderOf("gid://shopify/Order/7104");
    expect(order).toMatchObject({ customerEmail: null, sourceDeliveryId: null, sourcePayload: null });
    expect(await loadOrderSource(database.db, order)).toEqual({ kind: "none" });
    const [delivery] = await database.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.id, deliveryRowId));
    expect(delivery).toMatchObject({ rawBody: null, payload: { redacted: true } });
  });
});
