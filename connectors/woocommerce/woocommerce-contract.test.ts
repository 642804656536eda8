import nock from "nock";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createWooClient } from "./woocommerce-client.js";
import { wooDocsJsonExample } from "./woocommerce-docs-examples.js";
import { confirmWooFulfillment } from "./woocommerce-fulfillment.js";
import { mapWooCommerceOrder, type WooOrderPayload } from "./woocommerce-order-mapper.js";
import { initialWooPollCursor, pollWooOrders, wooOrderDeliveryIdentity } from "./woocommerce-order-poll.js";
import { pushWooStock, readWooStock } from "./woocommerce-stock-push.js";

/**
 * Contract tests: the connector's requests and its reading of answers, against payloads shaped
 * like WooCommerce's REST API v3 documentation, with the network closed.
 */

const STORE = "https://store.example.com";
const API = "/wp-json/wc/v3";
const client = () => createWooClient({ baseUrl: STORE, credentials: { consumerKey: "ck_test", consumerSecret: "cs_test" } });
const basicAuth = `Basic ${Buffer.from("ck_test:cs_test").toString("base64")}`;

const docsOrder = wooDocsJsonExample("_orders.md", "Retrieve an order") as Record<string, any> | undefined;
const withDocs = docsOrder ? it : it.skip;
if (!docsOrder) console.warn("WooCommerce docs not found under ../shared/specs (set SPECS_DIR): documented-payload tests are skipped");

/** The documented order, changed as a test needs. */
function documentedOrder(change: (o: Record<string, any>) => void = () => {}): WooOrderPayload {
  const o = structuredClone(docsOrder!);
  change(o);
  return o as WooOrderPayload;
}

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

describe("WooCommerce order mapping (documented payload)", () => {
  withDocs("maps the documented order 727 into integer minor units, GMT dates and the shipping address", () => {
    const mapped = mapWooCommerceOrder(documentedOrder());
    if (!mapped.ok) throw new Error(mapped.detail);
    expect(mapped.value).toMatchObject({
      channel: "woocommerce",
      externalId: "727",
      number: "#727",
      currency: "USD",
      financialStatus: "paid",
      placedAt: new Date("2017-03-22T19:28:02Z"),
      sourceUpdatedAt: new Date("2017-03-22T19:28:08Z"),
      subtotalMinor: 1800,
      shippingMinor: 1000,
      taxMinor: 135,
      totalMinor: 2935,
      shippingAddress: { name: "John Doe", line1: "969 Market", city: "San Francisco", region: "CA", postalCode: "94103", countryCode: "US" },
      customer: { email: "john.doe@example.com", name: "John Doe" },
    });
    // The first documented line has no SKU (Woo does not require one): it is matched by its
    // product id; the second by its variation id, never by the parent product.
    expect(mapped.value.lines.map((l) => [l.externalLineId, l.sku, l.channelVariantRef, l.quantity, l.unitPriceMinor, l.taxMinor])).toEqual([
      ["315", undefined, "93", 2, 300, 45],
      ["316", "Bar3", "23", 1, 1200, 90],
    ]);
  });

  withDocs("maps the same payload to the same order every time (redelivery is idempotent)", () => {
    expect(mapWooCommerceOrder(documentedOrder())).toEqual(mapWooCommerceOrder(documentedOrder()));
    const a = wooOrderDeliveryIdentity("order.updated", documentedOrder());
    expect(a).toEqual(wooOrderDeliveryIdentity("order.updated", documentedOrder()));
    expect(a?.deliveryId).toBe("order.updated:727:2017-03-22T19:28:08.000Z");
    expect(wooOrderDeliveryIdentity("order.updated", documentedOrder((o) => (o.date_modified_gmt = "2017-03-22T19:30:00")))?.deliveryId).not.toBe(a?.deliveryId);
  });

  withDocs("leaves out an address without street or country instead of failing the order", () => {
    const mapped = mapWooCommerceOrder(documentedOrder((o) => (o.shipping = { ...o.shipping, address_1: "", country: "" })));
    expect(mapped.ok && mapped.value.shippingAddress).toBeUndefined();
    expect(mapped.ok && mapped.value.billingAddress?.line1).toBe("969 Market");
  });

  withDocs("uses each currency's minor unit (JPY 0, KWD 3 decimals)", () => {
    const yen = mapWooCommerceOrder(
      documentedOrder((o) => {
        Object.assign(o, { currency: "JPY", total: "2935", shipping_total: "1000", total_tax: "135", discount_total: "0" });
        Object.assign(o.line_items[0], { subtotal: "600", total: "600", total_tax: "45" });
        Object.assign(o.line_items[1], { subtotal: "1200", total: "1200", total_tax: "90" });
      }),
    );
    expect(yen.ok && [yen.value.totalMinor, yen.value.lines[0]!.unitPriceMinor]).toEqual([2935, 300]);
    // Cents on a yen order cannot be represented: a typed failure, not a rounding.
    expect(mapWooCommerceOrder(documentedOrder((o) => (o.currency = "JPY")))).toMatchObject({ ok: false, reason: "invalid_amount" });
    const dinar = mapWooCommerceOrder(documentedOrder((o) => Object.assign(o, { currency: "KWD", total: "29.350" })));
    expect(dinar.ok && dinar.value.totalMinor).toBe(29350);
    const tooPrecise = mapWooCommerceOrder(documentedOrder((o) => (o.total = "29.351")));
    expect(tooPrecise).toMatchObject({ ok: false, reason: "invalid_amount" });
  });

  withDocs("reads cancelled, on-hold and failed orders as the ledger needs them", () => {
    const status = (s: string) => {
      const m = mapWooCommerceOrder(documentedOrder((o) => (o.status = s)));
      return m.ok ? [m.value.financialStatus, m.value.cancelled] : m.reason;
    };
    expect(status("cancelled")).toEqual(["voided", true]);
    expect(status("on-hold")).toEqual(["pending", false]);
    expect(status("failed")).toEqual(["declined", false]);
  });

  it("turns a malformed order into a typed rejection, never an exception", () => {
    expect(mapWooCommerceOrder({ id: "x" })).toMatchObject({ ok: false, reason: "invalid_payload" });
    expect(mapWooCommerceOrder(null)).toMatchObject({ ok: false, reason: "invalid_payload" });
    expect(wooOrderDeliveryIdentity("order.created", { id: 1 })).toBeUndefined();
  });
});

describe("WooCommerce REST calls", () => {
  it("polls orders with modified_after over basic auth and follows X-WP-TotalPages", async () => {
    const order = docsOrder ?? { id: 727, date_modified_gmt: "2017-03-22T19:28:08" };
    nock(STORE)
      .get(`${API}/orders`)
      .matchHeader("authorization", basicAuth)
      .query({ modified_after: "2017-03-22T00:00:00.000Z", dates_are_gmt: "true", orderby: "date", order: "asc", per_page: "100", page: "1" })
      .reply(200, [order], { "X-WP-Total": "2", "X-WP-TotalPages": "2", Link: `<${STORE}${API}/orders?page=2>; rel="next"` });
    const first = await pollWooOrders(client(), initialWooPollCursor(new Date("2017-03-22T00:00:00Z")));
    if (!first.ok) throw new Error(first.detail);
    expect(first.value).toMatchObject({ hasMore: true, orders: [order] });
    expect(JSON.parse(first.value.nextCursor)).toMatchObject({ page: 2 });

    nock(STORE).get(`${API}/orders`).query(true).reply(200, [], { "X-WP-Total": "2", "X-WP-TotalPages": "2" });
    const last = await pollWooOrders(client(), first.value.nextCursor);
    // The next sweep starts one second before the newest modification seen.
    expect(last.ok && JSON.parse(last.value.nextCursor)).toEqual({ after: "2017-03-22T19:28:07.000Z", page: 1, newest: null });
  });

  it("maps 401, 404, 429 (with Retry-After) and 5xx to the port's failures", async () => {
    nock(STORE).get(`${API}/orders/1`).reply(401, { code: "woocommerce_rest_cannot_view", message: "Sorry, you cannot view this resource.", data: { status: 401 } });
    nock(STORE).get(`${API}/orders/2`).reply(404, { code: "woocommerce_rest_shop_order_invalid_id", message: "Invalid ID.", data: { status: 404 } });
    nock(STORE).get(`${API}/orders/3`).reply(429, { code: "too_many", message: "slow down" }, { "Retry-After": "7" });
    nock(STORE).get(`${API}/orders/4`).reply(503, "busy");
    expect(await client().get("orders/1")).toMatchObject({ ok: false, reason: "unauthorized" });
    expect(await client().get("orders/2")).toMatchObject({ ok: false, reason: "not_found" });
    expect(await client().get("orders/3")).toMatchObject({ ok: false, reason: "rate_limited", retryAfterMs: 7000 });
    expect(await client().get("orders/4")).toMatchObject({ ok: false, reason: "unavailable" });
  });

  it("adds the tracking note (customer_note) and completes the order", async () => {
    const notes = nock(STORE)
      .get(`${API}/orders/727/notes`)
      .query({ type: "any" })
      .reply(200, [])
      .post(`${API}/orders/727/notes`, (body) => body.customer_note === true && /UPS tracking number 1Z999/.test(body.note))
      .reply(201, { id: 281, author: "system", date_created_gmt: "2017-03-21T19:46:41", note: "Shipped", customer_note: true })
      .put(`${API}/orders/727`, { status: "completed" })
      .reply(200, { id: 727, status: "completed" });
    const result = await confirmWooFulfillment(client(), {
      orderExternalId: "727",
      tracking: { carrier: "UPS", trackingNumber: "1Z999", shippedAt: new Date("2017-03-23T10:00:00Z") },
      notifyCustomer: true,
      idempotencyKey: "k",
    });
    expect(result).toEqual({ ok: true, value: { externalFulfillmentId: "note:281" } });
    expect(notes.isDone()).toBe(true);
  });

  it("splits stock into products/batch and variations/batch, halves on 413 and maps per-item errors", async () => {
    nock(STORE)
      .get(`${API}/products`)
      .query({ type: "variable", per_page: "100", page: "1" })
      .reply(200, [{ id: 22, type: "variable", variations: [23, 24, 25] }], { "X-WP-TotalPages": "1" });
    nock(STORE)
      .post(`${API}/products/batch`, { update: [{ id: 93, manage_stock: true, stock_quantity: 5 }, { id: 94, manage_stock: true, stock_quantity: 0 }] })
      .reply(200, { update: [{ id: 93, stock_quantity: 5 }, { id: 94, error: { code: "woocommerce_rest_product_invalid_id", message: "Invalid ID.", data: { status: 400 } } }] });
    nock(STORE).post(`${API}/products/22/variations/batch`, (b) => b.update.length === 3).reply(413, { code: "woocommerce_rest_request_entity_too_large", message: "Unable to accept more than 2 items for this request.", data: { status: 413 } });
    nock(STORE).post(`${API}/products/22/variations/batch`, (b) => b.update.length === 2).reply(200, (_uri, b: any) => ({ update: b.update }));
    nock(STORE).post(`${API}/products/22/variations/batch`, (b) => b.update.length === 1).reply(200, (_uri, b: any) => ({ update: b.update }));
    const item = (key: string, externalId: string, available: number) => ({ key, externalId, sku: null, available, previousAvailable: null });
    const result = await pushWooStock(client(), [item("a", "93", 5), item("b", "23", 1), item("c", "94", -2), item("d", "24", 2), item("e", "25", 3)]);
    expect(result.ok && result.value.map((r) => `${r.key}:${r.status}`)).toEqual(["a:applied", "b:applied", "c:rejected", "d:applied", "e:applied"]);
    expect(nock.pendingMocks()).toEqual([]);
  });

  it("reads stock for reconciliation from the products and variations lists (include, 100 a page), unknown ids as null", async () => {
    const READ_STORE = "https://read.example.com";
    nock(READ_STORE)
      .get(`${API}/products`)
      .query({ type: "variable", per_page: "100", page: "1" })
      .reply(200, [{ id: 40, type: "variable", variations: [41, 42] }], { "X-WP-TotalPages": "1" });
    nock(READ_STORE)
      .get(`${API}/products`)
      .query({ include: "93,95,96", per_page: "100" })
      .reply(200, [
        { id: 93, type: "simple", manage_stock: true, stock_quantity: 7 },
        { id: 95, type: "simple", manage_stock: false, stock_quantity: null },
      ]);
    nock(READ_STORE)
      .get(`${API}/products/40/variations`)
      .query({ include: "41,42", per_page: "100" })
      .reply(200, [
        { id: 41, manage_stock: true, stock_quantity: 0 },
        { id: 42, manage_stock: "parent", stock_quantity: 12 },
      ]);
    const readClient = createWooClient({ baseUrl: READ_STORE, credentials: { consumerKey: "ck_test", consumerSecret: "cs_test" } });
    const item = (key: string, externalId: string) => ({ key, externalId, sku: null });
    const result = await readWooStock(readClient, [item("a", "93"), item("b", "41"), item("c", "95"), item("d", "42"), item("e", "96"), item("f", "not-an-id")]);
    expect(result).toEqual({
      ok: true,
      value: [
        { key: "a", available: 7 },
        { key: "b", available: 0 },
        { key: "c", available: null },
        { key: "d", available: null },
        { key: "e", available: null },
        { key: "f", available: null },
      ],
    });
    expect(nock.pendingMocks()).toEqual([]);
  });

  it("sweeps the variable products once for many pushes of new ids, and again after the store refuses an id as invalid", async () => {
    const SWEEP_STORE = "https://sweep.example.com";
    const sweepClient = createWooClient({ baseUrl: SWEEP_STORE, credentials: { consumerKey: "ck_test", consumerSecret: "cs_test" } });
    const sweep = () => nock(SWEEP_STORE).get(`${API}/products`).query({ type: "variable", per_page: "100", page: "1" }).reply(200, [], { "X-WP-TotalPages": "1" });
    const item = (id: string) => ({ key: id, externalId: id, sku: null, available: 1, previousAvailable: null });
    sweep();
    nock(SWEEP_STORE).post(`${API}/products/batch`).times(3).reply(200, (_uri, b: any) => ({ update: b.update.map((u: { id: number }) => (u.id === 703 ? { id: 703, error: { code: "woocommerce_rest_product_invalid_id", message: "Invalid ID." } } : u)) }));
    for (const id of ["701", "702", "703"]) expect((await pushWooStock(sweepClient, [item(id)])).ok).toBe(true);
    expect(nock.pendingMocks()).toEqual([]);
    // 703 was refused as an invalid product id: the next new id sweeps again (it may be a new variation).
    sweep();
    nock(SWEEP_STORE).post(`${API}/products/batch`).reply(200, (_uri, b: any) => ({ update: b.update }));
    expect((await pushWooStock(sweepClient, [item("704")])).ok).toBe(true);
    expect(nock.pendingMocks()).toEqual([]);
  });

  it("answers the whole push with the failure when the store is throttling", async () => {
    nock(STORE).get(`${API}/products`).query(true).reply(200, [], { "X-WP-TotalPages": "1" });
    nock(STORE).post(`${API}/products/batch`).reply(429, { code: "too_many" }, { "Retry-After": "3" });
    const result = await pushWooStock(client(), [{ key: "a", externalId: "501", sku: null, available: 1, previousAvailable: null }]);
    expect(result).toMatchObject({ ok: false, reason: "rate_limited", retryAfterMs: 3000 });
  });
});
