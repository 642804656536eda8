import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setDatabaseForTests } from "../../app/db.server";
import { action as appUninstalled } from "../../app/routes/webhooks.app.uninstalled";
import { action as customersDataRequest } from "../../app/routes/webhooks.customers.data_request";
import { action as customersRedact } from "../../app/routes/webhooks.customers.redact";
import { action as ordersCreate } from "../../app/routes/webhooks.orders.create";
import { action as shopRedact } from "../../app/routes/webhooks.shop.redact";
import { channelConnections, exceptions, orderLines, orders, shopifySessions, shops, webhookDeliveries } from "../../db/schema";
import { processWebhookDelivery } from "../../jobs/tasks/webhooks-process.task";
import { createLocation, createShop, createVariant, receive } from "../helpers/ledger-fixtures";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";
import { fixtureText, orderWebhookPayload, postWebhook } from "../fixtures/shopify/webhooks/shopify-webhook-requests";

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
  setDatabaseForTests(database.db);
});
afterAll(() => setDatabaseForTests(undefined));

const FIXTURE_ORDER = "gid://shopify/Order/820982911946154508";

/** A shop with stock, a Shopify connection, a session, the fixture customer's order and another customer's order. */
async function installedShop() {
  const { db } = database;
  const shop = await createShop(db);
  await db.insert(channelConnections).values([
    { shopId: shop.id, channel: "shopify", name: shop.domain },
    { shopId: shop.id, channel: "amazon", name: "Amazon US" },
  ]);
  await db.insert(shopifySessions).values({ id: `offline_${shop.domain}`, shop: shop.domain, state: "", accessToken: "shpat_test" });
  const location = await createLocation(db, shop.id);
  for (const sku of ["IPOD2008PINK", "MUG-BLK-11OZ"]) {
    const variant = await createVariant(db, shop.id, sku);
    await receive(db, shop.id, variant.id, location.id, 20);
  }
  // The fixture's raw text keeps the customer's 18-digit id exact.
  await deliverAndProcess(ordersCreate, "orders/create", shop.domain, fixtureText("../orders-create-webhook.json"));
  await deliverAndProcess(
    ordersCreate,
    "orders/create",
    shop.domain,
    JSON.stringify(orderWebhookPayload({ id: "8001", email: "grace@example.com", contact_email: "grace@example.com", customer: { id: 42, email: "grace@example.com", first_name: "Grace", last_name: "Hopper" } })),
  );
  return shop;
}

async function deliverAndProcess(action: unknown, topic: string, shopDomain: string, body: string) {
  const { response, deliveryId } = await postWebhook(action, { topic, shopDomain, body });
  expect(response.status).toBe(200);
  const [row] = await database.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.deliveryId, deliveryId));
  const outcome = await processWebhookDelivery({ db: database.db }, row!.id);
  const [after] = await database.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.id, row!.id));
  return { outcome, row: after! };
}

async function orderOf(shopId: string, externalId: string) {
  const [row] = await database.db.select().from(orders).where(and(eq(orders.shopId, shopId), eq(orders.externalId, externalId)));
  return row;
}

describe("Shopify app/uninstalled", () => {
  it("turns sync off, deletes the sessions and disconnects the Shopify connection", async () => {
    const shop = await installedShop();
    const { row } = await deliverAndProcess(appUninstalled, "app/uninstalled", shop.domain, fixtureText("app-uninstalled.json"));
    expect(row.status).toBe("processed");

    const [after] = await database.db.select().from(shops).where(eq(shops.id, shop.id));
    expect(after).toMatchObject({ syncEnabled: false });
    expect(after!.uninstalledAt).not.toBeNull();
    expect(await database.db.select().from(shopifySessions).where(eq(shopifySessions.shop, shop.domain))).toHaveLength(0);
    const connections = await database.db.select().from(channelConnections).where(eq(channelConnections.shopId, shop.id));
    expect(Object.fromEntries(connections.map((c) => [c.channel, c.status]))).toEqual({ shopify: "disconnected", amazon: "connected" });
    // The shop's data stays until shop/redact, in case the merchant reinstalls.
    expect(await orderOf(shop.id, FIXTURE_ORDER)).toBeDefined();

    const late = await deliverAndProcess(ordersCreate, "orders/create", shop.domain, JSON.stringify(orderWebhookPayload({ id: "8002" })));
    expect(late.row.status).toBe("ignored_stale");
    expect(await orderOf(shop.id, "gid://shopify/Order/8002")).toBeUndefined();
  });
});

describe("Shopify customers/data_request", () => {
  it("raises an open data_request listing the customer's orders for the merchant to answer", async () => {
    const shop = await installedShop();
    const { row } = await deliverAndProcess(customersDataRequest, "customers/data_request", shop.domain, fixtureText("customers-data-request.json", shop.domain));
    expect(row).toMatchObject({ status: "processed", resourceId: "gid://shopify/Customer/115310627314723954" });

    const [request] = await database.db.select().from(exceptions).where(and(eq(exceptions.shopId, shop.id), eq(exceptions.kind, "data_request")));
    expect(request).toMatchObject({ status: "open", deliveryId: row.id });
    expect(request!.message).toContain("john@example.com");
    const details = request!.details as { orders: { number: string; total: string; placedAt: string }[]; dueBy: string; dataRequestId: string };
    expect(details.orders).toEqual([expect.objectContaining({ number: "#9999", total: "241.08 USD", placedAt: "2026-11-20T19:05:12.000Z" })]);
    expect(details.dataRequestId).toBe("9999");
    expect(new Date(details.dueBy).getTime() - row.receivedAt.getTime()).toBe(30 * 24 * 60 * 60 * 1000);
  });
});

describe("Shopify customers/redact", () => {
  it("erases the customer's personal data and keeps order numbers, totals and lines", async () => {
    const shop = await installedShop();
    const before = await orderOf(shop.id, FIXTURE_ORDER);
    expect(before).toMatchObject({ customerEmail: "john@example.com", customerExternalId: "gid://shopify/Customer/115310627314723954" });

    await deliverAndProcess(customersDataRequest, "customers/data_request", shop.domain, fixtureText("customers-data-request.json", shop.domain));
    const { row } = await deliverAndProcess(customersRedact, "customers/redact", shop.domain, fixtureText("customers-redact.json", shop.domain));
    expect(row.status).toBe("processed");

    const after = await orderOf(shop.id, FIXTURE_ORDER);
    expect(after).toMatchObject({
      customerName: null,
      customerEmail: null,
      customerPhone: null,
      customerExternalId: null,
      shippingAddress: null,
      billingAddress: null,
      sourcePayload: null,
      number: "#9999",
      totalMinor: before!.totalMinor,
      subtotalMinor: before!.subtotalMinor,
      status: before!.status,
    });
    expect(await database.db.select().from(orderLines).where(eq(orderLines.orderId, after!.id))).toHaveLength(2);

    const deliveries = await database.db
      .select()
      .from(webhookDeliveries)
      .where(and(eq(webhookDeliveries.shopId, shop.id), eq(webhookDeliveries.resourceId, FIXTURE_ORDER)));
    expect(deliveries.length).toBeGreaterThan(0);
    for (const delivery of deliveries) expect(delivery.payload).toEqual({ redacted: true });
    // The redaction request itself carried the customer's e-mail and phone.
    expect(row.payload).toEqual({ redacted: true });

    // The earlier data request stays on record without the e-mail.
    const [request] = await database.db.select().from(exceptions).where(and(eq(exceptions.shopId, shop.id), eq(exceptions.kind, "data_request")));
    expect(request!.message).toMatch(/^Customer data request \(customer since redacted\): 1 order/);
    expect(request!.details).toMatchObject({ customer: { id: "115310627314723954", email: null } });

    const other = await orderOf(shop.id, "gid://shopify/Order/8001");
    expect(other).toMatchObject({ customerEmail: "grace@example.com", customerName: "Grace Hopper" });
  });
});

describe("Shopify shop/redact", () => {
  it("erases everything held for the shop and keeps only the record of the erasure", async () => {
    const shop = await installedShop();
    const neighbour = await installedShop();
    await deliverAndProcess(appUninstalled, "app/uninstalled", shop.domain, fixtureText("app-uninstalled.json"));

    const { row } = await deliverAndProcess(shopRedact, "shop/redact", shop.domain, fixtureText("shop-redact.json", shop.domain));
    expect(row).toMatchObject({ status: "processed", shopId: null, topic: "shop/redact" });

    expect(await database.db.select().from(shops).where(eq(shops.id, shop.id))).toHaveLength(0);
    expect(await database.db.select().from(orders).where(eq(orders.shopId, shop.id))).toHaveLength(0);
    expect(await database.db.select().from(shopifySessions).where(eq(shopifySessions.shop, shop.domain))).toHaveLength(0);
    expect(await database.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.shopId, shop.id))).toHaveLength(0);

    expect(await orderOf(neighbour.id, FIXTURE_ORDER)).toBeDefined();
    expect(await database.db.select().from(shopifySessions).where(eq(shopifySessions.shop, neighbour.domain))).toHaveLength(1);
  });
});
