import { gzipSync } from "node:zlib";
import nock from "nock";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ok } from "../../../core/shared/result.js";
import type { AmazonCredentials } from "../amazon-connection-config.js";
import { swaggerDefinitionValidator } from "../amazon-spec-validator.js";
import { SpApiBuckets, SpApiClient } from "../sp-api-client.js";
import { amazonReturnReason, amazonReturnStage, parseReportDate, parseReturnsReport } from "./amazon-returns-report-parser.js";
import { pollAmazonReturns } from "./amazon-returns-report.js";

/**
 * The returns report through the Reports API against Amazon's hosts intercepted by nock (network
 * closed): the createReport body checked against the published model, getReport's states,
 * getReportDocument's presigned URL downloaded (gzipped) by the official client, and the flat
 * file parsed by header, odd rows kept with why.
 */

const SP = "https://sellingpartnerapi-na.amazon.com";
const S3 = "https://tortuga-prod-na.s3-external-1.amazonaws.com";
const MARKETPLACE = "ATVPDKIKX0DER";
const NOW = Date.parse("2026-12-01T12:00:00Z");
const credentials: AmazonCredentials = { clientId: "amzn1.application-oa2-client.t", clientSecret: "s", refreshToken: "Atzr|r", accessToken: "Atza|current", accessTokenExpiresAt: new Date(NOW + 30 * 60_000).toISOString() };
const client = () => new SpApiClient({ settings: { region: "na", marketplaceId: MARKETPLACE, sellerId: "A3SELLER", productType: "PRODUCT", feedThreshold: 20 }, tokens: { current: async () => ok(credentials), renew: async () => ok(credentials) }, now: () => NOW, buckets: new SpApiBuckets(() => NOW) });

const HEADER = [
  "Order ID", "Order date", "Return request date", "Return request status", "Amazon RMA ID", "Merchant RMA ID", "Label type", "Label cost", "Currency code", "Return carrier", "Tracking ID",
  "Label to be paid by", "A-to-Z Claim", "Is prime", "ASIN", "Merchant SKU", "Item Name", "Return quantity", "Return Reason", "In policy", "Return type", "Resolution", "Invoice number",
  "Return delivery date", "Order Amount", "Order quantity", "SafeT Action reason", "SafeT claim id", "SafeT claim state", "SafeT claim creation time", "SafeT claim reimbursement amount", "Refunded Amount",
].join("\t");
function row(values: Partial<Record<"order" | "requested" | "status" | "rma" | "tracking" | "asin" | "sku" | "name" | "qty" | "reason" | "delivered" | "refunded", string>>): string {
  const v = { order: "113-6277818-6289068", requested: "14-Jul-2026", status: "Approved", rma: "DfqRyqfBRRMA", tracking: "", asin: "B0DFN2HN9N", sku: "MUG-1", name: "Mug", qty: "1", reason: "AMZ-PG-APP-TOO-SMALL", delivered: "", refunded: "", ...values };
  return [v.order, "10-Jul-2026", v.requested, v.status, v.rma, " ", "AmazonPrePaidLabel", "4.14", "USD", v.tracking ? "USPS" : "", v.tracking, "Seller", "N", "N", v.asin, v.sku, v.name, v.qty, v.reason, "Y", "C-Returns", "StandardRefund", " ", v.delivered, "21.38", "2", "", "", "", "", "", v.refunded].join("\t");
}

beforeAll(() => nock.disableNetConnect());
afterEach(() => {
  const pending = nock.pendingMocks();
  nock.cleanAll();
  expect(pending).toEqual([]);
});
afterAll(() => nock.enableNetConnect());

describe("returns report parsing", () => {
  it("groups the rows of one RMA, reads stages from status, label, delivery and refund", () => {
    const text = [
      HEADER,
      row({ rma: "R1", sku: "MUG-1", qty: "2" }),
      row({ rma: "R1", sku: "CUP-1", qty: "1", reason: "CR-DEFECTIVE" }),
      row({ rma: "R2", order: "114-1", status: "Approved", tracking: "9202090339598363834190" }),
      row({ rma: "R3", order: "114-2", delivered: "20-Jul-2026" }),
      row({ rma: "R4", order: "114-3", refunded: "21.38" }),
      row({ rma: "R5", order: "114-4", status: "Pending" }),
    ].join("\n");
    const parsed = parseReturnsReport(text);
    expect(parsed.rejected).toEqual([]);
    expect(parsed.returns.map((r) => [r.record.externalReturnId, r.record.stage])).toEqual([
      ["R1", "approved"],
      ["R2", "label_issued"],
      ["R3", "received"],
      ["R4", "refunded"],
      ["R5", "requested"],
    ]);
    expect(parsed.returns[0]!.record).toMatchObject({
      externalOrderId: "113-6277818-6289068",
      requestedAt: new Date("2026-07-14T00:00:00Z"),
      lines: [
        { sku: "MUG-1", listingRef: "B0DFN2HN9N", quantity: 2, reason: "size_too_small", channelReason: "AMZ-PG-APP-TOO-SMALL" },
        { sku: "CUP-1", quantity: 1, reason: "defective", channelReason: "CR-DEFECTIVE" },
      ],
    });
    expect(parsed.returns[1]!.record).toMatchObject({ carrier: "USPS", trackingNumber: "9202090339598363834190" });
  });

  it("keeps odd rows with their line and why, reads the rest: bad quantity, bad date, missing RMA, extra fields, a stray quote, a BOM, CRLF and blank lines", () => {
    const text = [
      `\uFEFF${HEADER}`,
      row({ rma: "OK1", name: 'Mug 12" "big"' }),
      row({ rma: "BADQ", qty: "two" }),
      row({ rma: "ZERO", qty: "0" }),
      row({ rma: "BADD", requested: "31-Feb-2026" }),
      row({ rma: "" }),
      `${row({ rma: "WIDE" })}\textra\tfields`,
      "",
      row({ rma: "OK2", order: "115-1", qty: "3" }),
      row({ rma: "OK2", order: "999-9" }),
    ].join("\r\n");
    const parsed = parseReturnsReport(text);
    expect(parsed.returns.map((r) => r.record.externalReturnId)).toEqual(["OK1", "OK2"]);
    expect(parsed.returns[1]!.record.lines).toHaveLength(1);
    expect(parsed.rejected.map((r) => [r.externalReturnId, r.problem])).toEqual([
      ["BADQ", expect.stringMatching(/^line 3: return quantity "two"/)],
      ["ZERO", expect.stringMatching(/^line 4: return quantity "0"/)],
      ["BADD", expect.stringMatching(/^line 5: return request date "31-Feb-2026"/)],
      [undefined, expect.stringMatching(/^line 6: no amazon rma id/)],
      ["WIDE", expect.stringMatching(/^line 7: 34 fields where the header has 32/)],
      ["OK2", expect.stringMatching(/^line 10: RMA OK2 already belongs to order 115-1/)],
    ]);
    // Nothing is lost: every rejected row carries its cells.
    expect(parsed.rejected[0]!.raw).toMatchObject({ line: 3, row: { "amazon rma id": "BADQ", "return quantity": "two" } });
  });

  it("says so when the header lacks a column it needs, and an empty report has nothing", () => {
    expect(parseReturnsReport("Order ID\tSomething else\n1\t2").rejected[0]!.problem).toMatch(/lacks "return request date"/);
    expect(parseReturnsReport("")).toEqual({ returns: [], rejected: [] });
    expect(parseReturnsReport(HEADER)).toEqual({ returns: [], rejected: [] });
  });

  it("reads the report's dates, reasons and statuses", () => {
    expect(parseReportDate("14-Jul-2025")).toEqual(new Date("2025-07-14T00:00:00Z"));
    expect(parseReportDate("2025-07-14T08:00:00Z")).toEqual(new Date("2025-07-14T08:00:00Z"));
    expect(parseReportDate("14/07/2025")).toBeUndefined();
    expect(amazonReturnReason("AMZ-PG-APP-TOO-LARGE")).toBe("size_too_large");
    expect(amazonReturnReason("CR-SWITCHEROO")).toBe("wrong_item");
    expect(amazonReturnReason("CR-UNWANTED_ITEM")).toBe("unwanted");
    expect(amazonReturnReason("SOMETHING-NEW")).toBe("other");
    expect(amazonReturnStage("Closed", { trackingId: "", deliveryDate: "", refunded: "" })).toBe("closed");
    expect(amazonReturnStage("Rejected", { trackingId: "", deliveryDate: "", refunded: "5" })).toBe("declined");
  });
});

describe("returns report through the Reports API", () => {
  it("creates the report for the window, waits while it is prepared, then downloads the gzipped document and moves the window to the oldest open return", async () => {
    const validate = swaggerDefinitionValidator("reports", "CreateReportSpecification");
    let created: unknown;
    nock(SP, { reqheaders: { "x-amz-access-token": "Atza|current" } })
      .post("/reports/2021-06-30/reports", (b) => ((created = b), true))
      .reply(202, { reportId: "ID323" });
    const first = await pollAmazonReturns(client(), { marketplaceId: MARKETPLACE }, JSON.stringify({ from: "2026-11-01T00:00:00.000Z" }), { now: NOW });
    if (!first.ok) throw new Error(first.detail);
    expect(created).toEqual({ reportType: "GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE", marketplaceIds: [MARKETPLACE], dataStartTime: "2026-11-01T00:00:00.000Z", dataEndTime: new Date(NOW).toISOString() });
    if (validate) expect(validate(created).errors).toEqual([]);
    expect(first.value).toMatchObject({ returns: [], hasMore: false });

    nock(SP).get("/reports/2021-06-30/reports/ID323").reply(200, { reportId: "ID323", reportType: "GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE", processingStatus: "IN_PROGRESS", createdTime: "2026-12-01T12:00:00Z" });
    const waiting = await pollAmazonReturns(client(), { marketplaceId: MARKETPLACE }, first.value.nextCursor, { now: NOW });
    if (!waiting.ok) throw new Error(waiting.detail);
    expect(waiting.value.nextCursor).toBe(first.value.nextCursor);

    const report = [HEADER, row({ rma: "R1", requested: "20-Nov-2026", refunded: "21.38" }), row({ rma: "R2", order: "114-1", requested: "25-Nov-2026" })].join("\n");
    nock(SP)
      .get("/reports/2021-06-30/reports/ID323")
      .reply(200, { reportId: "ID323", reportType: "GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE", processingStatus: "DONE", reportDocumentId: "amzn1.spdoc.1.4.na.doc1", createdTime: "2026-12-01T12:00:00Z" })
      .get("/reports/2021-06-30/documents/amzn1.spdoc.1.4.na.doc1")
      .reply(200, { reportDocumentId: "amzn1.spdoc.1.4.na.doc1", url: `${S3}/doc1?X-Amz-Signature=abc`, compressionAlgorithm: "GZIP" });
    nock(S3).get("/doc1").query(true).reply(200, gzipSync(Buffer.from(report)), { "Content-Type": "text/tab-separated-values" });
    const done = await pollAmazonReturns(client(), { marketplaceId: MARKETPLACE }, waiting.value.nextCursor, { now: NOW });
    if (!done.ok) throw new Error(done.detail);
    expect(done.value.returns.map((r) => [r.record.externalReturnId, r.record.stage])).toEqual([
      ["R1", "refunded"],
      ["R2", "approved"],
    ]);
    expect(JSON.parse(done.value.nextCursor)).toEqual({ from: "2026-11-25T00:00:00.000Z", requestedAt: new Date(NOW).toISOString() });
  });

  it("does not ask for another report before the interval, and a CANCELLED report (no data) moves the window on", async () => {
    const recent = JSON.stringify({ from: "2026-11-01T00:00:00.000Z", requestedAt: new Date(NOW - 60_000).toISOString() });
    const idle = await pollAmazonReturns(client(), { marketplaceId: MARKETPLACE }, recent, { now: NOW });
    expect(idle).toMatchObject({ ok: true, value: { nextCursor: recent } });

    nock(SP).get("/reports/2021-06-30/reports/ID9").reply(200, { reportId: "ID9", reportType: "GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE", processingStatus: "CANCELLED", createdTime: "2026-12-01T12:00:00Z" });
    const cancelled = await pollAmazonReturns(client(), { marketplaceId: MARKETPLACE }, JSON.stringify({ from: "2026-11-01T00:00:00.000Z", to: "2026-12-01T11:00:00.000Z", reportId: "ID9", requestedAt: "2026-12-01T11:00:00.000Z" }), { now: NOW });
    expect(cancelled.ok && JSON.parse(cancelled.value.nextCursor)).toEqual({ from: "2026-12-01T11:00:00.000Z", requestedAt: "2026-12-01T11:00:00.000Z" });
  });

  it("keeps a FATAL report as a problem and asks for the same window again", async () => {
    nock(SP).get("/reports/2021-06-30/reports/ID7").reply(200, { reportId: "ID7", reportType: "GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE", processingStatus: "FATAL", createdTime: "2026-12-01T12:00:00Z" });
    const fatal = await pollAmazonReturns(client(), { marketplaceId: MARKETPLACE }, JSON.stringify({ from: "2026-11-01T00:00:00.000Z", to: "2026-12-01T11:00:00.000Z", reportId: "ID7" }), { now: NOW });
    if (!fatal.ok) throw new Error(fatal.detail);
    expect(fatal.value.rejected).toEqual([expect.objectContaining({ problem: "returns report ID7 ended FATAL" })]);
    expect(JSON.parse(fatal.value.nextCursor)).toEqual({ from: "2026-11-01T00:00:00.000Z" });
  });
});
