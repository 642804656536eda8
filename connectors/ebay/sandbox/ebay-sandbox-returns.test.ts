import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEbaySession, standaloneEbayTokens } from "../ebay-client.js";
import { decideEbayReturn, refundEbayReturn, searchEbayReturns } from "../returns/ebay-returns.js";
import { startEbaySandbox, type EbaySandbox } from "./ebay-sandbox.server.js";

/** The Post-Order returns desk of the sandbox, driven by the official client over real HTTP. */

const APP = { appId: "Switchya-ret-PRD-1", certId: "PRD-ret-secret" };
let sandbox: EbaySandbox;
let clock = Date.parse("2026-11-20T10:00:00Z");

beforeAll(async () => {
  sandbox = await startEbaySandbox({ port: 0, ...APP, log: () => {}, now: () => clock, random: () => 0.1, seed: { items: [{ sku: "MUG", title: "Mug", price: "12.00", quantity: 50 }] } });
});
afterAll(() => sandbox.stop());

function session() {
  const token = sandbox.issueUserToken();
  return createEbaySession({ baseUrl: sandbox.url, tokens: standaloneEbayTokens({ baseUrl: sandbox.url, credentials: { ...APP, accessToken: token.accessToken, refreshToken: token.refreshToken }, now: () => clock }) });
}

/** An order the seller shipped (as a confirmed shipping fulfillment leaves it in the sandbox). */
function shippedOrder() {
  const order = sandbox.simulateOrder({ lines: [{ sku: "MUG", quantity: 1 }] });
  order.fulfillments.push({ fulfillmentId: `94${order.orderId}`, trackingNumber: `94${order.orderId}`, carrier: "USPS", shippedDate: new Date(clock).toISOString(), lineItems: [{ lineItemId: order.lines[0]!.lineItemId, quantity: 1 }] });
  return order;
}

describe("eBay sandbox returns", () => {
  it("opens returns only on shipped lines, pages them in filing order, and walks decide → shipped → delivered → refund → closed", async () => {
    const ebay = session();
    expect(sandbox.returns.simulateReturn()).toBeUndefined();
    const orders = [shippedOrder(), shippedOrder(), shippedOrder()];
    const opened = orders.map((order) => {
      clock += 60_000;
      return sandbox.returns.simulateReturn({ orderId: order.orderId, reason: "DEFECTIVE_ITEM" })!;
    });
    clock += 60_000;

    const first = await searchEbayReturns(ebay, JSON.stringify({ from: "2026-11-01T00:00:00.000Z", offset: 0, open: null }), new Date(clock), { limit: 2 });
    if (!first.ok) throw new Error(first.detail);
    expect(first.value.returns.map((r) => r.record.externalReturnId)).toEqual(opened.slice(0, 2).map((r) => r.returnId));
    const second = await searchEbayReturns(ebay, first.value.nextCursor, new Date(clock), { limit: 2 });
    if (!second.ok) throw new Error(second.detail);
    expect(second.value.returns.map((r) => r.record.externalReturnId)).toEqual([opened[2]!.returnId]);
    expect(second.value.returns[0]!.record).toMatchObject({ externalOrderId: orders[2]!.orderId, stage: "requested", lines: [{ externalLineId: orders[2]!.lines[0]!.lineItemId, quantity: 1, reason: "defective" }] });

    const target = opened[0]!.returnId;
    expect(await refundEbayReturn(ebay, { externalOrderId: orders[0]!.orderId, externalReturnId: target, currency: "USD", amountMinor: 1200, lines: [], reason: "r", reference: "#1-R1" })).toMatchObject({ ok: false, reason: "rejected" });
    expect(await decideEbayReturn(ebay, { externalReturnId: target, approve: true })).toEqual({ ok: true, value: undefined });
    expect(await decideEbayReturn(ebay, { externalReturnId: target, approve: true })).toMatchObject({ ok: false, reason: "rejected" });
    sandbox.returns.advance();
    sandbox.returns.advance();
    expect(sandbox.returns.returns.get(target)!.state).toBe("ITEM_DELIVERED");
    expect(await refundEbayReturn(ebay, { externalOrderId: orders[0]!.orderId, externalReturnId: target, currency: "USD", amountMinor: 1300, lines: [], reason: "r", reference: "#1-R1" })).toMatchObject({ ok: false, reason: "rejected" });
    expect(await refundEbayReturn(ebay, { externalOrderId: orders[0]!.orderId, externalReturnId: target, currency: "USD", amountMinor: 1200, lines: [], reason: "r", reference: "#1-R1" })).toEqual({ ok: true, value: { reference: target, alreadyDone: false } });
    expect(await refundEbayReturn(ebay, { externalOrderId: orders[0]!.orderId, externalReturnId: target, currency: "USD", amountMinor: 1200, lines: [], reason: "r", reference: "#1-R1" })).toEqual({ ok: true, value: { reference: target, alreadyDone: true } });
    expect(sandbox.returns.returns.get(target)!.refunds).toHaveLength(1);
    sandbox.returns.advance();
    expect(sandbox.returns.returns.get(target)!.state).toBe("CLOSED");

    expect(await decideEbayReturn(ebay, { externalReturnId: opened[1]!.returnId, approve: false, comment: "worn" })).toEqual({ ok: true, value: undefined });
    expect(sandbox.returns.returns.get(opened[1]!.returnId)!.state).toBe("RETURN_REJECTED");
  });

  it("refuses a Bearer token on the Post-Order API, as eBay wants IAF", async () => {
    const token = sandbox.issueUserToken();
    const response = await fetch(`${sandbox.url}/post-order/v2/return/search`, { headers: { Authorization: `Bearer ${token.accessToken}` } });
    expect(response.status).toBe(401);
  });
});
