import nock from "nock";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createWooClient } from "../woocommerce-client.js";
import { wooDocsJsonExample } from "../woocommerce-docs-examples.js";
import { refundWooOrder, WOO_REFUND_META_KEY, wooRefundBody } from "./woocommerce-refunds.js";

/**
 * Woo refunds written with POST /orders/{id}/refunds, shaped on WooCommerce's REST API v3 docs
 * (the documented refund answer is the reply), with the network closed.
 */

const STORE = "https://store.example.com";
const API = "/wp-json/wc/v3";
const basicAuth = `Basic ${Buffer.from("ck_test:cs_test").toString("base64")}`;
const client = () => createWooClient({ baseUrl: STORE, credentials: { consumerKey: "ck_test", consumerSecret: "cs_test" } });
const documentedRefund = wooDocsJsonExample("_order-refunds.md", "Create a refund") as Record<string, unknown> | undefined;
const refundAnswer = documentedRefund ?? { id: 726, amount: "10.00", reason: "", refunded_payment: false, meta_data: [], line_items: [] };

const request = {
  externalOrderId: "723",
  currency: "USD",
  amountMinor: 2550,
  lines: [
    { externalLineId: "111", quantity: 1, amountMinor: 1999 },
    { externalLineId: "112", quantity: 2, amountMinor: 1100 },
  ],
  reason: "return #723-R1 (defective)",
  reference: "#723-R1",
};

beforeAll(() => nock.disableNetConnect());
afterEach(() => {
  const pending = nock.pendingMocks();
  nock.cleanAll();
  expect(pending).toEqual([]);
});
afterAll(() => nock.enableNetConnect());

describe("WooCommerce refunds", () => {
  it("sends the documented shape: amount as a decimal string, line refund_total as numbers, api_refund true and api_restock false", () => {
    expect(wooRefundBody(request)).toEqual({
      amount: "25.50",
      reason: "#723-R1: return #723-R1 (defective)",
      api_refund: true,
      api_restock: false,
      line_items: [
        { id: 111, quantity: 1, refund_total: 19.99 },
        { id: 112, quantity: 2, refund_total: 11 },
      ],
      meta_data: [{ key: WOO_REFUND_META_KEY, value: "#723-R1" }],
    });
  });

  it("lists the order's refunds first, then creates the refund and answers its id", async () => {
    let body: unknown;
    nock(STORE, { reqheaders: { authorization: basicAuth } })
      .get(`${API}/orders/723/refunds`)
      .query({ per_page: "100" })
      .reply(200, [{ ...refundAnswer, id: 700, meta_data: [] }])
      .post(`${API}/orders/723/refunds`, (b) => ((body = b), true))
      .reply(201, refundAnswer);
    const refunded = await refundWooOrder(client(), request);
    expect(refunded).toEqual({ ok: true, value: { reference: String(refundAnswer.id), alreadyDone: false } });
    expect(body).toMatchObject({ api_refund: true, api_restock: false, amount: "25.50" });
  });

  it("does not pay twice: a refund already carrying the RMA number is the refund (a retried job)", async () => {
    nock(STORE)
      .get(`${API}/orders/723/refunds`)
      .query(true)
      .reply(200, [{ ...refundAnswer, id: 731, meta_data: [{ id: 5, key: WOO_REFUND_META_KEY, value: "#723-R1" }] }]);
    expect(await refundWooOrder(client(), request)).toEqual({ ok: true, value: { reference: "731", alreadyDone: true } });
  });

  it("answers Woo's refusal as the port's rejected, with Woo's message", async () => {
    nock(STORE).get(`${API}/orders/723/refunds`).query(true).reply(200, []);
    nock(STORE)
      .post(`${API}/orders/723/refunds`)
      .reply(400, { code: "woocommerce_rest_cannot_create_order_refund", message: "Refund amount must be greater than zero.", data: { status: 400 } });
    expect(await refundWooOrder(client(), request)).toMatchObject({ ok: false, reason: "rejected", detail: expect.stringContaining("Refund amount must be greater than zero") });
  });

  it("refuses a request it cannot address without calling Woo", async () => {
    expect(await refundWooOrder(client(), { ...request, externalOrderId: "abc" })).toMatchObject({ ok: false, reason: "rejected" });
    expect(await refundWooOrder(client(), { ...request, lines: [{ externalLineId: "x1", quantity: 1, amountMinor: 1 }] })).toMatchObject({ ok: false, reason: "rejected" });
  });
});
