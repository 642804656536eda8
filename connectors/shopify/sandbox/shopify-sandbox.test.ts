import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import nock from "nock";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { AdminGraphqlClient } from "../admin-graphql-client.js";
import { adminSchemaAvailable, adminSchemaPath, loadAdminSchema } from "../admin-schema-loader.js";
import { INVENTORY_SET_QUANTITIES_MUTATION, LOCATIONS_QUERY, ORDERS_QUERY } from "../graphql-documents.js";
import { ShopifyConnector } from "../shopify-connector.js";
import { mapShopifyOrderWebhook } from "../shopify-order-mapper.js";
import { verifyShopifyWebhookHmac } from "../webhook-signature.js";
import { startShopifySandbox, type ShopifySandbox } from "./shopify-sandbox.server.js";

const specsPresent = adminSchemaAvailable();
const TOKEN = "shpat_sandbox";
const SECRET = "whsec_sandbox";

/** A seeded generator so simulated orders are reproducible. */
function seeded(seed: number) {
  let s = seed;
  return () => (s = (s * 16807) % 2147483647) / 2147483647;
}

interface Received {
  url: string;
  headers: IncomingHttpHeaders;
  raw: string;
}

let receiver: Server;
let receiverUrl = "";
const received: Received[] = [];
let sandbox: ShopifySandbox;
let clock = 1_800_000_000_000;
const now = () => clock;

// Building the 3.4 MB SDL takes a second or more under load; do it once, outside the hooks' 10 s budget.
beforeAll(() => void loadAdminSchema(), 60_000);

beforeAll(async () => {
  nock.disableNetConnect();
  nock.enableNetConnect("127.0.0.1");
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({ url: req.url ?? "", headers: req.headers, raw: Buffer.concat(chunks).toString("utf8") });
      res.writeHead(200).end("ok");
    });
  });
  await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", () => r()));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((r) => receiver.close(() => r()));
  nock.enableNetConnect();
});

beforeEach(async () => {
  received.length = 0;
  sandbox = await startShopifySandbox({
    port: 0,
    shopDomain: "switchyard-demo.myshopify.com",
    accessToken: TOKEN,
    webhookSecret: SECRET,
    appUrl: receiverUrl,
    now,
    log: () => {},
    seed: {
      locations: [
        { name: "Newark DC", city: "Newark", provinceCode: "NJ", zip: "07102", latitude: 40.7357, longitude: -74.1724 },
        { name: "Reno DC", city: "Reno", provinceCode: "NV", zip: "89501", latitude: 39.5296, longitude: -119.8138 },
      ],
      variants: [
        { sku: "TEE-BLK-M", title: "Black / M", price: "24.00", productTitle: "Switchyard Tee" },
        { sku: "TEE-BLK-L", title: "Black / L", price: "24.00", productTitle: "Switchyard Tee" },
        { sku: "MUG-11", title: "11oz", price: "14.50", productTitle: "Switchyard Mug" },
      ],
      inventory: [
        { sku: "TEE-BLK-M", location: "Newark DC", available: 10 },
        { sku: "TEE-BLK-L", location: "Newark DC", available: 4 },
        { sku: "MUG-11", location: "Reno DC", available: 20 },
      ],
    },
  });
});

afterEach(async () => {
  await sandbox.stop();
});

async function post(body: unknown, token = TOKEN) {
  const response = await fetch(sandbox.graphqlUrl, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-Shopify-Access-Token": token },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as Record<string, any> };
}

describe("Shopify sandbox: Admin GraphQL", () => {
  it("answers a valid document with data and Shopify's cost extension", async () => {
    const { status, json } = await post({ query: LOCATIONS_QUERY, variables: { first: 10 } });
    expect(status).toBe(200);
    expect(json.errors).toBeUndefined();
    expect(json.data.locations.nodes.map((l: { name: string }) => l.name)).toEqual(["Newark DC", "Reno DC"]);
    expect(json.data.locationsCount).toEqual({ count: 2, precision: "EXACT" });
    const cost = json.extensions.cost;
    // locations(first: 10) with an address each: 2 + 10 x 2, plus 1 for locationsCount.
    expect(cost.requestedQueryCost).toBe(23);
    // Only 2 locations came back, so the actual cost is lower and the difference is refunded.
    expect(cost.actualQueryCost).toBe(7);
    expect(cost.throttleStatus).toEqual({ maximumAvailable: 2000, currentlyAvailable: 1993, restoreRate: 100 });
  });

  it("refuses a missing or wrong access token with 401", async () => {
    const { status, json } = await post({ query: "{ shop { name } }" }, "wrong");
    expect(status).toBe(401);
    expect(json.errors).toMatch(/Invalid API key or access token/);
  });

  it.skipIf(!specsPresent)(`rejects an invalid document the way Shopify does (needs ${adminSchemaPath()})`, async () => {
    const { status, json } = await post({ query: "query Q {\n  locations(first: 1) { nodes { id warehouseCode } }\n}" });
    expect(status).toBe(200);
    expect(json.data).toBeUndefined();
    expect(json.errors).toEqual([
      {
        message: "Field 'warehouseCode' doesn't exist on type 'Location'",
        locations: [{ line: 2, column: 36 }],
        extensions: { code: "undefinedField", typeName: "Location", fieldName: "warehouseCode" },
      },
    ]);
    const missingArg = await post({ query: "{ order { id } }" });
    expect(missingArg.json.errors[0].extensions.code).toBe("missingRequiredArguments");
  });

  it("reports a syntax error with its location", async () => {
    const { json } = await post({ query: "{ locations(first: 1) { nodes { id }" });
    expect(json.errors[0].message).toMatch(/Syntax Error/);
    expect(json.errors[0].locations[0]).toHaveProperty("line", 1);
  });

  it("refuses a query above the 1000-point single-query cap", async () => {
    const { json } = await post({ query: ORDERS_QUERY, variables: { first: 50, lineItemsFirst: 50 } });
    expect(json.errors[0].extensions.code).toBe("MAX_COST_EXCEEDED");
  });

  it("throttles when the bucket is short and recovers at the restore rate", async () => {
    sandbox.bucket.drain(10);
    const throttled = await post({ query: LOCATIONS_QUERY, variables: { first: 10 } });
    expect(throttled.json.errors).toEqual([{ message: "Throttled", extensions: { code: "THROTTLED", documentation: "https://shopify.dev/api/usage/rate-limits" } }]);
    expect(throttled.json.extensions.cost).toMatchObject({ requestedQueryCost: 23, actualQueryCost: null, throttleStatus: { currentlyAvailable: 10 } });
    clock += 130; // 13 points at 100/s
    const allowed = await post({ query: LOCATIONS_QUERY, variables: { first: 10 } });
    expect(allowed.json.data.locations.nodes).toHaveLength(2);
  });

  it("lets the client wait out THROTTLED answers on the same clock", async () => {
    sandbox.bucket.drain(0);
    const sleeps: number[] = [];
    const client = new AdminGraphqlClient({ endpoint: sandbox.graphqlUrl, accessToken: TOKEN, now, sleep: async (ms) => void (sleeps.push(ms), (clock += ms)) });
    const result = await client.request(LOCATIONS_QUERY, { first: 10 });
    expect(result.ok).toBe(true);
    expect(sleeps).toEqual([1000]); // 23 points missing -> 0.23 s, but the client waits at least 1 s
  });
});

describe("Shopify sandbox: inventorySetQuantities", () => {
  const quantities = () => {
    const item = sandbox.state.inventoryItems.find((i) => i.sku === "TEE-BLK-M")!;
    const location = sandbox.state.locations.find((l) => l.name === "Newark DC")!;
    return { item, location, level: sandbox.state.inventoryLevels.find((l) => l.inventoryItemId === item.id && l.locationId === location.id)! };
  };
  const input = (quantity: number, changeFromQuantity: number | null) => {
    const { item, location } = quantities();
    return { name: "available", reason: "correction", referenceDocumentUri: "gid://switchyard/StockSync/1", quantities: [{ inventoryItemId: item.id, locationId: location.id, quantity, changeFromQuantity }] };
  };

  it("requires the @idempotent directive in 2026-04", async () => {
    const { json } = await post({
      query: "mutation M($input: InventorySetQuantitiesInput!) { inventorySetQuantities(input: $input) { userErrors { message } } }",
      variables: { input: input(5, null) },
    });
    expect(json.errors[0].message).toMatch(/@idempotent/);
    expect(quantities().level.available).toBe(10);
  });

  it("applies, replays the same key without applying twice, and rejects a reused key with other parameters", async () => {
    const first = await post({ query: INVENTORY_SET_QUANTITIES_MUTATION, variables: { input: input(7, 10), idempotencyKey: "k1" } });
    expect(first.json.data.inventorySetQuantities.userErrors).toEqual([]);
    expect(first.json.data.inventorySetQuantities.inventoryAdjustmentGroup.changes).toContainEqual(expect.objectContaining({ name: "available", delta: -3, quantityAfterChange: 7 }));
    expect(quantities().level.available).toBe(7);
    quantities().level.available = 9; // someone sells two in the meantime... and restocks
    const replay = await post({ query: INVENTORY_SET_QUANTITIES_MUTATION, variables: { input: input(7, 10), idempotencyKey: "k1" } });
    expect(replay.json.data).toEqual(first.json.data);
    expect(quantities().level.available).toBe(9);
    const mismatch = await post({ query: INVENTORY_SET_QUANTITIES_MUTATION, variables: { input: input(8, 9), idempotencyKey: "k1" } });
    expect(mismatch.json.data.inventorySetQuantities.userErrors[0].code).toBe("IDEMPOTENCY_KEY_PARAMETER_MISMATCH");
  });

  it("enforces compare-and-set on changeFromQuantity and requires the field to be present", async () => {
    const stale = await post({ query: INVENTORY_SET_QUANTITIES_MUTATION, variables: { input: input(3, 4), idempotencyKey: "k2" } });
    expect(stale.json.data.inventorySetQuantities).toEqual({
      inventoryAdjustmentGroup: null,
      userErrors: [{ field: ["input", "quantities", "0", "changeFromQuantity"], message: expect.stringMatching(/compare quantity/), code: "CHANGE_FROM_QUANTITY_STALE" }],
    });
    expect(quantities().level.available).toBe(10);
    const { item, location } = quantities();
    const missing = await post({
      query: INVENTORY_SET_QUANTITIES_MUTATION,
      variables: { idempotencyKey: "k3", input: { name: "available", reason: "correction", quantities: [{ inventoryItemId: item.id, locationId: location.id, quantity: 1 }] } },
    });
    expect(missing.json.data.inventorySetQuantities.userErrors[0].code).toBe("COMPARE_QUANTITY_REQUIRED");
  });

  it("reports stale items through the connector's push", async () => {
    const { item, location } = quantities();
    const connector = new ShopifyConnector({ client: new AdminGraphqlClient({ endpoint: sandbox.graphqlUrl, accessToken: TOKEN, now, sleep: async () => {} }) });
    const mug = sandbox.state.inventoryItems.find((i) => i.sku === "MUG-11")!;
    const reno = sandbox.state.locations.find((l) => l.name === "Reno DC")!;
    const outcomes = await connector.pushAvailable(
      [
        { inventoryItemId: item.id, locationId: location.id, available: 6, lastPushed: 8 },
        { inventoryItemId: mug.id, locationId: reno.id, available: 15, lastPushed: 20 },
      ],
      { referenceDocumentUri: "gid://switchyard/StockSync/2" },
    );
    expect(outcomes.map((o) => o.status)).toEqual(["stale", "applied"]);
    expect(quantities().level.available).toBe(10);
    expect(sandbox.state.inventoryLevels.find((l) => l.inventoryItemId === mug.id && l.locationId === reno.id)!.available).toBe(15);
  });
});

describe("Shopify sandbox: webhooks and orders", () => {
  it("delivers webhooks signed with the app secret and Shopify's headers", async () => {
    const payload = { id: 1, name: "#1001", note: "ünïcødé" };
    const delivery = await sandbox.sendWebhook("orders/create", payload);
    expect(delivery).toMatchObject({ status: 200, ok: true });
    expect(received).toHaveLength(1);
    const got = received[0]!;
    expect(got.url).toBe("/webhooks/orders/create");
    expect(verifyShopifyWebhookHmac(got.raw, got.headers["x-shopify-hmac-sha256"] as string, SECRET)).toBe(true);
    expect(verifyShopifyWebhookHmac(got.raw, got.headers["x-shopify-hmac-sha256"] as string, "other-secret")).toBe(false);
    expect(JSON.parse(got.raw)).toEqual(payload);
    expect(got.headers).toMatchObject({
      "x-shopify-topic": "orders/create",
      "x-shopify-shop-domain": "switchyard-demo.myshopify.com",
      "x-shopify-api-version": "2026-04",
      "x-shopify-webhook-id": delivery.webhookId,
      "x-shopify-triggered-at": new Date(clock).toISOString(),
    });
    expect(got.headers["x-shopify-event-id"]).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("reports an unreachable app as a failed delivery instead of throwing", async () => {
    const lonely = await startShopifySandbox({ port: 0, shopDomain: "x.myshopify.com", accessToken: TOKEN, webhookSecret: SECRET, appUrl: "http://127.0.0.1:9", log: () => {} });
    try {
      const delivery = await lonely.sendWebhook("orders/updated", { id: 1 });
      expect(delivery).toMatchObject({ ok: false, status: 0, url: "http://127.0.0.1:9/webhooks/orders/updated" });
    } finally {
      await lonely.stop();
    }
  });

  it("simulates an order whose webhook and GraphQL import map to the same unified order", async () => {
    const { order, delivery } = await sandbox.simulateOrder({ random: seeded(7) });
    expect(delivery?.ok).toBe(true);
    const webhook = mapShopifyOrderWebhook(JSON.parse(received[0]!.raw));
    if (!webhook.ok) throw new Error(webhook.detail);
    expect(webhook.value.shippingAddress?.latitude).toBeTypeOf("number");

    const connector = new ShopifyConnector({ client: new AdminGraphqlClient({ endpoint: sandbox.graphqlUrl, accessToken: TOKEN, now, sleep: async () => {} }) });
    const imported = await connector.importOrders();
    if (!imported.ok) throw new Error(imported.detail);
    expect(imported.value.rejected).toEqual([]);
    const { risk, ...fromGraphql } = imported.value.orders.find((o) => o.externalId === order.id)!;
    expect(fromGraphql).toEqual(webhook.value);
    expect(risk).toEqual({ level: "low", reasons: [] });
    // Stock was committed at the location that could ship it.
    const committed = sandbox.state.inventoryLevels.reduce((s, l) => s + l.committed, 0);
    expect(committed).toBe(order.lineItems.reduce((s, l) => s + l.quantity, 0));
  });

  it("fulfils with tracking and cancels with restock through the connector", async () => {
    const connector = new ShopifyConnector({ client: new AdminGraphqlClient({ endpoint: sandbox.graphqlUrl, accessToken: TOKEN, now, sleep: async () => {} }) });
    const shipped = await sandbox.simulateOrder({ send: false, lines: [{ sku: "TEE-BLK-M", quantity: 2 }] });
    const result = await connector.confirmFulfillment({ orderId: shipped.order.id, tracking: { company: "UPS", number: "1Z999", url: "https://ups.com/1Z999" }, notifyCustomer: true });
    expect(result.ok).toBe(true);
    expect(sandbox.state.fulfillments[0]).toMatchObject({ trackingInfo: [{ company: "UPS", number: "1Z999", url: "https://ups.com/1Z999" }], notifyCustomer: true });
    expect(sandbox.state.fulfillmentOrders.find((fo) => fo.orderId === shipped.order.id)!.status).toBe("CLOSED");
    // A retry with the same tracking number is recognised; a different parcel finds nothing left.
    expect(await connector.confirmFulfillment({ orderId: shipped.order.id, tracking: { company: "UPS", number: "1Z999" }, notifyCustomer: false })).toMatchObject({ ok: true, value: { alreadyConfirmed: true } });
    expect(sandbox.state.fulfillments).toHaveLength(1);
    expect(await connector.confirmFulfillment({ orderId: shipped.order.id, tracking: { company: "UPS", number: "1Z000" }, notifyCustomer: false })).toMatchObject({ ok: false, reason: "nothing_to_fulfill" });

    const cancelled = await sandbox.simulateOrder({ send: false, lines: [{ sku: "MUG-11", quantity: 3 }] });
    const mugLevel = sandbox.state.inventoryLevels.find((l) => l.inventoryItemId === sandbox.state.inventoryItems.find((i) => i.sku === "MUG-11")!.id && l.available + l.committed > 0)!;
    expect(mugLevel.available).toBe(17);
    expect(await connector.cancelOrder({ orderId: cancelled.order.id, reason: "CUSTOMER", restock: true })).toMatchObject({ ok: true });
    expect(mugLevel.available).toBe(20);
    expect(sandbox.state.orders.find((o) => o.id === cancelled.order.id)!.cancelledAt).not.toBeNull();
    expect(await connector.cancelOrder({ orderId: cancelled.order.id, reason: "CUSTOMER", restock: true })).toMatchObject({ ok: true, value: { alreadyCancelled: true } });
    expect(mugLevel.available).toBe(20);
  });

  it("runs a bulk catalogue export that the connector polls and downloads", async () => {
    const connector = new ShopifyConnector({
      client: new AdminGraphqlClient({ endpoint: sandbox.graphqlUrl, accessToken: TOKEN, now, sleep: async () => {} }),
      sleep: async () => {},
    });
    const started = await connector.startBulkCatalogueExport();
    if (!started.ok) throw new Error(started.detail);
    const products = await connector.awaitBulkCatalogue(started.value.bulkOperationId, { pollIntervalMs: 1 });
    if (!products.ok) throw new Error(products.detail);
    expect(products.value.map((p) => [p.title, p.variants.map((v) => v.sku)])).toEqual([
      ["Switchyard Tee", ["TEE-BLK-M", "TEE-BLK-L"]],
      ["Switchyard Mug", ["MUG-11"]],
    ]);
  });
});
