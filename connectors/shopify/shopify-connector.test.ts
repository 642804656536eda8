import { readFileSync } from "node:fs";
import path from "node:path";
import nock from "nock";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { AdminGraphqlClient } from "./admin-graphql-client.js";
import { parseBulkCatalogue, ShopifyConnector, type ImportProgress } from "./shopify-connector.js";

const SHOP = "https://switchyard-test.myshopify.com";
const PATH = "/admin/api/2026-04/graphql.json";
const orderNode = JSON.parse(readFileSync(path.resolve(import.meta.dirname, "../../tests/fixtures/shopify/graphql-order-node.json"), "utf8")) as Record<string, unknown>;

interface Sent {
  query: string;
  variables: Record<string, unknown>;
}

beforeAll(() => nock.disableNetConnect());
afterAll(() => nock.enableNetConnect());
afterEach(() => {
  const pending = nock.pendingMocks();
  nock.cleanAll();
  expect(pending).toEqual([]);
});

const connector = () =>
  new ShopifyConnector({
    client: new AdminGraphqlClient({ endpoint: `${SHOP}${PATH}`, accessToken: "shpat_test", sleep: async () => {} }),
    sleep: async () => {},
  });

const location = (n: number) => ({
  id: `gid://shopify/Location/${n}`,
  name: `Warehouse ${n}`,
  isActive: true,
  fulfillsOnlineOrders: true,
  shipsInventory: true,
  address: { address1: `${n} Main St`, address2: null, city: "Columbus", provinceCode: "OH", zip: "43215", countryCode: "US", phone: null, latitude: 39.96, longitude: -83 },
});

describe("ShopifyConnector import", () => {
  it("follows cursors over several pages and reports progress against the count", async () => {
    const sent: Sent[] = [];
    const page = (nodes: unknown[], hasNextPage: boolean, endCursor: string) => ({
      data: { locations: { pageInfo: { hasNextPage, endCursor }, nodes }, locationsCount: { count: 5, precision: "EXACT" } },
    });
    nock(SHOP)
      .post(PATH, (b: Sent) => (sent.push(b), true))
      .reply(200, page([location(1), location(2)], true, "c2"))
      .post(PATH, (b: Sent) => (sent.push(b), true))
      .reply(200, page([location(3), location(4)], true, "c4"))
      .post(PATH, (b: Sent) => (sent.push(b), true))
      .reply(200, page([location(5)], false, "c5"));
    const progress: ImportProgress[] = [];
    const c = new ShopifyConnector({
      client: new AdminGraphqlClient({ endpoint: `${SHOP}${PATH}`, accessToken: "t", sleep: async () => {} }),
      pageSizes: { locations: 2 },
    });
    const result = await c.importLocations({ onProgress: (p) => progress.push(p) });

    expect(result.ok && result.value.map((l) => l.name)).toEqual(["Warehouse 1", "Warehouse 2", "Warehouse 3", "Warehouse 4", "Warehouse 5"]);
    expect(sent.map((s) => s.variables.after)).toEqual([null, "c2", "c4"]);
    expect(sent.every((s) => s.variables.first === 2)).toBe(true);
    expect(progress).toEqual([1, 2, 3].map((done) => ({ resource: "locations", done, total: 3 })));
  });

  it("completes a product whose variants overflow the nested page", async () => {
    const variant = (n: number) => ({ id: `gid://shopify/ProductVariant/${n}`, sku: `SKU-${n}`, title: `V${n}`, price: "5.00", inventoryItem: { id: `gid://shopify/InventoryItem/${n}`, tracked: true } });
    const sent: Sent[] = [];
    nock(SHOP)
      .post(PATH, (b: Sent) => (sent.push(b), true))
      .reply(200, {
        data: {
          products: { pageInfo: { hasNextPage: false, endCursor: "p1" }, nodes: [{ id: "gid://shopify/Product/9", title: "Tee", status: "ACTIVE", variants: { pageInfo: { hasNextPage: true, endCursor: "v2" }, nodes: [variant(1), variant(2)] } }] },
          productsCount: { count: 1, precision: "EXACT" },
        },
      })
      .post(PATH, (b: Sent) => (sent.push(b), true))
      .reply(200, { data: { productVariants: { pageInfo: { hasNextPage: false, endCursor: "x" }, nodes: [1, 2, 3].map((n) => ({ ...variant(n), product: { id: "gid://shopify/Product/9", title: "Tee", status: "ACTIVE" } })) } } });
    const result = await connector().importProducts();
    expect(result.ok && result.value[0]!.variants.map((v) => v.sku)).toEqual(["SKU-1", "SKU-2", "SKU-3"]);
    expect(sent[1]!.variables.query).toBe("product_id:9");
  });

  it("reads inventory levels per location, page by page", async () => {
    const level = (sku: string, available: number) => ({ id: `gid://shopify/InventoryLevel/${sku}`, item: { id: `gid://shopify/InventoryItem/${sku}`, sku }, quantities: [{ name: "available", quantity: available }, { name: "on_hand", quantity: available + 1 }, { name: "committed", quantity: 1 }] });
    nock(SHOP)
      .post(PATH, (b: Sent) => b.variables.locationId === "gid://shopify/Location/1" && b.variables.after === null)
      .reply(200, { data: { location: { id: "gid://shopify/Location/1", inventoryLevels: { pageInfo: { hasNextPage: true, endCursor: "a" }, nodes: [level("A", 3)] } } } })
      .post(PATH, (b: Sent) => b.variables.after === "a")
      .reply(200, { data: { location: { id: "gid://shopify/Location/1", inventoryLevels: { pageInfo: { hasNextPage: false, endCursor: "b" }, nodes: [level("B", 0)] } } } });
    const result = await connector().importInventoryLevels(["gid://shopify/Location/1"]);
    expect(result.ok && result.value).toEqual([
      { locationId: "gid://shopify/Location/1", inventoryItemId: "gid://shopify/InventoryItem/A", sku: "A", available: 3, onHand: 4, committed: 1 },
      { locationId: "gid://shopify/Location/1", inventoryItemId: "gid://shopify/InventoryItem/B", sku: "B", available: 0, onHand: 1, committed: 1 },
    ]);
  });
});

describe("ShopifyConnector.fetchOrders", () => {
  it("maps a page, keeps bad nodes for inspection, and moves the cursor forward from the newest change", async () => {
    const sent: Sent[] = [];
    const bad = { id: "gid://shopify/Order/2", updatedAt: "2026-11-20T20:00:00Z", name: "#2" };
    nock(SHOP)
      .post(PATH, (b: Sent) => (sent.push(b), true))
      .reply(200, { data: { orders: { pageInfo: { hasNextPage: true, endCursor: "o1" }, nodes: [orderNode] } } })
      .post(PATH, (b: Sent) => (sent.push(b), true))
      .reply(200, { data: { orders: { pageInfo: { hasNextPage: false, endCursor: "o2" }, nodes: [bad] } } })
      .post(PATH, (b: Sent) => (sent.push(b), true))
      .reply(200, { data: { orders: { pageInfo: { hasNextPage: false, endCursor: null }, nodes: [] } } });
    const c = connector();
    const first = await c.fetchOrders(null, { updatedSince: new Date("2026-11-01T00:00:00Z") });
    if (!first.ok) throw new Error(first.detail);
    expect(first.value.orders.map((o) => o.externalId)).toEqual(["gid://shopify/Order/820982911946154508"]);
    expect(first.value.hasMore).toBe(true);
    expect(sent[0]!.variables.query).toBe("updated_at:>='2026-11-01T00:00:00.000Z'");
    expect(sent[0]!.query).toMatch(/sortKey: UPDATED_AT/);

    const second = await c.fetchOrders(first.value.nextCursor);
    if (!second.ok) throw new Error(second.detail);
    expect(sent[1]!.variables.after).toBe("o1");
    expect(second.value.orders).toEqual([]);
    expect(second.value.rejected).toMatchObject([{ externalId: "gid://shopify/Order/2", reason: "invalid_payload", raw: bad }]);
    expect(second.value.hasMore).toBe(false);

    // The next poll starts again from the newest updatedAt seen, without a page cursor.
    const third = await c.fetchOrders(second.value.nextCursor);
    expect(third.ok).toBe(true);
    expect(sent[2]!.variables).toMatchObject({ after: null, query: "updated_at:>='2026-11-20T20:00:00.000Z'" });
  });

  it("refuses a cursor it did not issue", async () => {
    expect(await connector().fetchOrders("bm90IG91cnM")).toMatchObject({ ok: false, reason: "invalid_cursor" });
  });

  it("fetches the remaining lines of a large order before mapping it", async () => {
    const node = structuredClone(orderNode) as { lineItems: { pageInfo: { hasNextPage: boolean; endCursor: string | null }; nodes: unknown[] } };
    const [firstLine, secondLine] = node.lineItems.nodes;
    node.lineItems = { pageInfo: { hasNextPage: true, endCursor: "l1" }, nodes: [firstLine] };
    nock(SHOP)
      .post(PATH, (b: Sent) => b.query.includes("SwitchyardOrders("))
      .reply(200, { data: { orders: { pageInfo: { hasNextPage: false, endCursor: "o" }, nodes: [node] } } })
      .post(PATH, (b: Sent) => b.query.includes("SwitchyardOrderLineItems") && b.variables.after === "l1")
      .reply(200, { data: { order: { id: "x", lineItems: { pageInfo: { hasNextPage: false, endCursor: "l2" }, nodes: [secondLine] } } } });
    const result = await connector().fetchOrders(null);
    expect(result.ok && result.value.orders[0]!.lines.map((l) => l.sku)).toEqual(["IPOD2008PINK", "MUG-BLK-11OZ"]);
  });
});

describe("ShopifyConnector fulfillment and cancellation", () => {
  const fulfillmentOrders = {
    data: {
      order: {
        id: "gid://shopify/Order/1",
        cancelledAt: null,
        fulfillments: [{ id: "gid://shopify/Fulfillment/4", status: "SUCCESS", trackingInfo: [{ company: "USPS", number: "9400100000000000000000" }] }],
        fulfillmentOrders: {
          pageInfo: { hasNextPage: false },
          nodes: [
            {
              id: "gid://shopify/FulfillmentOrder/10",
              status: "OPEN",
              assignedLocation: { name: "East", location: { id: "gid://shopify/Location/1" } },
              lineItems: {
                pageInfo: { hasNextPage: false },
                nodes: [
                  { id: "gid://shopify/FulfillmentOrderLineItem/100", sku: "A", remainingQuantity: 2, totalQuantity: 2, lineItem: { id: "gid://shopify/LineItem/1000" } },
                  { id: "gid://shopify/FulfillmentOrderLineItem/101", sku: "B", remainingQuantity: 0, totalQuantity: 1, lineItem: { id: "gid://shopify/LineItem/1001" } },
                ],
              },
            },
            { id: "gid://shopify/FulfillmentOrder/11", status: "CLOSED", assignedLocation: { name: "West", location: { id: "gid://shopify/Location/2" } }, lineItems: { pageInfo: { hasNextPage: false }, nodes: [] } },
          ],
        },
      },
    },
  };

  it("confirms a fulfillment with tracking for everything still open", async () => {
    let created: Sent | undefined;
    nock(SHOP)
      .post(PATH, (b: Sent) => b.query.includes("SwitchyardOrderFulfillmentOrders") && b.variables.orderId === "gid://shopify/Order/1")
      .reply(200, fulfillmentOrders)
      .post(PATH, (b: Sent) => ((created = b), b.query.includes("fulfillmentCreate")))
      .reply(200, { data: { fulfillmentCreate: { fulfillment: { id: "gid://shopify/Fulfillment/5", status: "SUCCESS", trackingInfo: [] }, userErrors: [] } } });
    const result = await connector().confirmFulfillment({
      orderId: "gid://shopify/Order/1",
      tracking: { company: "UPS", number: "1Z999AA10123456784", url: "https://www.ups.com/track?tracknum=1Z999AA10123456784" },
      notifyCustomer: true,
    });
    expect(result).toEqual({ ok: true, value: { fulfillmentId: "gid://shopify/Fulfillment/5", status: "SUCCESS", alreadyConfirmed: false } });
    expect(created!.variables.fulfillment).toEqual({
      notifyCustomer: true,
      trackingInfo: { company: "UPS", number: "1Z999AA10123456784", url: "https://www.ups.com/track?tracknum=1Z999AA10123456784" },
      lineItemsByFulfillmentOrder: [{ fulfillmentOrderId: "gid://shopify/FulfillmentOrder/10", fulfillmentOrderLineItems: [{ id: "gid://shopify/FulfillmentOrderLineItem/100", quantity: 2 }] }],
    });
  });

  it("recognises a repeated confirmation by its tracking number and does not ship twice", async () => {
    nock(SHOP).post(PATH).reply(200, fulfillmentOrders);
    const result = await connector().confirmFulfillment({ orderId: "gid://shopify/Order/1", tracking: { company: "USPS", number: "9400100000000000000000" }, notifyCustomer: true });
    expect(result).toEqual({ ok: true, value: { fulfillmentId: "gid://shopify/Fulfillment/4", status: "SUCCESS", alreadyConfirmed: true } });
  });

  it("returns Shopify's userErrors as a value", async () => {
    nock(SHOP)
      .post(PATH)
      .reply(200, fulfillmentOrders)
      .post(PATH)
      .reply(200, { data: { fulfillmentCreate: { fulfillment: null, userErrors: [{ field: ["fulfillment"], message: "Invalid fulfillment order line item quantity requested." }] } } });
    const result = await connector().confirmFulfillment({ orderId: "gid://shopify/Order/1", tracking: { company: "UPS", number: "1" }, notifyCustomer: false, lines: [{ lineItemId: "gid://shopify/LineItem/1000", quantity: 1 }] });
    expect(result).toMatchObject({ ok: false, reason: "user_errors", detail: expect.stringMatching(/quantity requested/) });
  });

  it("refuses to ship more than remains, without calling fulfillmentCreate", async () => {
    nock(SHOP).post(PATH).reply(200, fulfillmentOrders);
    const result = await connector().confirmFulfillment({ orderId: "gid://shopify/Order/1", tracking: { company: "UPS", number: "1" }, notifyCustomer: false, lines: [{ lineItemId: "gid://shopify/LineItem/1000", quantity: 3 }] });
    expect(result).toMatchObject({ ok: false, reason: "nothing_to_fulfill" });
  });

  it("cancels without refunding and passes restock through", async () => {
    let sent: Sent | undefined;
    const notCancelled = { data: { order: { id: "gid://shopify/Order/1", cancelledAt: null } } };
    nock(SHOP)
      .post(PATH, (b: Sent) => b.query.includes("SwitchyardOrderCancelState"))
      .reply(200, notCancelled)
      .post(PATH, (b: Sent) => ((sent = b), b.query.includes("orderCancel(")))
      .reply(200, { data: { orderCancel: { job: { id: "gid://shopify/Job/abc", done: false }, orderCancelUserErrors: [] } } });
    const result = await connector().cancelOrder({ orderId: "gid://shopify/Order/1", reason: "INVENTORY", restock: false, staffNote: "oversold" });
    expect(result).toEqual({ ok: true, value: { jobId: "gid://shopify/Job/abc", alreadyCancelled: false } });
    expect(sent!.variables).toEqual({ orderId: "gid://shopify/Order/1", reason: "INVENTORY", restock: false, refundMethod: { originalPaymentMethodsRefund: false }, notifyCustomer: false, staffNote: "oversold" });

    nock(SHOP)
      .post(PATH)
      .reply(200, notCancelled)
      .post(PATH)
      .reply(200, { data: { orderCancel: { job: null, orderCancelUserErrors: [{ field: ["orderId"], message: "Cannot cancel a fulfilled order.", code: "INVALID" }] } } });
    expect(await connector().cancelOrder({ orderId: "gid://shopify/Order/1", reason: "OTHER", restock: true })).toMatchObject({ ok: false, reason: "user_errors", detail: "INVALID: Cannot cancel a fulfilled order. (orderId)" });

    nock(SHOP).post(PATH).reply(200, { data: { order: null } });
    expect(await connector().cancelOrder({ orderId: "gid://shopify/Order/2", reason: "OTHER", restock: true })).toMatchObject({ ok: false, reason: "not_found" });
  });

  it("treats cancelling an already cancelled order as done, without sending orderCancel", async () => {
    nock(SHOP).post(PATH).reply(200, { data: { order: { id: "gid://shopify/Order/1", cancelledAt: "2026-11-20T10:00:00Z" } } });
    expect(await connector().cancelOrder({ orderId: "gid://shopify/Order/1", reason: "CUSTOMER", restock: true })).toEqual({ ok: true, value: { jobId: null, alreadyCancelled: true } });
  });
});

describe("parseBulkCatalogue", () => {
  it("regroups JSONL children under their parents", () => {
    const jsonl = [
      { id: "gid://shopify/Product/1", title: "Tee", status: "ACTIVE" },
      { id: "gid://shopify/ProductVariant/11", sku: "TEE-S", title: "S", price: "10.00", inventoryItem: { id: "gid://shopify/InventoryItem/111", tracked: true }, __parentId: "gid://shopify/Product/1" },
      { id: "gid://shopify/Product/2", title: "Mug", status: "ACTIVE" },
    ].map((r) => JSON.stringify(r)).join("\n");
    const result = parseBulkCatalogue(jsonl);
    expect(result.ok && result.value.map((p) => [p.title, p.variants.map((v) => v.sku)])).toEqual([["Tee", ["TEE-S"]], ["Mug", []]]);
    expect(parseBulkCatalogue("{not json")).toMatchObject({ ok: false });
  });
});
