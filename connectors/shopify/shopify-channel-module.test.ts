import nock from "nock";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ok } from "../../core/shared/result.js";
import type { ChannelCapabilities } from "../../core/ports/channel-module-port.js";
import { openChannelConnection } from "../channel-connectors.js";
import { loadAdminSchema } from "./admin-schema-loader.js";
import { shopifyChannelModule } from "./shopify-channel-module.js";
import { startShopifySandbox, type ShopifySandbox } from "./sandbox/shopify-sandbox.server.js";

/** The module's capabilities end to end against the sandbox (real HTTP on 127.0.0.1 only). */

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

/** The Shopify module opened on a connection to the sandbox, as the jobs open it. */
function open(token = TOKEN): ChannelCapabilities {
  const opened = openChannelConnection(
    {
      modules: [shopifyChannelModule({ app: null, sleep: async () => {} })],
      credentials: {
        decrypt: (stored) => ok(JSON.parse(stored!)),
        rotate: async () => ({ ok: false, reason: "unauthorized", detail: "no refresh in this test" }),
      },
    },
    {
      id: "c1",
      channel: "shopify",
      name: "port-test",
      shopDomain: "port-test.myshopify.com",
      credentialsEncrypted: JSON.stringify({ accessToken: token }),
      settings: { baseUrl: sandbox.url },
    },
  );
  if (!opened.ok) throw new Error(opened.detail);
  return opened.value;
}
/** Every capability of the opened module in one object, for short tests. */
function port(token = TOKEN) {
  const opened = open(token);
  return {
    scope: opened.stock!.scope,
    push: opened.stock!.push.bind(opened.stock),
    fetchOrders: opened.orderPoller!.fetchOrders.bind(opened.orderPoller),
    confirmFulfillment: opened.orderWriter!.confirmFulfillment.bind(opened.orderWriter),
    cancelOrder: opened.orderWriter!.cancelOrder.bind(opened.orderWriter),
  };
}
const item = (sku: string) => sandbox.state.inventoryItems.find((i) => i.sku === sku)!;
const level = (sku: string) => sandbox.state.inventoryLevels.find((l) => l.inventoryItemId === item(sku).id)!;

describe("the Shopify channel module, opened on the sandbox", () => {
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
    // Results come back keyed, not positioned.
    expect([...result.value].sort((a, b) => a.key.localeCompare(b.key))).toEqual([
      { key: "listing-a", status: "applied" },
      { key: "listing-b", status: "rejected", problem: "no Shopify location id for this item" },
      { key: "listing-x", status: "rejected", problem: "INVALID_INVENTORY_ITEM: The specified inventory item could not be found." },
    ]);
    expect(level("A").available).toBe(0);
  });

  it("maps an invalid token that cannot be refreshed to the port's unauthorized failure, in every capability", async () => {
    const result = await port("wrong").fetchOrders(null);
    expect(result).toMatchObject({ ok: false, reason: "unauthorized" });
    const push = await port("wrong").push(
      [{ key: "a", externalId: item("A").id, locationExternalId: sandbox.state.locations[0]!.id, sku: "A", available: 1, previousAvailable: null }],
      { reference: "k" },
    );
    expect(push).toMatchObject({ ok: false, reason: "unauthorized" });
    expect(await open("wrong").health!.check()).toMatchObject({ ok: false, reason: "unauthorized" });
  });

  it("declares exactly the capabilities it opens", () => {
    const opened = open();
    const module = shopifyChannelModule({ app: null });
    expect(module.capabilities).toEqual(expect.arrayContaining(["push_stock", "write_back", "write_returns", "capture_orders_poll", "import_catalogue", "health"]));
    expect([opened.stock, opened.orderWriter, opened.returnWriter, opened.orderPoller, opened.catalogue, opened.health].every(Boolean)).toBe(true);
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
