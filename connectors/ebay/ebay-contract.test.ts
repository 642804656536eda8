import { createSign, generateKeyPairSync } from "node:crypto";
import nock from "nock";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createEbaySession, standaloneEbayTokens, type EbayCredentials } from "./ebay-client.js";
import { confirmEbayFulfillment } from "./ebay-fulfillment.js";
import { cancelEbayOrder } from "./ebay-order-cancel.js";
import { createEbayPublicKeyFetcher } from "./ebay-notification-keys.js";
import { ebayChallengeResponse, verifyEbayNotification } from "./ebay-notification-signature.js";
import { ebaySchemaValidator } from "./ebay-openapi-validator.js";
import { ebayListingIdOf, mapEbayOrder } from "./ebay-order-mapper.js";
import { ebayOrderDeliveryIdentity, initialEbayPollCursor, pollEbayOrders } from "./ebay-order-poll.js";
import { pushEbayStock, readEbayStock } from "./ebay-stock-push.js";

/** A session on a standalone token source (what the channel module's credential session does in production). */
function sessionWith(config: Parameters<typeof standaloneEbayTokens>[0]) {
  const tokens = standaloneEbayTokens(config);
  return Object.assign(createEbaySession({ ...(config.baseUrl ? { baseUrl: config.baseUrl } : {}), tokens }), { credentials: tokens.credentials });
}


/**
 * Contract tests: eBay's production hosts intercepted by nock with the network closed; request
 * bodies and the fixtures' own shape validated against eBay's OpenAPI schemas (closed objects).
 */

const API = "https://api.ebay.com";
const APP = { appId: "Switchya-app-PRD-1", certId: "PRD-secret" };
const credentials: EbayCredentials = { ...APP, accessToken: "v^1.1#access", refreshToken: "v^1.1#refresh" };

const schema = (file: Parameters<typeof ebaySchemaValidator>[0], name: string) => ebaySchemaValidator(file, name);
const orderSchema = schema("sell_fulfillment_v1_oas3.json", "Order");
const withSpecs = orderSchema ? it : it.skip;
if (!orderSchema) console.warn("eBay OpenAPI specs not found under ../shared/specs (set SPECS_DIR): schema validation tests are skipped");
/** Asserts a body matches its eBay schema; where the specs are absent the caller's test is skipped. */
const conforms = (file: Parameters<typeof ebaySchemaValidator>[0], name: string, body: unknown) => {
  const problems = schema(file, name)?.(body) ?? [];
  if (problems.length) throw new Error(`${name}: ${problems.join("; ")}`);
  return true;
};

function order(overrides: Record<string, unknown> = {}) {
  return {
    orderId: "12-34567-89012",
    creationDate: "2026-11-30T18:03:21.000Z",
    lastModifiedDate: "2026-11-30T18:05:02.000Z",
    orderFulfillmentStatus: "NOT_STARTED",
    orderPaymentStatus: "PAID",
    sellerId: "switchyard_seller",
    buyer: { username: "jdoe_buyer", buyerRegistrationAddress: { fullName: "Jane Doe", email: "jdoe@members.ebay.com" } },
    pricingSummary: {
      priceSubtotal: { value: "39.98", currency: "USD" },
      priceDiscount: { value: "-5.00", currency: "USD" },
      deliveryCost: { value: "4.99", currency: "USD" },
      tax: { value: "2.90", currency: "USD" },
      total: { value: "42.87", currency: "USD" },
    },
    cancelStatus: { cancelState: "NONE_REQUESTED", cancelRequests: [] },
    fulfillmentStartInstructions: [
      {
        fulfillmentInstructionsType: "SHIP_TO",
        shippingStep: {
          shipTo: {
            fullName: "Jane Doe",
            contactAddress: { addressLine1: "2145 Hamilton Ave", city: "San Jose", stateOrProvince: "CA", postalCode: "95125", countryCode: "US" },
            primaryPhone: { phoneNumber: "4085551234" },
            email: "jdoe@members.ebay.com",
          },
          shippingServiceCode: "USPSPriority",
        },
      },
    ],
    lineItems: [
      {
        lineItemId: "10000123456701",
        legacyItemId: "110551234567",
        sku: "MUG-BLK-11OZ",
        title: "Black mug 11oz",
        quantity: 2,
        lineItemCost: { value: "39.98", currency: "USD" },
        taxes: [{ amount: { value: "2.90", currency: "USD" }, taxType: "STATE_SALES_TAX" }],
        appliedPromotions: [{ promotionId: "P1", description: "5 off", discountAmount: { value: "5.00", currency: "USD" } }],
        soldFormat: "FIXED_PRICE",
      },
    ],
    ...overrides,
  };
}

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

describe("eBay order mapping", () => {
  withSpecs("uses a fixture that is a valid Fulfillment API Order", () => {
    expect(conforms("sell_fulfillment_v1_oas3.json", "Order", order())).toBe(true);
  });

  it("maps amounts to minor units, the negative discount to its size, and the ship-to address", () => {
    const mapped = mapEbayOrder(order());
    if (!mapped.ok) throw new Error(mapped.detail);
    expect(mapped.value).toMatchObject({
      channel: "ebay",
      externalId: "12-34567-89012",
      financialStatus: "paid",
      subtotalMinor: 3998,
      discountMinor: 500,
      shippingMinor: 499,
      taxMinor: 290,
      totalMinor: 4287,
      customer: { externalId: "jdoe_buyer", email: "jdoe@members.ebay.com", name: "Jane Doe" },
      shippingAddress: { name: "Jane Doe", line1: "2145 Hamilton Ave", city: "San Jose", region: "CA", countryCode: "US" },
    });
    expect(mapped.value.lines[0]).toMatchObject({ externalLineId: "10000123456701", sku: "MUG-BLK-11OZ", channelVariantRef: "MUG-BLK-11OZ", quantity: 2, unitPriceMinor: 1999, discountMinor: 500, taxMinor: 290 });
    expect(mapEbayOrder(order())).toEqual(mapped);
  });

  it("handles several currencies (GBP, JPY) and refuses an amount in another currency than the order", () => {
    const gbp = (v: string) => ({ value: v, currency: "GBP" });
    const pounds = mapEbayOrder(order({ pricingSummary: { total: gbp("19.99") }, lineItems: [{ lineItemId: "1", sku: "A", title: "A", quantity: 1, lineItemCost: gbp("19.99") }] }));
    expect(pounds.ok && [pounds.value.currency, pounds.value.totalMinor]).toEqual(["GBP", 1999]);
    const jpy = (v: string) => ({ value: v, currency: "JPY" });
    const yen = mapEbayOrder(order({ pricingSummary: { total: jpy("1500") }, lineItems: [{ lineItemId: "1", sku: "A", title: "A", quantity: 3, lineItemCost: jpy("1500") }] }));
    expect(yen.ok && [yen.value.totalMinor, yen.value.lines[0]!.unitPriceMinor]).toEqual([1500, 500]);
    const mixed = mapEbayOrder(order({ pricingSummary: { total: gbp("10.00") } }));
    expect(mixed).toMatchObject({ ok: false, reason: "invalid_amount" });
  });

  it("leaves out a ship-to without street or country instead of failing", () => {
    const o = order();
    o.fulfillmentStartInstructions[0]!.shippingStep.shipTo.contactAddress = { city: "San Jose" } as never;
    const mapped = mapEbayOrder(o);
    expect(mapped.ok && mapped.value.shippingAddress).toBeUndefined();
  });

  it("names a line's listing by SKU, else item[:variation]; a malformed order is a rejection", () => {
    expect(ebayListingIdOf({ sku: "A-1", legacyItemId: "1" })).toBe("A-1");
    expect(ebayListingIdOf({ legacyItemId: "110551234567", legacyVariationId: "4001" })).toBe("110551234567:4001");
    const noSku = order();
    noSku.lineItems[0] = { ...noSku.lineItems[0]!, sku: undefined as never, legacyVariationId: "4001" } as never;
    const mappedNoSku = mapEbayOrder(noSku);
    expect(mappedNoSku.ok && mappedNoSku.value.lines[0]).toMatchObject({ channelVariantRef: "110551234567:4001" });
    expect(mappedNoSku.ok && mappedNoSku.value.lines[0]!.sku).toBeUndefined();
    expect(mapEbayOrder({ orderId: 5 })).toMatchObject({ ok: false, reason: "invalid_payload" });
    expect(mapEbayOrder(order({ lineItems: [{ ...order().lineItems[0]!, quantity: -1 }] }))).toMatchObject({ ok: false, reason: "invalid_unified_order" });
    expect(ebayOrderDeliveryIdentity(order())).toEqual({ deliveryId: "order:12-34567-89012:2026-11-30T18:05:02.000Z", resourceId: "12-34567-89012", triggeredAt: new Date("2026-11-30T18:05:02.000Z") });
  });
});

describe("eBay REST calls", () => {
  it("polls getOrders with the lastmodifieddate filter, limit and offset, with the Bearer token", async () => {
    const collection = { href: `${API}/sell/fulfillment/v1/order?limit=200&offset=0`, total: 1, limit: 200, offset: 0, orders: [order()] };
    if (orderSchema) conforms("sell_fulfillment_v1_oas3.json", "OrderSearchPagedCollection", collection);
    nock(API)
      .get("/sell/fulfillment/v1/order")
      .matchHeader("authorization", "Bearer v^1.1#access")
      .query({ filter: "lastmodifieddate:[2026-11-30T00:00:00.000Z..]", limit: "200", offset: "0" })
      .reply(200, collection);
    const session = sessionWith({ credentials });
    const page = await pollEbayOrders(session, initialEbayPollCursor(new Date("2026-11-30T00:00:00Z")));
    expect(page.ok && page.value.hasMore).toBe(false);
    expect(page.ok && JSON.parse(page.value.nextCursor)).toEqual({ from: "2026-11-30T18:05:01.000Z", offset: 0, newest: null });
  });

  it("refreshes on 401 with the refresh-token grant, persists the token, then retries once", async () => {
    const events: string[] = [];
    nock(API).get("/sell/fulfillment/v1/order").query(true).matchHeader("authorization", "Bearer v^1.1#access").reply(401, { errors: [{ errorId: 1001, domain: "OAuth", category: "REQUEST", message: "Invalid access token" }] });
    nock(API)
      .post("/identity/v1/oauth2/token", (body) => body.grant_type === "refresh_token" && body.refresh_token === "v^1.1#refresh")
      .matchHeader("authorization", `Basic ${Buffer.from(`${APP.appId}:${APP.certId}`).toString("base64")}`)
      .reply(200, () => {
        events.push("token");
        return { access_token: "v^1.1#fresh", expires_in: 7200, token_type: "User Access Token" };
      });
    nock(API)
      .get("/sell/fulfillment/v1/order")
      .query(true)
      .matchHeader("authorization", "Bearer v^1.1#fresh")
      .reply(200, () => {
        events.push("retry");
        return { total: 0, orders: [] };
      });
    const session = sessionWith({ credentials, onCredentialsRefreshed: async (c) => void events.push(`persist:${c.accessToken}`), now: () => Date.parse("2026-12-01T00:00:00Z") });
    expect((await pollEbayOrders(session, initialEbayPollCursor(new Date(0)))).ok).toBe(true);
    expect(events).toEqual(["token", "persist:v^1.1#fresh", "retry"]);
    expect(session.credentials()).toMatchObject({ accessToken: "v^1.1#fresh", refreshToken: "v^1.1#refresh", accessTokenExpiresAt: "2026-12-01T02:00:00.000Z" });
  });

  it("refreshes before the call when the stored token has already expired", async () => {
    nock(API).post("/identity/v1/oauth2/token").reply(200, { access_token: "v^1.1#fresh", expires_in: 7200 });
    nock(API).get("/sell/fulfillment/v1/order").query(true).matchHeader("authorization", "Bearer v^1.1#fresh").reply(200, { total: 0, orders: [] });
    const session = sessionWith({ credentials: { ...credentials, accessTokenExpiresAt: "2026-11-30T23:59:30.000Z" }, now: () => Date.parse("2026-12-01T00:00:00Z") });
    expect((await pollEbayOrders(session, initialEbayPollCursor(new Date(0)))).ok).toBe(true);
    expect(nock.pendingMocks()).toEqual([]);
  });

  withSpecs("sends at most 25 items per bulkUpdatePriceQuantity, valid against BulkPriceQuantity, and maps the 207 per item", async () => {
    const bodies: unknown[] = [];
    nock(API)
      .post("/sell/inventory/v1/bulk_update_price_quantity", (body) => bodies.push(body) > 0 && conforms("sell_inventory_v1_oas3.json", "BulkPriceQuantity", body))
      .times(2)
      .reply(207, (_uri, body: any) => {
        const answer = {
          responses: body.requests.map((r: { sku: string }) =>
            r.sku === "GONE" ? { statusCode: 404, sku: r.sku, errors: [{ errorId: 25702, domain: "API_INVENTORY", category: "REQUEST", message: "SKU GONE is not available" }] } : { statusCode: 200, sku: r.sku },
          ),
        };
        conforms("sell_inventory_v1_oas3.json", "BulkPriceQuantityResponse", answer);
        return answer;
      });
    const items = [...Array.from({ length: 29 }, (_, i) => `S-${i}`), "GONE"].map((sku, i) => ({ key: `k${i}`, externalId: sku, sku, available: i, previousAvailable: null }));
    const result = await pushEbayStock(sessionWith({ credentials }), items);
    expect(bodies.map((b: any) => b.requests.length)).toEqual([25, 5]);
    expect((bodies[0] as any).requests[3]).toEqual({ sku: "S-3", shipToLocationAvailability: { quantity: 3 } });
    expect(result.ok && result.value.map((r) => r.status).filter((s) => s === "applied")).toHaveLength(29);
    expect(result.ok && result.value.at(-1)).toMatchObject({ key: "k29", status: "rejected", problem: expect.stringContaining("25702") });
  });

  withSpecs("reads the ship-to-home quantity with bulkGetInventoryItem, 25 SKUs a call, valid against BulkGetInventoryItem; an unknown SKU reads as null", async () => {
    const bodies: unknown[] = [];
    nock(API)
      .post("/sell/inventory/v1/bulk_get_inventory_item", (body) => bodies.push(body) > 0 && conforms("sell_inventory_v1_oas3.json", "BulkGetInventoryItem", body))
      .times(2)
      .reply(207, (_uri, body: any) => {
        const answer = {
          responses: body.requests.map((r: { sku: string }) =>
            r.sku === "GONE"
              ? { statusCode: 404, sku: r.sku, errors: [{ errorId: 25702, domain: "API_INVENTORY", category: "REQUEST", message: "SKU GONE is not available in the system" }] }
              : { statusCode: 200, sku: r.sku, inventoryItem: { sku: r.sku, locale: "en_US", availability: { shipToLocationAvailability: { quantity: Number(r.sku.slice(2)) * 2 } } } },
          ),
        };
        conforms("sell_inventory_v1_oas3.json", "BulkGetInventoryItemResponse", answer);
        return answer;
      });
    const items = [...Array.from({ length: 26 }, (_, i) => `S-${i}`), "GONE"].map((sku, i) => ({ key: `k${i}`, externalId: sku, sku }));
    const result = await readEbayStock(sessionWith({ credentials }), items);
    expect(bodies.map((b: any) => b.requests.length)).toEqual([25, 2]);
    expect((bodies[0] as any).requests[0]).toEqual({ sku: "S-0" });
    expect(result.ok && result.value.find((r) => r.key === "k7")).toEqual({ key: "k7", available: 14 });
    expect(result.ok && result.value.find((r) => r.key === "k26")).toEqual({ key: "k26", available: null });
  });

  it("fails a read on an item error other than an unknown SKU, rather than taking it for a figure", async () => {
    nock(API)
      .post("/sell/inventory/v1/bulk_get_inventory_item")
      .reply(207, { responses: [{ statusCode: 500, sku: "A", errors: [{ errorId: 25001, domain: "API_INVENTORY", category: "APPLICATION", message: "A system error has occurred." }] }] });
    const result = await readEbayStock(sessionWith({ credentials }), [{ key: "a", externalId: "A", sku: "A" }]);
    expect(result).toMatchObject({ ok: false, reason: "unavailable", detail: expect.stringContaining("25001") });
  });

  it("answers a throttled push with rate_limited as a whole", async () => {
    nock(API).post("/sell/inventory/v1/bulk_update_price_quantity").reply(429, { errors: [{ errorId: 2001, domain: "ACCESS", category: "REQUEST", message: "Too many requests." }] }, { "Retry-After": "30" });
    const result = await pushEbayStock(sessionWith({ credentials }), [{ key: "a", externalId: "A", sku: "A", available: 1, previousAvailable: null }]);
    expect(result).toMatchObject({ ok: false, reason: "rate_limited", retryAfterMs: 30_000 });
  });

  it("cancels for the seller: reads the order, checks eligibility, then POST /post-order/v2/cancellation with the IAF token, a seller's reason and the payment", async () => {
    nock(API)
      .get("/sell/fulfillment/v1/order/12-34567-89012")
      .reply(200, order({ paymentSummary: { payments: [{ paymentMethod: "EBAY", paymentDate: "2026-11-30T18:03:40.000Z", paymentStatus: "PAID" }] } }));
    nock(API, { reqheaders: { authorization: "IAF v^1.1#access" } })
      .post("/post-order/v2/cancellation/check_eligibility", { legacyOrderId: "12-34567-89012" })
      .reply(200, { legacyOrderId: "12-34567-89012", eligible: true, eligibleCancelReason: ["BUYER_ASKED_CANCEL", "OUT_OF_STOCK_OR_CANNOT_FULFILL", "ADDRESS_ISSUES"] });
    nock(API, { reqheaders: { authorization: "IAF v^1.1#access" } })
      .post("/post-order/v2/cancellation", {
        legacyOrderId: "12-34567-89012",
        cancelReason: "BUYER_ASKED_CANCEL",
        buyerPaid: true,
        buyerPaidDate: { value: "2026-11-30T18:03:40.000Z" },
      })
      .reply(201, { cancelId: "5000012345" });
    const result = await cancelEbayOrder(sessionWith({ credentials }), { orderExternalId: "12-34567-89012", reason: "customer_request", idempotencyKey: "k" });
    expect(result).toEqual({ ok: true, value: { alreadyCancelled: false } });
    expect(nock.pendingMocks()).toEqual([]);
  });

  it("refuses a cancellation eBay says is no longer possible, naming eBay's reasons, and never re-asks for a cancelled order", async () => {
    nock(API).get("/sell/fulfillment/v1/order/12-34567-89012").reply(200, order());
    nock(API).post("/post-order/v2/cancellation/check_eligibility").reply(200, { legacyOrderId: "12-34567-89012", eligible: false, failureReason: ["CANCEL_WINDOW_ELAPSED"] });
    const refused = await cancelEbayOrder(sessionWith({ credentials }), { orderExternalId: "12-34567-89012", reason: "out_of_stock", idempotencyKey: "k" });
    expect(refused).toMatchObject({ ok: false, reason: "rejected", detail: expect.stringContaining("CANCEL_WINDOW_ELAPSED") });

    nock(API).get("/sell/fulfillment/v1/order/12-34567-89012").reply(200, order({ cancelStatus: { cancelState: "CANCELED", cancelRequests: [] } }));
    expect(await cancelEbayOrder(sessionWith({ credentials }), { orderExternalId: "12-34567-89012", reason: "out_of_stock", idempotencyKey: "k" })).toEqual({ ok: true, value: { alreadyCancelled: true } });
    expect(nock.pendingMocks()).toEqual([]);
  });

  withSpecs("creates the shipping fulfillment with a body valid against ShippingFulfillmentDetails", async () => {

    nock(API).get("/sell/fulfillment/v1/order/12-34567-89012/shipping_fulfillment").reply(200, { total: 0, fulfillments: [] });
    nock(API).get("/sell/fulfillment/v1/order/12-34567-89012").reply(200, order());
    nock(API)
      .post("/sell/fulfillment/v1/order/12-34567-89012/shipping_fulfillment", (body) => conforms("sell_fulfillment_v1_oas3.json", "ShippingFulfillmentDetails", body) && body.lineItems[0].lineItemId === "10000123456701")
      .reply(201, {}, { Location: `${API}/sell/fulfillment/v1/order/12-34567-89012/shipping_fulfillment/9405509699937003457459` });
    const result = await confirmEbayFulfillment(sessionWith({ credentials }), {
      orderExternalId: "12-34567-89012",
      tracking: { carrier: "USPS", trackingNumber: "9405509699937003457459", shippedAt: new Date("2026-12-01T10:00:00Z") },
      notifyCustomer: true,
      idempotencyKey: "k",
    });
    expect(result).toEqual({ ok: true, value: { externalFulfillmentId: "9405509699937003457459" } });
  });
});

describe("eBay marketplace account deletion", () => {
  it("answers the challenge with hex SHA-256 of challengeCode + verificationToken + endpoint", () => {
    // Independently computed: python3 -c "import hashlib; print(hashlib.sha256(b'...'+b'...'+b'...').hexdigest())"
    expect(ebayChallengeResponse("a8628072-3d33-45ee-9004-bee86830a22d", "71745723-d031-455c-bfa5-f90d11b4f20a", "https://www.testendpoint.com/webhook")).toBe(
      "a1d8c12dc8f31594e78e3f2c7032c34746144c28ffbdee1cd9cbd4fd2fc618c6",
    );
  });

  it("verifies X-EBAY-SIGNATURE with the key from getPublicKey (application token), and refuses tampering or unknown keys", async () => {
    const keys = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
    const pem = keys.publicKey.export({ type: "spki", format: "pem" }).toString().replace(/\n/g, "");
    const body = JSON.stringify({ metadata: { topic: "MARKETPLACE_ACCOUNT_DELETION", schemaVersion: "1.0", deprecated: false }, notification: { notificationId: "n1", data: { username: "jdoe_buyer", userId: "ma8vp1jySJC", eiasToken: "nY+sHZ2PrBmdj6wVnY+sEZ2PrA2dj6wJnY+gAZGEpwmdj6x9nY+seQ==" } } });
    const header = (kid: string, signed = body) => Buffer.from(JSON.stringify({ alg: "ECDSA", kid, signature: createSign("sha1").update(signed).sign(keys.privateKey, "base64"), digest: "SHA1" })).toString("base64");
    nock(API).post("/identity/v1/oauth2/token", (b) => b.grant_type === "client_credentials").reply(200, { access_token: "app-token", expires_in: 7200, token_type: "Application Access Token" });
    const keyAnswer = { key: pem, algorithm: "ECDSA", digest: "SHA1" };
    conforms("commerce_notification_v1_oas3.json", "PublicKey", keyAnswer);
    nock(API).get("/commerce/notification/v1/public_key/kid-1").matchHeader("authorization", "Bearer app-token").reply(200, keyAnswer);
    nock(API).get("/commerce/notification/v1/public_key/kid-x").reply(404, { errors: [{ errorId: 195001, domain: "API_NOTIFICATION", category: "REQUEST", message: "The specified key id is invalid." }] });
    const fetchKey = createEbayPublicKeyFetcher(APP);
    expect(await verifyEbayNotification(body, header("kid-1"), fetchKey)).toEqual({ ok: true, value: { kid: "kid-1" } });
    // The key is cached: the second verification makes no call (nock would refuse one).
    expect((await verifyEbayNotification(body, header("kid-1"), fetchKey)).ok).toBe(true);
    expect(await verifyEbayNotification(body.replace("jdoe_buyer", "someone"), header("kid-1"), fetchKey)).toMatchObject({ ok: false, reason: "bad_signature" });
    expect(await verifyEbayNotification(body, header("kid-x"), fetchKey)).toMatchObject({ ok: false, reason: "unknown_key" });
    expect(await verifyEbayNotification(body, undefined, fetchKey)).toMatchObject({ ok: false, reason: "missing_signature" });
    expect(await verifyEbayNotification(body, "bm90IGpzb24=", fetchKey)).toMatchObject({ ok: false, reason: "malformed_signature" });
  });
});
