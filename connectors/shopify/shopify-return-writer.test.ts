import nock from "nock";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { ChannelReturnView } from "../../core/ports/channel-connector-port.js";
import { AdminGraphqlClient } from "./admin-graphql-client.js";
import { loadAdminSchema } from "./admin-schema-loader.js";
import { ShopifyConnector } from "./shopify-connector.js";
import { ShopifyReturnWriter } from "./shopify-return-writer.js";
import { startShopifySandbox, type ShopifySandbox } from "./sandbox/shopify-sandbox.server.js";

/** The return writer against the sandbox, which validates every document against the 2026-04 SDL. */

const TOKEN = "shpat_returns";
let sandbox: ShopifySandbox;
let writer: ShopifyReturnWriter;
let connector: ShopifyConnector;

beforeAll(() => void loadAdminSchema(), 60_000);
beforeAll(() => {
  nock.disableNetConnect();
  nock.enableNetConnect("127.0.0.1");
});
afterAll(() => nock.enableNetConnect());

beforeEach(async () => {
  sandbox = await startShopifySandbox({
    port: 0,
    shopDomain: "returns-test.myshopify.com",
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
        { sku: "A", location: "Main", available: 9 },
        { sku: "B", location: "Main", available: 9 },
      ],
    },
  });
  const client = new AdminGraphqlClient({ endpoint: sandbox.graphqlUrl, accessToken: TOKEN, sleep: async () => {} });
  writer = new ShopifyReturnWriter(client);
  connector = new ShopifyConnector({ client });
});
afterEach(async () => sandbox.stop());

/** A paid order of 2 × A and 1 × B, shipped (fulfilled in Shopify) unless told otherwise. */
async function order(options: { fulfilled?: boolean } = {}) {
  const { order } = await sandbox.simulateOrder({ send: false, lines: [{ sku: "A", quantity: 2 }, { sku: "B", quantity: 1 }] });
  order.financialStatus = "PAID";
  if (options.fulfilled !== false) {
    const shipped = await connector.confirmFulfillment({ orderId: order.id, tracking: { company: "USPS", number: `T${order.legacyId}` }, notifyCustomer: false });
    expect(shipped.ok).toBe(true);
  }
  return { id: order.id, lineA: order.lineItems[0]!.id, lineB: order.lineItems[1]!.id };
}

function placed(result: Awaited<ReturnType<ShopifyReturnWriter["requestReturn"]>>): ChannelReturnView {
  if (!result.ok) throw new Error(result.detail);
  if (!("placed" in result.value)) throw new Error(JSON.stringify(result.value));
  return result.value.placed;
}

describe("Shopify return writer", () => {
  it("requests, approves, attaches the label, and processes with a refund through financialTransfer", async () => {
    const o = await order();
    const requested = placed(await writer.requestReturn({ orderExternalId: o.id, lines: [{ externalLineId: o.lineA, quantity: 1, reason: "size_too_small", note: "too tight" }] }));
    expect(requested).toMatchObject({ status: "requested", lines: [{ externalLineId: o.lineA, quantity: 1, unprocessedQuantity: 1, reverseLineId: null }] });
    const stored = sandbox.state.returns[0]!;
    expect(sandbox.state.returnReasonDefinitions.find((d) => d.id === stored.lines[0]!.reasonDefinitionId)?.handle).toBe("size-too-small");

    const approved = await writer.approveReturn(requested.externalId);
    if (!approved.ok) throw new Error(approved.detail);
    expect(approved.value.status).toBe("open");
    expect(approved.value.reverseFulfillmentOrdersAwaitingDelivery).toHaveLength(1);
    // Approving twice is refused by Shopify: the job reads the state first and never asks twice.
    expect(await writer.approveReturn(requested.externalId)).toMatchObject({ ok: false, reason: "rejected" });

    const label = await writer.attachLabel({
      reverseFulfillmentOrderId: approved.value.reverseFulfillmentOrdersAwaitingDelivery[0]!,
      trackingNumber: "RET123",
      trackingUrl: "https://track.example/RET123",
      labelUrl: "https://labels.example/RET123.pdf",
      notifyCustomer: true,
    });
    expect(label.ok).toBe(true);
    const afterLabel = await writer.findReturn(requested.externalId);
    expect(afterLabel.ok && afterLabel.value?.reverseFulfillmentOrdersAwaitingDelivery).toEqual([]);

    const line = approved.value.lines[0]!;
    const processed = await writer.processReturn({
      returnExternalId: requested.externalId,
      orderExternalId: o.id,
      lines: [{ id: line.id, quantity: 1, disposition: { reverseLineId: line.reverseLineId!, kind: "restocked", locationExternalId: sandbox.state.locations[0]!.id } }],
      exchangeLines: [],
      money: { kind: "original_payment", amountMinor: 1_000, currency: "USD" },
      notifyCustomer: true,
    });
    if (!processed.ok) throw new Error(processed.detail);
    expect(processed.value.lines[0]!.unprocessedQuantity).toBe(0);
    expect(sandbox.state.refunds).toEqual([expect.objectContaining({ returnId: requested.externalId, amountMinor: 1_000, storeCreditMinor: 0 })]);
    expect(sandbox.state.returns[0]!.lines[0]!.disposition).toEqual({ type: "RESTOCKED", locationId: sandbox.state.locations[0]!.id });
    // Nothing is left to process: a second process is refused, so money never leaves twice.
    expect(
      await writer.processReturn({ returnExternalId: requested.externalId, orderExternalId: o.id, lines: [{ id: line.id, quantity: 1 }], exchangeLines: [], money: { kind: "original_payment", amountMinor: 1_000, currency: "USD" }, notifyCustomer: false }),
    ).toMatchObject({ ok: false });
    expect(sandbox.state.refunds).toHaveLength(1);

    expect((await writer.closeReturn(requested.externalId)).ok).toBe(true);
    expect(sandbox.state.returns[0]!.status).toBe("CLOSED");
    expect(sandbox.state.outbox.map((w) => w.topic)).toEqual([]);
  });

  it("creates an open return with exchange items and processes the exchange with store credit for the difference", async () => {
    const o = await order();
    const variantB = sandbox.state.variants.find((v) => v.sku === "B")!.id;
    const created = placed(
      await writer.createReturn({ orderExternalId: o.id, lines: [{ externalLineId: o.lineA, quantity: 1, reason: "style" }], exchangeLines: [{ variantExternalId: variantB, quantity: 1 }] }),
    );
    expect(created.status).toBe("open");
    expect(created.exchangeLines).toEqual([{ id: expect.stringContaining("ExchangeLineItem"), unprocessedQuantity: 1 }]);
    const processed = await writer.processReturn({
      returnExternalId: created.externalId,
      orderExternalId: o.id,
      lines: [{ id: created.lines[0]!.id, quantity: 1, disposition: { reverseLineId: created.lines[0]!.reverseLineId!, kind: "processing_required" } }],
      exchangeLines: [{ id: created.exchangeLines[0]!.id, quantity: 1 }],
      money: { kind: "store_credit", amountMinor: 250, currency: "USD" },
      notifyCustomer: false,
    });
    if (!processed.ok) throw new Error(processed.detail);
    expect(processed.value.exchangeLines[0]!.unprocessedQuantity).toBe(0);
    expect(sandbox.state.refunds).toEqual([expect.objectContaining({ amountMinor: 0, storeCreditMinor: 250 })]);
  });

  it("declines and cancels only while Shopify allows it", async () => {
    const o = await order();
    const one = placed(await writer.requestReturn({ orderExternalId: o.id, lines: [{ externalLineId: o.lineB, quantity: 1, reason: "unwanted" }] }));
    expect(await writer.declineReturn(one.externalId, { reason: "final_sale", note: "final sale item" })).toMatchObject({ ok: true, value: { status: "declined" } });
    expect(sandbox.state.returns[0]!.decline).toEqual({ reason: "FINAL_SALE", note: "final sale item" });
    expect(await writer.cancelReturn(one.externalId)).toMatchObject({ ok: false, reason: "rejected" });
    // The declined units are returnable again.
    const two = placed(await writer.requestReturn({ orderExternalId: o.id, lines: [{ externalLineId: o.lineB, quantity: 1, reason: "other" }] }));
    expect(await writer.cancelReturn(two.externalId)).toMatchObject({ ok: true, value: { status: "cancelled" } });
    const found = await writer.findOrderReturns(o.id);
    expect(found.ok && found.value.map((r) => r.status)).toEqual(["cancelled", "declined"]);
  });

  it("answers unmirrorable when Shopify has nothing returnable, and then refunds once per idempotency key", async () => {
    const o = await order({ fulfilled: false });
    const asked = await writer.requestReturn({ orderExternalId: o.id, lines: [{ externalLineId: o.lineA, quantity: 1, reason: "defective" }] });
    expect(asked.ok && "unmirrorable" in asked.value).toBe(true);
    expect(sandbox.state.returns).toHaveLength(0);
    // An order Shopify does not have at all is said so, not mistaken for an unfulfilled one.
    expect(await writer.requestReturn({ orderExternalId: "gid://shopify/Order/1", lines: [{ externalLineId: o.lineA, quantity: 1, reason: "defective" }] })).toEqual({
      ok: true,
      value: { orderMissing: "Shopify does not have order gid://shopify/Order/1" },
    });

    const refund = { orderExternalId: o.id, idempotencyKey: "switchyard:return-refund:r1", lines: [{ externalLineId: o.lineA, quantity: 1 }], money: { kind: "original_payment" as const, amountMinor: 1_000, currency: "USD" } };
    const first = await writer.refund(refund);
    const again = await writer.refund(refund);
    if (!first.ok || !again.ok) throw new Error("refund failed");
    expect(again.value.refundId).toBe(first.value.refundId);
    expect(sandbox.state.refunds).toHaveLength(1);
    // The same key with other parameters is refused rather than refunding something else.
    expect(await writer.refund({ ...refund, money: { ...refund.money, amountMinor: 500 } })).toMatchObject({ ok: false, reason: "rejected" });
    expect(sandbox.state.refunds).toHaveLength(1);
  });
});
