import nock from "nock";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { AdminGraphqlClient } from "../admin-graphql-client.js";
import { ShopifyConnector } from "../shopify-connector.js";
import { planFulfillmentOrderMoves } from "../shopify-fulfillment-order-move.js";
import { startShopifySandbox, type ShopifySandbox } from "./shopify-sandbox.server.js";

/**
 * Switchyard routes an order to a location Shopify did not assign; the connector moves the
 * fulfillment order lines there (fulfillmentOrderMove) before fulfilling, against the sandbox
 * that speaks the Admin API. The document itself is validated against the 2026-04 SDL in
 * graphql-documents.test.ts with every other document.
 */
const TOKEN = "shpat_sandbox";
let sandbox: ShopifySandbox;
let clock = Date.parse("2026-11-20T10:00:00Z");
const now = () => clock;

beforeAll(() => {
  nock.disableNetConnect();
  nock.enableNetConnect("127.0.0.1");
});
afterAll(() => nock.enableNetConnect());

beforeEach(async () => {
  clock += 1000;
  sandbox = await startShopifySandbox({
    port: 0,
    shopDomain: "switchyard-demo.myshopify.com",
    accessToken: TOKEN,
    webhookSecret: "whsec_sandbox",
    appUrl: "http://127.0.0.1:9",
    now,
    log: () => {},
    seed: {
      locations: [
        { name: "Newark DC", city: "Newark", provinceCode: "NJ", zip: "07102" },
        { name: "Reno DC", city: "Reno", provinceCode: "NV", zip: "89501" },
      ],
      variants: [
        { sku: "TEE", title: "Tee", price: "24.00" },
        { sku: "MUG", title: "Mug", price: "14.50" },
      ],
      inventory: [
        { sku: "TEE", location: "Newark DC", available: 10 },
        { sku: "MUG", location: "Newark DC", available: 10 },
        { sku: "TEE", location: "Reno DC", available: 10 },
        { sku: "MUG", location: "Reno DC", available: 10 },
      ],
    },
  });
});
afterEach(async () => sandbox.stop());

const connector = () =>
  new ShopifyConnector({ client: new AdminGraphqlClient({ endpoint: sandbox.graphqlUrl, accessToken: TOKEN, now, sleep: async () => {} }) });
const locationNamed = (name: string) => sandbox.state.locations.find((l) => l.name === name)!.id;
const levelOf = (sku: string, location: string) => {
  const item = sandbox.state.inventoryItems.find((i) => i.sku === sku)!;
  return sandbox.state.inventoryLevels.find((l) => l.inventoryItemId === item.id && l.locationId === locationNamed(location))!;
};

describe("fulfilling from the location Switchyard routed to", () => {
  it("moves the whole fulfillment order to our location, then fulfils from there", async () => {
    const { order } = await sandbox.simulateOrder({ send: false, lines: [{ sku: "TEE", quantity: 2 }] });
    // Shopify assigned Newark (its first location that could ship); we routed to Reno.
    expect(sandbox.state.fulfillmentOrders.find((fo) => fo.orderId === order.id)!.locationId).toBe(locationNamed("Newark DC"));
    const result = await connector().confirmFulfillment({
      orderId: order.id,
      locationId: locationNamed("Reno DC"),
      tracking: { company: "UPS", number: "1ZRENO" },
      notifyCustomer: true,
    });
    expect(result).toMatchObject({ ok: true, value: { alreadyConfirmed: false } });
    const fos = sandbox.state.fulfillmentOrders.filter((fo) => fo.orderId === order.id);
    expect(fos.map((fo) => [fo.locationId, fo.status])).toEqual([[locationNamed("Reno DC"), "CLOSED"]]);
    // Committed stock followed the units to Reno, and left with the parcel.
    expect(levelOf("TEE", "Newark DC")).toMatchObject({ available: 10, committed: 0 });
    expect(levelOf("TEE", "Reno DC")).toMatchObject({ available: 8, committed: 0 });
  });

  it("moves only the lines a split shipment carries and leaves the rest where Shopify put them", async () => {
    const { order } = await sandbox.simulateOrder({ send: false, lines: [{ sku: "TEE", quantity: 1 }, { sku: "MUG", quantity: 3 }] });
    const mugLine = order.lineItems.find((l) => sandbox.state.variants.find((v) => v.id === l.variantId)!.sku === "MUG")!;
    const result = await connector().confirmFulfillment({
      orderId: order.id,
      locationId: locationNamed("Reno DC"),
      lines: [{ lineItemId: mugLine.id, quantity: 3 }],
      tracking: { company: "USPS", number: "9400RENO" },
      notifyCustomer: false,
    });
    expect(result.ok).toBe(true);
    const fos = sandbox.state.fulfillmentOrders.filter((fo) => fo.orderId === order.id);
    expect(fos.map((fo) => [fo.locationId === locationNamed("Reno DC") ? "Reno" : "Newark", fo.status, fo.lineItems.map((l) => l.remainingQuantity)])).toEqual([
      ["Newark", "OPEN", [1]],
      ["Reno", "CLOSED", [0]],
    ]);
    expect(levelOf("MUG", "Newark DC")).toMatchObject({ available: 10, committed: 0 });
    expect(levelOf("TEE", "Newark DC")).toMatchObject({ available: 9, committed: 1 });
  });

  it("reports Shopify's refusal as a user error instead of fulfilling from the wrong place", async () => {
    const { order } = await sandbox.simulateOrder({ send: false, lines: [{ sku: "TEE", quantity: 1 }] });
    const result = await connector().confirmFulfillment({
      orderId: order.id,
      locationId: "gid://shopify/Location/999999",
      tracking: { company: "UPS", number: "1ZNOWHERE" },
      notifyCustomer: false,
    });
    expect(result).toMatchObject({ ok: false, reason: "user_errors", detail: expect.stringMatching(/Location does not exist/) });
    expect(sandbox.state.fulfillments).toHaveLength(0);
  });

  it("plans nothing when the lines are already at the location", () => {
    const fo = (id: string, location: string, lines: [string, number][]) => ({
      id,
      status: "OPEN",
      assignedLocation: { location: { id: location } },
      lineItems: { nodes: lines.map(([line, remaining], i) => ({ id: `${id}-${i}`, remainingQuantity: remaining, lineItem: { id: line } })) },
    });
    const fos = [fo("A", "L1", [["x", 2]]), fo("B", "L2", [["y", 1], ["x", 1]])];
    expect(planFulfillmentOrderMoves(fos, "L1", [{ lineItemId: "x", quantity: 2 }])).toEqual([]);
    expect(planFulfillmentOrderMoves(fos, "L1", [{ lineItemId: "x", quantity: 3 }])).toEqual([{ fulfillmentOrderId: "B", lineItems: [{ id: "B-1", quantity: 1 }] }]);
    expect(planFulfillmentOrderMoves(fos, "L3", undefined)).toEqual([
      { fulfillmentOrderId: "A", lineItems: [{ id: "A-0", quantity: 2 }] },
      { fulfillmentOrderId: "B", lineItems: [{ id: "B-0", quantity: 1 }, { id: "B-1", quantity: 1 }] },
    ]);
  });
});
