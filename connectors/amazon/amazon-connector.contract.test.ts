import nock from "nock";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createAmazonConnector } from "./amazon-connector.js";
import type { AmazonCredentials } from "./amazon-connection-config.js";
import { jsonSchemaValidator, swaggerDefinitionValidator } from "./amazon-spec-validator.js";
import { AMAZON_SPEC_FILES, amazonSpecsAvailable, loadAmazonSpec, type AmazonSpecName } from "./amazon-specs.js";
import { SP_API_USAGE_PLANS } from "./sp-api-rate-limits.js";
import { SpApiBuckets } from "./sp-api-client.js";

/**
 * Contract tests of the Amazon connector against nock, with the official hosts the client
 * builds (no endpoint override). Every body the connector sends is validated against the
 * published model; responses are the models' own examples where they exist.
 */

const SP = "https://sellingpartnerapi-na.amazon.com";
const LWA = "https://api.amazon.com";
const S3 = "https://tortuga-prod-na.s3-external-1.amazonaws.com";
const SELLER = "A3SELLER1234";
const MARKETPLACE = "ATVPDKIKX0DER";
const NOW = Date.parse("2026-11-30T12:00:00Z");
const credentials: AmazonCredentials = {
  clientId: "amzn1.application-oa2-client.test",
  clientSecret: "secret",
  refreshToken: "Atzr|refresh",
  accessToken: "Atza|current",
  accessTokenExpiresAt: new Date(NOW + 30 * 60_000).toISOString(),
};

beforeAll(() => nock.disableNetConnect());
afterAll(() => nock.enableNetConnect());
afterEach(() => {
  const pending = nock.pendingMocks();
  nock.cleanAll();
  expect(pending).toEqual([]);
});

const specsMissing = !amazonSpecsAvailable();
if (specsMissing) console.warn("[amazon-connector.contract.test] ../shared/specs/amazon absent (set SPECS_DIR): schema checks are skipped");

function expectValid(validator: ReturnType<typeof swaggerDefinitionValidator>, body: unknown) {
  if (!validator) return; // specs absent: announced above
  const result = validator(body);
  expect(result.errors).toEqual([]);
}

function connector(overrides: { credentials?: Partial<AmazonCredentials>; feedThreshold?: number } = {}) {
  const persisted: AmazonCredentials[] = [];
  let clock = NOW;
  const built = createAmazonConnector({
    settings: { region: "na", marketplaceId: MARKETPLACE, sellerId: SELLER, feedThreshold: overrides.feedThreshold ?? 20 },
    credentials: { ...credentials, ...overrides.credentials },
    onCredentialsRefreshed: async (c) => void persisted.push(c),
    now: () => clock,
    sleep: async (ms) => void (clock += ms),
    buckets: new SpApiBuckets(() => clock),
  });
  if (!built.ok) throw new Error(built.detail);
  return { connector: built.value, persisted };
}

describe("documented rate limits", () => {
  it.skipIf(specsMissing)("match rate_limits.derived.json for every operation the connector calls", () => {
    const derived = loadAmazonSpec<Record<string, { method: string; path: string; rate_rps: number; burst: number }>>("rateLimits")!;
    for (const [operation, plan] of Object.entries(SP_API_USAGE_PLANS)) {
      expect(derived[operation] ?? usagePlanInModel(operation), operation).toMatchObject({ method: plan.method, path: plan.path, rate_rps: plan.rateRps, burst: plan.burst });
    }
  });
});

/** The usage plan table in an operation's description, for operations rate_limits.derived.json does not list yet (Reports). */
function usagePlanInModel(operation: string): { method: string; path: string; rate_rps: number; burst: number } | undefined {
  const [file, operationId] = operation.split(":");
  const name = (Object.entries(AMAZON_SPEC_FILES).find(([, f]) => f === file)?.[0] ?? "") as AmazonSpecName;
  const model = loadAmazonSpec<{ paths: Record<string, Record<string, { operationId?: string; description?: string }>> }>(name);
  for (const [path, methods] of Object.entries(model?.paths ?? {})) {
    for (const [method, op] of Object.entries(methods)) {
      if (op?.operationId !== operationId) continue;
      const row = /\|\s*-+\s*\|\s*-+\s*\|\s*\|\s*([\d.]+)\s*\|\s*(\d+)\s*\|/.exec(op.description ?? "");
      if (row) return { method: method.toUpperCase(), path, rate_rps: Number(row[1]), burst: Number(row[2]) };
    }
  }
  return undefined;
}

describe("LWA tokens", () => {
  it("refreshes a missing token with the refresh token, persists it, then calls with it", async () => {
    let tokenBody: Record<string, string> | undefined;
    nock(LWA)
      .post("/auth/o2/token", (body: Record<string, string>) => ((tokenBody = body), true))
      .reply(200, { access_token: "Atza|fresh", refresh_token: "Atzr|refresh", token_type: "bearer", expires_in: 3600 });
    nock(SP, { reqheaders: { "x-amz-access-token": "Atza|fresh" } })
      .get(`/listings/2021-08-01/items/${SELLER}`)
      .query(true)
      .reply(200, { numberOfResults: 0, items: [] }, { "x-amzn-RateLimit-Limit": "5.0" });
    const { connector: amazon, persisted } = connector({ credentials: { accessToken: undefined, accessTokenExpiresAt: undefined } });
    const health = await amazon.health();
    expect(health.ok).toBe(true);
    expect(tokenBody).toEqual({ grant_type: "refresh_token", refresh_token: "Atzr|refresh", client_id: credentials.clientId, client_secret: "secret" });
    expect(persisted).toEqual([expect.objectContaining({ accessToken: "Atza|fresh", refreshToken: "Atzr|refresh", accessTokenExpiresAt: new Date(NOW + 3600_000).toISOString() })]);
  });

  it("on 'access token expired' refreshes once and retries the request once", async () => {
    nock(SP, { reqheaders: { "x-amz-access-token": "Atza|current" } })
      .get(`/listings/2021-08-01/items/${SELLER}`)
      .query(true)
      .reply(403, { errors: [{ code: "Unauthorized", message: "Access to requested resource is denied.", details: "The access token you provided has expired." }] });
    nock(LWA).post("/auth/o2/token").reply(200, { access_token: "Atza|renewed", token_type: "bearer", expires_in: 3600 });
    nock(SP, { reqheaders: { "x-amz-access-token": "Atza|renewed" } })
      .get(`/listings/2021-08-01/items/${SELLER}`)
      .query(true)
      .reply(403, { errors: [{ code: "Unauthorized", message: "Access to requested resource is denied.", details: "The access token you provided has expired." }] });
    const { connector: amazon, persisted } = connector();
    // The second "expired" is not retried again: exactly one refresh, then unauthorized.
    expect(await amazon.health()).toMatchObject({ ok: false, reason: "unauthorized" });
    expect(persisted.map((c) => c.accessToken)).toEqual(["Atza|renewed"]);
  });

  it("a revoked refresh token is unauthorized (a person must reconnect)", async () => {
    nock(LWA).post("/auth/o2/token").reply(400, { error: "invalid_grant", error_description: "The request has an invalid grant parameter : refresh_token" });
    const { connector: amazon } = connector({ credentials: { accessToken: undefined } });
    expect(await amazon.health()).toMatchObject({ ok: false, reason: "unauthorized" });
  });
});

describe("order capture", () => {
  const example = () => {
    const spec = loadAmazonSpec<{ paths: Record<string, Record<string, { responses: Record<string, { examples?: Record<string, { orders: Record<string, unknown>[] }> }> }>> }>("orders");
    return spec!.paths["/orders/2026-01-01/orders"]!.get!.responses["200"]!.examples!["application/json"]!.orders[0]!;
  };

  it.skipIf(specsMissing)("polls searchOrders with the updated-after window and follows the pagination token", async () => {
    const order = example();
    const queries: Record<string, string>[] = [];
    nock(SP)
      .get("/orders/2026-01-01/orders")
      .query((q) => (queries.push(q as Record<string, string>), !q.paginationToken))
      .reply(200, { orders: [order], pagination: { nextToken: "page-2" }, lastUpdatedBefore: "2026-11-30T11:58:00Z" }, { "x-amzn-RateLimit-Limit": "0.0056" });
    nock(SP)
      .get("/orders/2026-01-01/orders")
      .query((q) => (queries.push(q as Record<string, string>), q.paginationToken === "page-2"))
      .reply(200, { orders: [{ ...order, orderId: "123-0000000-0000002", orderItems: "not a list" }] });
    const { connector: amazon } = connector();
    const first = await amazon.fetchOrders(JSON.stringify({ after: "2026-11-30T10:00:00.000Z" }));
    if (!first.ok) throw new Error(first.detail);
    expect(queries[0]).toEqual({
      lastUpdatedAfter: "2026-11-30T10:00:00.000Z",
      lastUpdatedBefore: "2026-11-30T11:58:00.000Z",
      marketplaceIds: MARKETPLACE,
      includedData: "BUYER,RECIPIENT,PROCEEDS,FULFILLMENT",
      maxResultsPerPage: "100",
    });
    expect(first.value.orders.map((o) => o.externalId)).toEqual(["123-4567890-1234567"]);
    expect(first.value.hasMore).toBe(true);

    const second = await amazon.fetchOrders(first.value.nextCursor);
    if (!second.ok) throw new Error(second.detail);
    // Same window re-sent with the token, as the API requires.
    expect(queries[1]).toMatchObject({ lastUpdatedAfter: "2026-11-30T10:00:00.000Z", lastUpdatedBefore: "2026-11-30T11:58:00.000Z", paginationToken: "page-2" });
    expect(second.value.orders).toEqual([]);
    expect(second.value.rejected).toEqual([expect.objectContaining({ externalId: "123-0000000-0000002", raw: expect.objectContaining({ orderItems: "not a list" }) })]);
    expect(second.value.hasMore).toBe(false);
    expect(JSON.parse(second.value.nextCursor)).toEqual({ after: "2026-11-30T11:58:00.000Z" });
  });

  it("gives each polled order version its own inbox delivery id", async () => {
    nock(SP)
      .get("/orders/2026-01-01/orders")
      .query(true)
      .reply(200, { orders: [{ orderId: "A-1", lastUpdatedTime: "2026-11-30T11:00:00Z" }, { garbage: true }] });
    const { connector: amazon } = connector();
    const page = await amazon.pollOrders(null);
    if (!page.ok) throw new Error(page.detail);
    expect(page.value.orders[0]!.deliveryId).toBe("A-1@2026-11-30T11:00:00Z");
    expect(page.value.orders[1]!.deliveryId).toMatch(/^malformed:[0-9a-f]{32}$/);
  });

  it("maps 429 to rate_limited with the wait from x-amzn-RateLimit-Limit", async () => {
    nock(SP)
      .get("/orders/2026-01-01/orders")
      .query(true)
      .reply(429, { errors: [{ code: "QuotaExceeded", message: "You exceeded your quota for the requested resource." }] }, { "x-amzn-RateLimit-Limit": "0.5" });
    const { connector: amazon } = connector();
    expect(await amazon.fetchOrders(null)).toMatchObject({ ok: false, reason: "rate_limited", retryAfterMs: 2000 });
  });

  it("maps 5xx to unavailable (network errors: see the sandbox test)", async () => {
    nock(SP).get("/orders/2026-01-01/orders").query(true).reply(503, { errors: [{ code: "ServiceUnavailable", message: "down" }] });
    const { connector: amazon } = connector();
    expect(await amazon.fetchOrders(null)).toMatchObject({ ok: false, reason: "unavailable" });
  });
});

describe("stock", () => {
  it("patches /attributes/fulfillment_availability with a body valid against ListingsItemPatchRequest", async () => {
    const bodies: unknown[] = [];
    nock(SP)
      .patch(`/listings/2021-08-01/items/${SELLER}/SKU%2FRED%201`, (body) => (bodies.push(body), true))
      .query({ marketplaceIds: MARKETPLACE })
      .reply(200, { sku: "SKU/RED 1", status: "ACCEPTED", submissionId: "f1dc2914-75dd-11ea-bc55-0242ac130003", issues: [] });
    nock(SP)
      .patch(`/listings/2021-08-01/items/${SELLER}/SKU-BAD`, (body) => (bodies.push(body), true))
      .query(true)
      .reply(200, { sku: "SKU-BAD", status: "INVALID", submissionId: "x", issues: [{ code: "90220", message: "'quantity' is invalid", severity: "ERROR" }] });
    const { connector: amazon } = connector();
    const result = await amazon.pushStock([
      { sku: "SKU/RED 1", quantity: 7 },
      { sku: "SKU-BAD", quantity: 1, productType: "LUGGAGE" },
    ]);
    expect(result).toEqual({ ok: true, value: [{ sku: "SKU/RED 1", status: "applied" }, { sku: "SKU-BAD", status: "rejected", problem: "90220: 'quantity' is invalid" }] });
    expect(bodies[0]).toEqual({
      productType: "PRODUCT",
      patches: [{ op: "replace", path: "/attributes/fulfillment_availability", value: [{ fulfillment_channel_code: "DEFAULT", quantity: 7 }] }],
    });
    for (const body of bodies) expectValid(swaggerDefinitionValidator("listingsItems", "ListingsItemPatchRequest"), body);
  });

  it("hands the rest of a batch back as retry when the rate runs out mid-batch", async () => {
    nock(SP).patch(`/listings/2021-08-01/items/${SELLER}/A`).query(true).reply(200, { sku: "A", status: "ACCEPTED", submissionId: "1", issues: [] });
    nock(SP)
      .patch(`/listings/2021-08-01/items/${SELLER}/B`)
      .query(true)
      .reply(429, { errors: [{ code: "QuotaExceeded", message: "You exceeded your quota for the requested resource." }] }, { "x-amzn-RateLimit-Limit": "5.0" });
    const { connector: amazon } = connector();
    const result = await amazon.pushStock(["A", "B", "C"].map((sku) => ({ sku, quantity: 1 })));
    expect(result.ok && result.value.map((r) => `${r.sku}:${r.status}`)).toEqual(["A:applied", "B:retry", "C:retry"]);
  });

  it("sends a large batch as one JSON_LISTINGS_FEED valid against the feed schema and settles it from the processing report", async () => {
    let uploaded = "";
    let createFeedBody: unknown;
    let documentBody: unknown;
    nock(SP)
      .post("/feeds/2021-06-30/documents", (body) => ((documentBody = body), true))
      .reply(201, { feedDocumentId: "amzn1.tortuga.4.na.in-1", url: `${S3}/NinjaMetricsTest/in-1?X-Amz-Signature=abc` });
    nock(S3)
      .put("/NinjaMetricsTest/in-1", (body) => ((uploaded = typeof body === "string" ? body : JSON.stringify(body)), true))
      .query(true)
      .reply(200);
    nock(SP)
      .post("/feeds/2021-06-30/feeds", (body) => ((createFeedBody = body), true))
      .reply(202, { feedId: "3485934" });
    const skus = ["My-SKU-A", "My-SKU-B", "My-SKU-C"];
    const { connector: amazon } = connector({ feedThreshold: 2 });
    const pushed = await amazon.pushStock(skus.map((sku, i) => ({ sku, quantity: i * 5 })));
    expect(pushed).toEqual({ ok: true, value: skus.map((sku, i) => ({ sku, status: "pending", feedId: "3485934", messageId: i + 1 })) });
    const document = JSON.parse(uploaded) as { header: unknown; messages: unknown[] };
    expect(document.header).toEqual({ sellerId: SELLER, version: "2.0", issueLocale: "en_US" });
    expect(document.messages[1]).toEqual({
      messageId: 2,
      sku: "My-SKU-B",
      operationType: "PATCH",
      productType: "PRODUCT",
      patches: [{ op: "replace", path: "/attributes/fulfillment_availability", value: [{ fulfillment_channel_code: "DEFAULT", quantity: 5 }] }],
    });
    expectValid(jsonSchemaValidator("listingsFeed"), document);
    expectValid(swaggerDefinitionValidator("feeds", "CreateFeedDocumentSpecification"), documentBody);
    expectValid(swaggerDefinitionValidator("feeds", "CreateFeedSpecification"), createFeedBody);
    expect(createFeedBody).toEqual({ feedType: "JSON_LISTINGS_FEED", marketplaceIds: [MARKETPLACE], inputFeedDocumentId: "amzn1.tortuga.4.na.in-1" });

    // Still queued: nothing settles.
    nock(SP).get("/feeds/2021-06-30/feeds/3485934").reply(200, { feedId: "3485934", feedType: "JSON_LISTINGS_FEED", createdTime: "2026-11-30T12:00:00Z", processingStatus: "IN_PROGRESS" });
    expect(await amazon.settleStockFeed("3485934", [1, 2, 3])).toEqual({ ok: true, value: { done: false, processingStatus: "IN_PROGRESS" } });

    const report = {
      header: { sellerId: SELLER, version: "2.0", feedId: "3485934" },
      issues: [{ messageId: 2, sku: "My-SKU-B", code: "90220", severity: "ERROR", message: "'[batteries_required]' is required but not supplied." }],
      summary: { errors: 1, warnings: 0, messagesProcessed: 3, messagesAccepted: 2, messagesInvalid: 1 },
    };
    expectValid(jsonSchemaValidator("listingsFeedReport"), report);
    nock(SP)
      .get("/feeds/2021-06-30/feeds/3485934")
      .reply(200, { feedId: "3485934", feedType: "JSON_LISTINGS_FEED", createdTime: "2026-11-30T12:00:00Z", processingStatus: "DONE", resultFeedDocumentId: "amzn1.tortuga.4.na.out-1" });
    nock(SP).get("/feeds/2021-06-30/documents/amzn1.tortuga.4.na.out-1").reply(200, { feedDocumentId: "amzn1.tortuga.4.na.out-1", url: `${S3}/out-1?sig=1` });
    nock(S3).get("/out-1").query(true).reply(200, JSON.stringify(report), { "Content-Type": "application/json" });
    const settled = await amazon.settleStockFeed("3485934", [1, 2, 3]);
    expect(settled).toEqual({
      ok: true,
      value: {
        done: true,
        processingStatus: "DONE",
        results: [
          { messageId: 1, status: "applied" },
          { messageId: 2, status: "rejected", problem: "90220: '[batteries_required]' is required but not supplied." },
          { messageId: 3, status: "applied" },
        ],
      },
    });
  });

  it.skipIf(specsMissing)("reads the spec's own processing report example", async () => {
    const { readFileSync } = await import("node:fs");
    const { amazonSpecsDir } = await import("./amazon-specs.js");
    const report = readFileSync(`${amazonSpecsDir()}/listings-feed-processing-report-schema-v2.example.json`, "utf8");
    nock(SP).get("/feeds/2021-06-30/feeds/1").reply(200, { feedId: "1", feedType: "JSON_LISTINGS_FEED", createdTime: "2026-11-30T12:00:00Z", processingStatus: "DONE", resultFeedDocumentId: "d" });
    nock(SP).get("/feeds/2021-06-30/documents/d").reply(200, { feedDocumentId: "d", url: `${S3}/d` });
    nock(S3).get("/d").reply(200, report, { "Content-Type": "application/json" });
    const { connector: amazon } = connector();
    const settled = await amazon.settleStockFeed("1", [1, 2, 3, 4, 5]);
    if (!settled.ok || !settled.value.done) throw new Error("not settled");
    expect(settled.value.results.map((r) => r.status)).toEqual(["applied", "applied", "applied", "rejected", "rejected"]);
  });

  it("a FATAL feed hands every message back to be pushed again", async () => {
    nock(SP).get("/feeds/2021-06-30/feeds/9").reply(200, { feedId: "9", feedType: "JSON_LISTINGS_FEED", createdTime: "2026-11-30T12:00:00Z", processingStatus: "FATAL" });
    const { connector: amazon } = connector();
    const settled = await amazon.settleStockFeed("9", [1, 2]);
    expect(settled.ok && settled.value.done && settled.value.results.map((r) => r.status)).toEqual(["retry", "retry"]);
  });
});

describe("write-back", () => {
  const orderWithItems = (packages: unknown[] = [], status = "UNSHIPPED") => ({
    order: {
      orderId: "113-1",
      createdTime: "2026-11-30T10:00:00Z",
      lastUpdatedTime: "2026-11-30T10:00:00Z",
      salesChannel: { channelName: "AMAZON" },
      fulfillment: { fulfillmentStatus: status },
      orderItems: [
        { orderItemId: "111", quantityOrdered: 2, product: {}, fulfillment: { quantityFulfilled: 0, quantityUnfulfilled: 2 } },
        { orderItemId: "222", quantityOrdered: 1, product: {}, fulfillment: { quantityFulfilled: 1, quantityUnfulfilled: 0 } },
      ],
      packages,
    },
  });

  it("confirms a shipment with carrier, tracking and the unshipped items, valid against ConfirmShipmentRequest", async () => {
    let body: unknown;
    nock(SP).get("/orders/2026-01-01/orders/113-1").query({ includedData: "FULFILLMENT,PACKAGES" }).reply(200, orderWithItems([{ packageReferenceId: "1", trackingNumber: "OTHER" }]));
    nock(SP)
      .post("/orders/v0/orders/113-1/shipmentConfirmation", (b) => ((body = b), true))
      .reply(204);
    const { connector: amazon } = connector();
    const result = await amazon.confirmFulfillment({
      orderExternalId: "113-1",
      tracking: { carrier: "Speedy Couriers", trackingNumber: "SC123", shippedAt: new Date("2026-11-30T13:00:00Z") },
      notifyCustomer: true,
      idempotencyKey: "k",
    });
    expect(result).toEqual({ ok: true, value: { externalFulfillmentId: "113-1/2" } });
    expect(body).toEqual({
      marketplaceId: MARKETPLACE,
      packageDetail: {
        packageReferenceId: "2",
        carrierCode: "Other",
        carrierName: "Speedy Couriers",
        trackingNumber: "SC123",
        shipDate: "2026-11-30T13:00:00.000Z",
        orderItems: [{ orderItemId: "111", quantity: 2 }],
      },
    });
    expectValid(swaggerDefinitionValidator("ordersV0", "ConfirmShipmentRequest"), body);
  });

  it("answers alreadyConfirmed when the tracking number is already on the order", async () => {
    nock(SP).get("/orders/2026-01-01/orders/113-1").query(true).reply(200, orderWithItems([{ packageReferenceId: "4", trackingNumber: "1Z1", carrier: "UPS" }], "SHIPPED"));
    const { connector: amazon } = connector();
    const result = await amazon.confirmFulfillment({
      orderExternalId: "113-1",
      tracking: { carrier: "UPS", trackingNumber: "1Z1", shippedAt: new Date() },
      notifyCustomer: false,
      idempotencyKey: "k",
    });
    expect(result).toEqual({ ok: true, value: { externalFulfillmentId: "113-1/4", alreadyConfirmed: true } });
  });

  it("cancels through a POST_ORDER_ACKNOWLEDGEMENT_DATA feed with a cancel reason per item", async () => {
    let xml = "";
    let feedBody: unknown;
    nock(SP).get("/orders/2026-01-01/orders/113-1").query(true).reply(200, orderWithItems());
    nock(SP).post("/feeds/2021-06-30/documents", { contentType: "text/xml; charset=UTF-8" }).reply(201, { feedDocumentId: "doc-x", url: `${S3}/x` });
    nock(S3)
      .put("/x", (b) => ((xml = String(b)), true))
      .reply(200);
    nock(SP)
      .post("/feeds/2021-06-30/feeds", (b) => ((feedBody = b), true))
      .reply(202, { feedId: "77" });
    const { connector: amazon } = connector();
    expect(await amazon.cancelOrder({ orderExternalId: "113-1", reason: "out_of_stock", idempotencyKey: "c" })).toEqual({ ok: true, value: { alreadyCancelled: false } });
    expect(feedBody).toEqual({ feedType: "POST_ORDER_ACKNOWLEDGEMENT_DATA", marketplaceIds: [MARKETPLACE], inputFeedDocumentId: "doc-x" });
    expectValid(swaggerDefinitionValidator("feeds", "CreateFeedSpecification"), feedBody);
    expect(xml).toContain("<MessageType>OrderAcknowledgement</MessageType>");
    expect(xml).toContain("<AmazonOrderID>113-1</AmazonOrderID>");
    expect(xml).toContain("<StatusCode>Failure</StatusCode>");
    expect(xml.match(/<CancelReason>NoInventory<\/CancelReason>/g)).toHaveLength(2);
  });

  it("refuses to cancel a shipped order and reports an already cancelled one", async () => {
    nock(SP).get("/orders/2026-01-01/orders/113-1").query(true).reply(200, orderWithItems([], "SHIPPED"));
    nock(SP).get("/orders/2026-01-01/orders/113-1").query(true).reply(200, orderWithItems([], "CANCELLED"));
    const { connector: amazon } = connector();
    expect(await amazon.cancelOrder({ orderExternalId: "113-1", reason: "other", idempotencyKey: "c" })).toMatchObject({ ok: false, reason: "rejected" });
    expect(await amazon.cancelOrder({ orderExternalId: "113-1", reason: "other", idempotencyKey: "c" })).toEqual({ ok: true, value: { alreadyCancelled: true } });
  });

  it("an unknown order is not_found", async () => {
    nock(SP).get("/orders/2026-01-01/orders/404-1").query(true).reply(404, { errors: [{ code: "NotFound", message: "Order not found" }] });
    const { connector: amazon } = connector();
    expect(await amazon.cancelOrder({ orderExternalId: "404-1", reason: "other", idempotencyKey: "c" })).toMatchObject({ ok: false, reason: "not_found" });
  });
});
