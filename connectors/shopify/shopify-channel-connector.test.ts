import nock from "nock";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { AdminGraphqlClient } from "./admin-graphql-client.js";
import { loadAdminSchema } from "./admin-schema-loader.js";
import { ShopifyChannelConnector } from "./shopify-channel-connector.js";
import { ShopifyConnector } from "./shopify-connector.js";
import { startShopifySandbox, type ShopifySandbox } from "./sandbox/shopify-sandbox.server.js";

/** The port adapter end to end against the sandbox (real HTTP on 127.0.0.1 only). */

const TOKEN = "shpat_port";
let sandbox: ShopifySandbox;

// Building the 3.4 MB SDL takes a second or more under load; do it once, outside the hooks' 10 s budget.
beforeAll(() => void loadAdminSchema(), 60_000);

beforeAll(() => {
  nock.disableNetConnect();
  nock.enableNetConnect("127.0.0.1");
});
afterAll(() => nock.enableNetConnect());

beforeEach(async () => {
  sandbox = await startShopifySandbox({
    port: 0,
    shopDomain: "port-test.myshopify.com",
    accessToken: TOKEN,
    webhookSecret: "unused",
    appUrl: "http://127.0.0.1:9",
    log: () => {},
    seed: {
      locations: [{ name: "Main" }],
      variants: [
        { sku: "A", title: "A", price: "10.00" },
        { sku: "B", title: "B", price: "12.50" },
      ],
      inventory: [
        { sku: "A", location: "Main", available: 5 },
        { sku: "B", location: "Main", available: 8 },
      ],
    },
  });
});
afterEach(async () => sandbox.stop());

function port(token = TOKEN) {
  const client = new AdminGraphqlClient({ endpoint: sandbox.graphqlUrl, accessToken: token, sleep: async () => {} });
  return new ShopifyChannelConnector(new ShopifyConnector({ client }));
}
const item = (sku: string) => sandbox.state.inventoryItems.find((i) => i.sku === sku)!;
const level = (sku: string) => sandbox.state.inventoryLevels.find((l) => l.inventoryItemId === item(sku).id)!;

describe("ShopifyChannelConnector (ChannelConnector + StockPusher ports)", () => {
  it("pages orders with the caller's limit and keeps the cursor opaque", async () => {
    for (let i = 0; i < 3; i++) await sandbox.simulateOrder({ send: false, lines: [{ sku: "A", quantity: 1 }] });
    const first = await port().fetchOrders(null, { limit: 2 });
    if (!first.ok) throw new Error(first.detail);
    expect(first.value.orders.map((o) => o.number)).toEqual(["#1001", "#1002"]);
    expect(first.value.hasMore).toBe(true);
    const second = await port().fetchOrders(first.value.nextCursor, { limit: 2 });
    expect(second.ok && second.value.orders.map((o) => o.number)).toEqual(["#1003"]);
    expect(second.ok && second.value.hasMore).toBe(false);
  });

  it("pushes availability in input order, reports conflicts, and replays a retried call", async () => {
    const main = sandbox.state.locations[0]!.id;
    const updates = [
      { sku: "A", externalId: item("A").id, channelLocationId: main, available: 3, previousAvailable: 5 },
      { sku: "NOPE", channelLocationId: main, available: 1 },
      { sku: "B", externalId: item("B").id, channelLocationId: main, available: 2, previousAvailable: 7 },
    ];
    const result = await port().pushAvailable(updates, { idempotencyKey: "sync-1" });
    if (!result.ok) throw new Error(result.detail);
    expect(result.value.map((r) => [r.sku, r.status])).toEqual([
      ["A", "applied"],
      ["NOPE", "rejected"],
      ["B", "conflict"],
    ]);
    expect([level("A").available, level("B").available]).toEqual([3, 8]);
    expect(sandbox.state.inventoryAdjustments.map((a) => a.referenceDocumentUri)).toEqual(["gid://switchyard/StockSync/sync-1"]);

    // The job retries the same call: Shopify replays by key, nothing is applied twice.
    level("A").available = 4;
    const again = await port().pushAvailable(updates, { idempotencyKey: "sync-1" });
    expect(again.ok && again.value.map((r) => r.status)).toEqual(["applied", "rejected", "conflict"]);
    expect(level("A").available).toBe(4);
    expect(sandbox.state.inventoryAdjustments).toHaveLength(1);
  });

  it("serves the stock sync through StockPusher with per-key results, each item at its own location", async () => {
    const main = sandbox.state.locations[0]!.id;
    expect(port().scope).toBe("per_location");
    const result = await port().push(
      [
        { key: "listing-a", externalId: item("A").id, locationExternalId: main, sku: "A", available: 0, previousAvailable: null },
        { key: "listing-x", externalId: "gid://shopify/InventoryItem/1", locationExternalId: main, sku: null, available: 1, previousAvailable: null },
        { key: "listing-b", externalId: item("B").id, sku: "B", available: 1, previousAvailable: null },
      ],
      { reference: "gid://switchyard/StockSync/run-7" },
    );
    if (!result.ok) throw new Error(result.detail);
    expect(result.value).toEqual([
      { key: "listing-a", status: "applied" },
      { key: "listing-x", status: "rejected", problem: "The specified inventory item could not be found." },
      { key: "listing-b", status: "rejected", problem: "Shopify needs a location to set a quantity" },
    ]);
    expect(level("A").available).toBe(0);
  });

  it("maps an invalid token to the port's unauthorized failure", async () => {
    const result = await port("wrong").fetchOrders(null);
    expect(result).toMatchObject({ ok: false, reason: "unauthorized" });
    const push = await port("wrong").pushAvailable([{ sku: "A", externalId: item("A").id, channelLocationId: sandbox.state.locations[0]!.id, available: 1 }], {
      idempotencyKey: "k",
    });
    expect(push).toMatchObject({ ok: false, reason: "unauthorized" });
  });

  it("confirms fulfillment and cancels through the port, both safe to repeat", async () => {
    const { order } = await sandbox.simulateOrder({ send: false, lines: [{ sku: "A", quantity: 2 }, { sku: "B", quantity: 1 }] });
    const lineA = order.lineItems[0]!.id;
    const shipped = await port().confirmFulfillment({
      orderExternalId: order.id,
      lines: [{ externalLineId: lineA, quantity: 1 }],
      tracking: { carrier: "USPS", trackingNumber: "9400111", shippedAt: new Date() },
      notifyCustomer: false,
      idempotencyKey: "ful-1",
    });
    expect(shipped.ok).toBe(true);
    const fo = sandbox.state.fulfillmentOrders.find((f) => f.orderId === order.id)!;
    expect(fo.lineItems.map((l) => l.remainingQuantity)).toEqual([1, 1]);
    expect(fo.status).toBe("IN_PROGRESS");

    const cancel = { orderExternalId: order.id, reason: "out_of_stock" as const, note: "B oversold", idempotencyKey: "c-1" };
    expect(await port().cancelOrder(cancel)).toEqual({ ok: true, value: { alreadyCancelled: false } });
    expect(sandbox.state.orders[0]!.cancelReason).toBe("INVENTORY");
    expect(await port().cancelOrder(cancel)).toEqual({ ok: true, value: { alreadyCancelled: true } });
  });
});
