import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setDatabaseForTests } from "../../app/db.server";
import { signShopifyWebhook } from "../../connectors/shopify/webhook-signature";
import { webhookSecret } from "../../app/config/demo-mode.server";
import { action as ordersCreate } from "../../app/routes/webhooks.orders.create";
import { action as ordersUpdated } from "../../app/routes/webhooks.orders.updated";
import { action as ordersCancelled } from "../../app/routes/webhooks.orders.cancelled";
import { action as refundsCreate } from "../../app/routes/webhooks.refunds.create";
import { listOrders } from "../../db/queries/integration-api-queries";
import { channelConnections, exceptions, orderEvents, orders, shipments, shops, webhookDeliveries } from "../../db/schema";
import { processWebhookDelivery } from "../../jobs/tasks/webhooks-process.task";
import { loadOrderSource } from "../../db/repositories/order-source-repository";
import { orderSourcePayload } from "../../jobs/intake/order-source";
import { recordExceptionRetry } from "../../db/repositories/exception-repository";
import { planShipments } from "../../db/repositories/shipment-repository";
import { createLocation, createShop, createVariant, receive } from "../helpers/ledger-fixtures";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";
import { fixtureText, orderWebhookPayload, postWebhook, shopifyWebhookRequest } from "../fixtures/shopify/webhooks/shopify-webhook-requests";

let database: TestDatabase;
let shopId: string;
const SHOP = "webhooks-orders.myshopify.com";

beforeAll(async () => {
  database = await createTestDatabase();
  setDatabaseForTests(database.db);
  const { db } = database;
  const shop = await createShop(db, SHOP);
  shopId = shop.id;
  await db.insert(channelConnections).values({ shopId, channel: "shopify", name: SHOP });
  const location = await createLocation(db, shopId, { name: "Columbus DC" });
  for (const sku of ["IPOD2008PINK", "MUG-BLK-11OZ"]) {
    const variant = await createVariant(db, shopId, sku);
    await receive(db, shopId, variant.id, location.id, 50);
  }
});
afterAll(() => setDatabaseForTests(undefined));

async function deliveryRow(deliveryId: string) {
  const [row] = await database.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.deliveryId, deliveryId));
  return row;
}

/** Posts a webhook to its route, then runs the webhooks/process job for the stored delivery. */
async function deliverAndProcess(action: unknown, topic: string, body: string, extra: { triggeredAt?: string; eventId?: string } = {}) {
  const { response, deliveryId } = await postWebhook(action, { topic, shopDomain: SHOP, body, ...extra });
  expect(response.status).toBe(200);
  const row = await deliveryRow(deliveryId);
  const outcome = await processWebhookDelivery({ db: database.db }, row!.id);
  return { outcome, row: (await deliveryRow(deliveryId))! };
}

async function orderByExternalId(externalId: string) {
  const [row] = await database.db.select().from(orders).where(and(eq(orders.shopId, shopId), eq(orders.externalId, externalId)));
  return row;
}

describe("Shopify webhook ingress", () => {
  it("stores a correctly signed delivery once, as the bytes received, with no job and no NOTIFY per delivery", async () => {
    const body = JSON.stringify(orderWebhookPayload({ id: "5001" }));
    const jobsBefore = await database.db.execute<{ count: number }>(sql`SELECT count(*)::int AS count FROM graphile_worker.jobs`);
    const { response, deliveryId } = await postWebhook(ordersCreate, { topic: "orders/create", shopDomain: SHOP, body, triggeredAt: "2026-11-20T19:05:13Z" });

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ received: true, stored: true });
    const row = await deliveryRow(deliveryId);
    // Parsed later by the worker: the row holds exactly what was signed, nothing derived yet.
    expect(row).toMatchObject({ shopId, channel: "shopify", topic: "orders/create", status: "received", payload: null, resourceId: null });
    expect(Buffer.compare(row!.rawBody!, Buffer.from(body, "utf8"))).toBe(0);
    expect(row!.triggeredAt?.toISOString()).toBe("2026-11-20T19:05:13.000Z");
    const jobsAfter = await database.db.execute<{ count: number }>(sql`SELECT count(*)::int AS count FROM graphile_worker.jobs`);
    expect(jobsAfter.rows[0]!.count).toBe(jobsBefore.rows[0]!.count);

    // Processing parses it and learns which order it is about (stale checks, redaction).
    expect(await processWebhookDelivery({ db: database.db }, row!.id)).toMatchObject({ delivery: "handled", status: "processed" });
    expect(await deliveryRow(deliveryId)).toMatchObject({ status: "processed", resourceId: "gid://shopify/Order/5001" });
  });

  it("refuses a wrong, missing or foreign-secret signature with 401 and stores nothing", async () => {
    const body = JSON.stringify(orderWebhookPayload({ id: "5002" }));
    for (const variant of [{ hmac: "bm90IHRoZSByaWdodCBzaWduYXR1cmU=" }, { hmac: null }, { secret: "someone-elses-secret" }]) {
      const { response, deliveryId } = await postWebhook(ordersCreate, { topic: "orders/create", shopDomain: SHOP, body, ...variant });
      expect(response.status).toBe(401);
      expect(await deliveryRow(deliveryId)).toBeUndefined();
    }
    // A body changed after signing is refused too: the signature covers the exact bytes.
    const tampered = await postWebhook(ordersCreate, {
      topic: "orders/create",
      shopDomain: SHOP,
      body: body.replace("241.08", "0.01"),
      hmac: signShopifyWebhook(body, webhookSecret()),
    });
    expect(tampered.response.status).toBe(401);
    expect(await deliveryRow(tampered.deliveryId)).toBeUndefined();
  });

  it("answers 400 when the topic header does not match the route", async () => {
    const body = JSON.stringify(orderWebhookPayload({ id: "5003" }));
    const { response, deliveryId } = await postWebhook(ordersCreate, { topic: "orders/updated", shopDomain: SHOP, body });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain("orders/create");
    expect(await deliveryRow(deliveryId)).toBeUndefined();
  });

  it("falls back to X-Shopify-Webhook-Id for the delivery id and needs the shop domain", async () => {
    const body = JSON.stringify(orderWebhookPayload({ id: "5007" }));
    const without = (...omit: string[]) => {
      const signed = shopifyWebhookRequest({ topic: "orders/create", shopDomain: SHOP, body });
      const headers = new Headers(signed.headers);
      headers.set("X-Shopify-Webhook-Id", "whk-5007");
      for (const name of omit) headers.delete(name);
      return ordersCreate({ request: new Request(signed.url, { method: "POST", headers, body }), params: {}, context: {} });
    };
    expect((await without("X-Shopify-Event-Id")).status).toBe(200);
    expect(await deliveryRow("orders/create:whk-5007")).toMatchObject({ status: "received" });
    const noDomain = await without("X-Shopify-Shop-Domain");
    expect(noDomain.status).toBe(400);
    expect(await noDomain.text()).toContain("X-Shopify-Shop-Domain");
    const noIds = await without("X-Shopify-Event-Id", "X-Shopify-Webhook-Id");
    expect(noIds.status).toBe(400);
    expect(await noIds.text()).toContain("X-Shopify-Event-Id");
  });

  it("keeps a body that is not JSON as received, and fails it in the worker with a retriable exception", async () => {
    const body = '{"id": 5004, "name": ';
    const { response, deliveryId } = await postWebhook(ordersCreate, { topic: "orders/create", shopDomain: SHOP, body });
    expect(response.status).toBe(200);
    const stored = await deliveryRow(deliveryId);
    expect(stored!.rawBody!.toString("utf8")).toBe(body);

    expect(await processWebhookDelivery({ db: database.db }, stored!.id)).toMatchObject({ delivery: "handled", status: "failed" });
    const row = await deliveryRow(deliveryId);
    expect(row).toMatchObject({ status: "failed" });
    expect(row!.error).toMatch(/not valid JSON/);
    expect(row!.rawBody!.toString("utf8")).toBe(body);
    const [raised] = await database.db.select().from(exceptions).where(and(eq(exceptions.shopId, shopId), eq(exceptions.deliveryId, row!.id)));
    expect(raised).toMatchObject({ kind: "invalid_payload", status: "open" });
    expect(raised!.message).toMatch(/could not be read: body is not valid JSON/);

    // Retried (after a fix), the delivery is back in the inbox with its bytes; still broken, it fails again.
    const retry = await recordExceptionRetry(database.db, { shopId, exceptionId: raised!.id, actor: "test" });
    expect(retry).toMatchObject({ ok: true, value: { work: { kind: "delivery", requeued: true }, resolved: true } });
    expect(await deliveryRow(deliveryId)).toMatchObject({ status: "received", error: null });
    expect(await processWebhookDelivery({ db: database.db }, row!.id)).toMatchObject({ status: "failed" });
  });

  it("keeps a delivery for an unknown shop as failed and answers 200 so Shopify stops retrying", async () => {
    const body = JSON.stringify(orderWebhookPayload({ id: "5005" }));
    const { response, deliveryId } = await postWebhook(ordersCreate, { topic: "orders/create", shopDomain: "never-installed.myshopify.com", body });
    expect(response.status).toBe(200);
    const row = await deliveryRow(deliveryId);
    expect(row).toMatchObject({ shopId: null, status: "failed" });
    expect(row!.error).toContain("unknown shop never-installed.myshopify.com");
  });

  it("treats a redelivery of the same event as a no-op: one delivery, one order", async () => {
    const body = JSON.stringify(orderWebhookPayload({ id: "5006" }));
    const first = await postWebhook(ordersCreate, { topic: "orders/create", shopDomain: SHOP, body, eventId: "evt-5006" });
    const second = await postWebhook(ordersCreate, { topic: "orders/create", shopDomain: SHOP, body, eventId: "evt-5006" });
    expect(first.response.status).toBe(200);
    expect(second.response.status).toBe(200);
    expect(await second.response.json()).toEqual({ received: true, stored: false, reason: "duplicate" });
    const rows = await database.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.deliveryId, "orders/create:evt-5006"));
    expect(rows).toHaveLength(1);

    expect((await processWebhookDelivery({ db: database.db }, rows[0]!.id)).delivery).toBe("handled");
    // A retried job finds the delivery finished and does nothing twice.
    expect(await processWebhookDelivery({ db: database.db }, rows[0]!.id)).toEqual({ delivery: "already_finished", status: "processed" });
    const matching = await database.db.select().from(orders).where(eq(orders.externalId, "gid://shopify/Order/5006"));
    expect(matching).toHaveLength(1);
  });
});

describe("Shopify order webhooks", () => {
  it("turns orders/create into a reserved order that the integration API lists", async () => {
    const { outcome, row } = await deliverAndProcess(ordersCreate, "orders/create", fixtureText("../orders-create-webhook.json"));
    expect(outcome).toMatchObject({ delivery: "handled", status: "processed" });
    expect(row).toMatchObject({ status: "processed", error: null });
    expect(row.processedAt).not.toBeNull();

    const page = await listOrders(database.db, shopId, { limit: 100 });
    const order = page.orders.find((o) => o.externalId === "gid://shopify/Order/820982911946154508");
    expect(order).toMatchObject({ number: "#9999", status: "reserved", channel: "shopify", totalMinor: 24108, currency: "USD" });
    const stored = await orderByExternalId("gid://shopify/Order/820982911946154508");
    // The payload is the delivery's body, kept once (docs/adr/0022), read back with its 64-bit ids exact.
    expect(stored).toMatchObject({ sourceDeliveryId: row.id, sourcePayload: null });
    expect(orderSourcePayload(await loadOrderSource(database.db, stored!))).toMatchObject({ name: "#9999", id: "820982911946154508" });
  });

  it("does not let an orders/updated triggered earlier overwrite one already applied", async () => {
    await deliverAndProcess(ordersCreate, "orders/create", JSON.stringify(orderWebhookPayload({ id: "6001" })), { triggeredAt: "2026-11-20T19:05:13Z" });
    const newer = await deliverAndProcess(
      ordersUpdated,
      "orders/updated",
      JSON.stringify(orderWebhookPayload({ id: "6001", note: "newer", updated_at: "2026-11-20T15:00:00-05:00" })),
      { triggeredAt: "2026-11-20T20:00:00Z" },
    );
    expect(newer.row.status).toBe("processed");
    const older = await deliverAndProcess(
      ordersUpdated,
      "orders/updated",
      JSON.stringify(orderWebhookPayload({ id: "6001", note: "older", updated_at: "2026-11-20T14:30:00-05:00" })),
      { triggeredAt: "2026-11-20T19:30:00Z" },
    );
    expect(older.row).toMatchObject({ status: "ignored_stale", error: null });
    expect(older.outcome).toMatchObject({ note: "a newer delivery of this order was already processed" });
    expect((await orderByExternalId("gid://shopify/Order/6001"))!.note).toBe("newer");
  });

  it("ignores an orders/updated whose updated_at is older than the order held, even when it arrives last", async () => {
    await deliverAndProcess(ordersCreate, "orders/create", JSON.stringify(orderWebhookPayload({ id: "6002", note: "first", updated_at: "2026-11-20T16:00:00-05:00" })));
    const late = await deliverAndProcess(
      ordersUpdated,
      "orders/updated",
      JSON.stringify(orderWebhookPayload({ id: "6002", note: "out of date", updated_at: "2026-11-20T15:00:00-05:00" })),
    );
    expect(late.row.status).toBe("ignored_stale");
    expect((await orderByExternalId("gid://shopify/Order/6002"))!.note).toBe("first");
  });

  it("cancels the order and releases its stock on orders/cancelled", async () => {
    await deliverAndProcess(ordersCreate, "orders/create", JSON.stringify(orderWebhookPayload({ id: "6003" })));
    const cancelled = await deliverAndProcess(
      ordersCancelled,
      "orders/cancelled",
      JSON.stringify(orderWebhookPayload({ id: "6003", cancelled_at: "2026-11-20T15:10:00-05:00", cancel_reason: "customer", updated_at: "2026-11-20T15:10:00-05:00" })),
    );
    expect(cancelled.row.status).toBe("processed");
    const order = await orderByExternalId("gid://shopify/Order/6003");
    expect(order).toMatchObject({ status: "cancelled" });
    expect(order!.cancelledAt).not.toBeNull();
  });

  it("orders/cancelled cancels the order's unshipped shipments in the same transaction", async () => {
    await deliverAndProcess(ordersCreate, "orders/create", JSON.stringify(orderWebhookPayload({ id: "6013" })));
    const created = await orderByExternalId("gid://shopify/Order/6013");
    const planned = await planShipments(database.db, { shopId, orderId: created!.id, actor: "test" });
    if (!planned.ok) throw new Error(planned.reason);
    expect(planned.value.shipmentIds.length).toBeGreaterThan(0);
    await deliverAndProcess(
      ordersCancelled,
      "orders/cancelled",
      JSON.stringify(orderWebhookPayload({ id: "6013", cancelled_at: "2026-11-20T15:10:00-05:00", cancel_reason: "customer", updated_at: "2026-11-20T15:10:00-05:00" })),
    );
    expect(await orderByExternalId("gid://shopify/Order/6013")).toMatchObject({ status: "cancelled" });
    const rows = await database.db.select({ status: shipments.status }).from(shipments).where(eq(shipments.orderId, created!.id));
    expect(rows.map((r) => r.status)).toEqual(planned.value.shipmentIds.map(() => "cancelled"));
    const timeline = await database.db.select({ kind: orderEvents.kind }).from(orderEvents).where(eq(orderEvents.orderId, created!.id));
    expect(timeline.map((e) => e.kind)).toContain("shipments_cancelled");
  });

  it("fails an unreadable order payload with the reason and an invalid_payload exception, keeping the stored order", async () => {
    await deliverAndProcess(ordersCreate, "orders/create", JSON.stringify(orderWebhookPayload({ id: "6004" })));
    const before = await orderByExternalId("gid://shopify/Order/6004");
    const { outcome, row } = await deliverAndProcess(
      ordersUpdated,
      "orders/updated",
      JSON.stringify(orderWebhookPayload({ id: "6004", total_price: "two hundred", updated_at: "2026-11-21T10:00:00-05:00" })),
    );
    expect(outcome).toMatchObject({ status: "failed" });
    expect(row.status).toBe("failed");
    expect(row.error).toMatch(/invalid_amount: total: "two hundred" is not a decimal amount/);
    const [raised] = await database.db.select().from(exceptions).where(and(eq(exceptions.shopId, shopId), eq(exceptions.deliveryId, row.id)));
    expect(raised).toMatchObject({ kind: "invalid_payload", status: "open", orderId: before!.id });
    expect(raised!.details).toMatchObject({ deliveryRowId: row.id, reason: row.error });
    const after = await orderByExternalId("gid://shopify/Order/6004");
    expect(after).toMatchObject({ totalMinor: before!.totalMinor, status: before!.status, sourceUpdatedAt: before!.sourceUpdatedAt });
  });

  it("fails an order payload missing required fields without creating anything", async () => {
    const { row } = await deliverAndProcess(ordersCreate, "orders/create", JSON.stringify({ id: 6005, name: "#6005" }));
    expect(row.status).toBe("failed");
    expect(row.error).toMatch(/^invalid_payload: orders webhook payload is invalid/);
    expect(await orderByExternalId("gid://shopify/Order/6005")).toBeUndefined();
  });
});

describe("Shopify refunds/create", () => {
  it("records the refunded amount and the restocked lines on the order's timeline", async () => {
    const { row } = await deliverAndProcess(refundsCreate, "refunds/create", fixtureText("refunds-create.json"));
    expect(row).toMatchObject({ status: "processed", resourceId: "gid://shopify/Refund/509562969" });
    const order = await orderByExternalId("gid://shopify/Order/820982911946154508");
    const [entry] = await database.db.select().from(orderEvents).where(and(eq(orderEvents.orderId, order!.id), eq(orderEvents.kind, "refund")));
    // Only the successful refund transaction counts; the no_restock line is not a restock.
    expect(entry!.message).toBe("Refunded 15.37 USD on Shopify; restocked 1 unit (MUG-BLK-11OZ ×1)");
    expect(entry!.data).toMatchObject({ amountMinor: 1537, currency: "USD", restocked: [{ sku: "MUG-BLK-11OZ", quantity: 1, restockType: "return" }] });
  });

  it("fails a refund for an order Switchyard does not hold, saying which", async () => {
    const body = fixtureText("refunds-create.json").replaceAll("820982911946154508", "777");
    const { row } = await deliverAndProcess(refundsCreate, "refunds/create", body.replace('"id": 509562969', '"id": 509562970'));
    expect(row.status).toBe("failed");
    expect(row.error).toContain("gid://shopify/Order/777");
  });
});

describe("a shop with sync switched off", () => {
  it("ignores order webhooks after the merchant turned sync off", async () => {
    await database.db.update(shops).set({ syncEnabled: false }).where(eq(shops.id, shopId));
    try {
      const { row } = await deliverAndProcess(ordersCreate, "orders/create", JSON.stringify(orderWebhookPayload({ id: "7001" })));
      expect(row).toMatchObject({ status: "ignored_stale", error: null });
      expect(await orderByExternalId("gid://shopify/Order/7001")).toBeUndefined();
    } finally {
      await database.db.update(shops).set({ syncEnabled: true }).where(eq(shops.id, shopId));
    }
  });
});
