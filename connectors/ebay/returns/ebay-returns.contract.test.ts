import nock from "nock";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createEbaySession, standaloneEbayTokens, type EbayCredentials } from "../ebay-client.js";
import { decideEbayReturn, ebayReturnStage, refundEbayReturn, searchEbayReturns } from "./ebay-returns.js";

/**
 * Contract tests of the Post-Order returns calls, eBay's production host intercepted by nock with
 * the network closed. Members are shaped like eBay's ReturnSummaryType (GET /return/search);
 * the client authorises Post-Order calls with `IAF <token>`, not Bearer.
 */

const API = "https://api.ebay.com";
const credentials: EbayCredentials = { appId: "Switchya-app-PRD-1", certId: "PRD-secret", accessToken: "v^1.1#access", refreshToken: "v^1.1#refresh" };
const session = () => createEbaySession({ tokens: standaloneEbayTokens({ credentials }) });
const NOW = new Date("2026-12-01T12:00:00.000Z");

function member(returnId: string, state: string, filed: string, overrides: Record<string, unknown> = {}) {
  return {
    returnId,
    orderId: `12-${returnId.slice(-5)}-00001`,
    buyerLoginName: "jdoe_buyer",
    sellerLoginName: "switchyard_seller",
    currentType: "MONEY_BACK",
    state,
    status: state,
    creationInfo: {
      item: { itemId: "110000000001", transactionId: "10000000000010", returnQuantity: 1 },
      type: "MONEY_BACK",
      reason: "WRONG_SIZE",
      reasonType: "REMORSE",
      comments: { content: "too tight" },
      creationDate: { value: filed },
    },
    sellerTotalRefund: { estimatedRefundAmount: { value: 24.5, currency: "USD" } },
    sellerResponseDue: { activityDue: "SELLER_APPROVE_REQUEST", respondByDate: { value: "2026-12-04T00:00:00.000Z" } },
    ...overrides,
  };
}

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

describe("eBay return search", () => {
  it("pages with limit/offset until totalEntries, with the IAF token, then keeps the window at the oldest open return", async () => {
    const queries: Record<string, string>[] = [];
    const scope = nock(API, { reqheaders: { authorization: "IAF v^1.1#access" } })
      .get("/post-order/v2/return/search")
      .query((q) => (queries.push(q as Record<string, string>), q.offset === "0"))
      .reply(200, {
        members: [member("5000000001", "CLOSED", "2026-11-02T10:00:00.000Z"), member("5000000002", "ITEM_SHIPPED", "2026-11-05T10:00:00.000Z")],
        paginationOutput: { limit: 2, offset: 0, totalEntries: 3, totalPages: 2 },
      })
      .get("/post-order/v2/return/search")
      .query((q) => (queries.push(q as Record<string, string>), q.offset === "2"))
      .reply(200, { members: [member("5000000003", "RETURN_REQUESTED", "2026-11-20T10:00:00.000Z")], paginationOutput: { limit: 2, offset: 2, totalEntries: 3, totalPages: 2 } });

    const first = await searchEbayReturns(session(), null, NOW, { limit: 2 });
    if (!first.ok) throw new Error(first.detail);
    expect(first.value.hasMore).toBe(true);
    expect(first.value.returns.map((r) => [r.record.externalReturnId, r.record.stage])).toEqual([
      ["5000000001", "closed"],
      ["5000000002", "in_transit"],
    ]);
    const second = await searchEbayReturns(session(), first.value.nextCursor, NOW, { limit: 2 });
    if (!second.ok) throw new Error(second.detail);
    expect(second.value.hasMore).toBe(false);
    expect(scope.isDone()).toBe(true);
    // Both pages ask the same window, sorted by filing date so offsets stay stable.
    expect(queries[0]).toMatchObject({ limit: "2", offset: "0", sort: "+FILING_DATE", creation_date_range_to: NOW.toISOString() });
    expect(queries[1]).toMatchObject({ offset: "2", creation_date_range_from: queries[0]!.creation_date_range_from, creation_date_range_to: NOW.toISOString() });
    // The next pass starts at the oldest return still open (5000000002, in transit), not at the end.
    expect(JSON.parse(second.value.nextCursor)).toEqual({ from: "2026-11-05T10:00:00.000Z", offset: 0, open: null });
    expect(second.value.returns[0]!.record).toMatchObject({
      externalOrderId: "12-00003-00001",
      stage: "requested",
      lines: [{ externalLineId: "10000000000010", listingRef: "110000000001", quantity: 1, reason: "other", channelReason: "WRONG_SIZE", note: "too tight" }],
    });
  });

  it("keeps a member it cannot read, with why, and reads the others", async () => {
    nock(API)
      .get("/post-order/v2/return/search")
      .query(true)
      .reply(200, { members: [{ returnId: "5000000009", orderId: "12-1" }, member("5000000010", "ITEM_DELIVERED", "2026-11-21T10:00:00.000Z")], paginationOutput: { totalEntries: 2 } });
    const page = await searchEbayReturns(session(), null, NOW);
    if (!page.ok) throw new Error(page.detail);
    expect(page.value.returns.map((r) => r.record.stage)).toEqual(["received"]);
    expect(page.value.rejected).toEqual([expect.objectContaining({ externalReturnId: "5000000009", problem: expect.stringContaining("creationInfo") })]);
  });

  it("answers eBay's rate limit as the port's rate_limited", async () => {
    nock(API).get("/post-order/v2/return/search").query(true).reply(429, { errors: [{ errorId: 2001, message: "Too many requests" }] }, { "Retry-After": "30" });
    const page = await searchEbayReturns(session(), null, NOW);
    expect(page).toMatchObject({ ok: false, reason: "rate_limited", retryAfterMs: 30_000 });
  });

  it.each([
    ["RETURN_REQUESTED", "requested"],
    ["ITEM_READY_TO_SHIP", "approved"],
    ["RETURN_LABEL_REQUESTED", "approved"],
    ["ITEM_SHIPPED", "in_transit"],
    ["ITEM_DELIVERED", "received"],
    ["REFUND_INITIATED", "refunded"],
    ["LESS_THAN_A_FULL_REFUND_ISSUED", "refunded"],
    ["RETURN_REJECTED", "declined"],
    ["CLOSED", "closed"],
    ["REFUND_FAILED", "requested"],
  ])("reads state %s as %s", (state, stage) => {
    expect(ebayReturnStage(state)).toBe(stage);
  });
});

describe("eBay return decisions and refunds", () => {
  it("approves with POST /return/{id}/decide", async () => {
    let body: unknown;
    nock(API, { reqheaders: { authorization: "IAF v^1.1#access" } })
      .post("/post-order/v2/return/5000000003/decide", (b) => ((body = b), true))
      .reply(200, {});
    expect(await decideEbayReturn(session(), { externalReturnId: "5000000003", approve: true })).toEqual({ ok: true, value: undefined });
    expect(body).toEqual({ decision: "APPROVE" });
  });

  it("declines with the merchant's comment", async () => {
    let body: unknown;
    nock(API).post("/post-order/v2/return/5000000003/decide", (b) => ((body = b), true)).reply(200, {});
    await decideEbayReturn(session(), { externalReturnId: "5000000003", approve: false, comment: "Worn item" });
    expect(body).toEqual({ decision: "DECLINE", comments: { content: "Worn item" } });
  });

  it("issues the refund once: the amount in the currency's decimals, purchase price itemised", async () => {
    let body: unknown;
    nock(API)
      .get("/post-order/v2/return/5000000003")
      .reply(200, { summary: { returnId: "5000000003", state: "ITEM_DELIVERED" } })
      .post("/post-order/v2/return/5000000003/issue_refund", (b) => ((body = b), true))
      .reply(200, { refundStatus: "SUCCESS" });
    const refunded = await refundEbayReturn(session(), {
      externalOrderId: "12-00003-00001",
      externalReturnId: "5000000003",
      currency: "USD",
      amountMinor: 2450,
      lines: [{ externalLineId: "10000000000010", quantity: 1, amountMinor: 2450 }],
      reason: "return #1001-R1 (size_too_small)",
      reference: "#1001-R1",
    });
    expect(refunded).toEqual({ ok: true, value: { reference: "5000000003", alreadyDone: false } });
    expect(body).toEqual({
      comments: { content: "#1001-R1: return #1001-R1 (size_too_small)" },
      refundDetail: { itemizedRefundDetail: [{ refundAmount: { value: "24.50", currency: "USD" }, refundFeeType: "PURCHASE_PRICE" }], totalAmount: { value: "24.50", currency: "USD" } },
    });
  });

  it("does not refund a return eBay already shows refunded (a retried job)", async () => {
    const scope = nock(API).get("/post-order/v2/return/5000000004").reply(200, { summary: { state: "REFUND_INITIATED" } });
    const refunded = await refundEbayReturn(session(), { externalOrderId: "x", externalReturnId: "5000000004", currency: "USD", amountMinor: 100, lines: [], reason: "r", reference: "#1-R1" });
    expect(refunded).toEqual({ ok: true, value: { reference: "5000000004", alreadyDone: true } });
    expect(scope.isDone()).toBe(true);
  });
});
