import { swaggerDefinitionValidator } from "../amazon-spec-validator.js";
import { RETURNS_REPORT_TYPE } from "../returns/amazon-returns-report-parser.js";
import type { AmazonSandboxState } from "./amazon-sandbox-state.js";

/**
 * The sandbox's Reports API (2021-06-30) for the one report the connector reads: buyers' returns
 * of shipped seller-fulfilled orders, reported by GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE as
 * Amazon writes it (tab-separated, the published header, dates as 14-Jul-2026). createReport is
 * checked against the model; a report stays IN_QUEUE / IN_PROGRESS for `processingDelayMs`, then
 * is DONE with a document on the presigned-style URL, or CANCELLED when the window holds no
 * return (as Amazon does). `advance()` moves returns along: approved with a prepaid label,
 * delivered back, refunded, closed.
 */

export interface SandboxReturn {
  rmaId: string;
  orderId: string;
  orderDate: string;
  sku: string;
  asin: string;
  title: string;
  quantity: number;
  reason: string;
  status: "Pending" | "Approved" | "Closed";
  requestedAt: number;
  trackingId?: string;
  deliveredAt?: number;
  refunded?: string;
  orderAmount: string;
  orderQuantity: number;
}

interface SandboxReport {
  reportId: string;
  reportType: string;
  marketplaceIds: string[];
  dataStartTime: string;
  dataEndTime: string;
  createdTime: string;
  processingStatus: "IN_QUEUE" | "IN_PROGRESS" | "DONE" | "CANCELLED";
  reportDocumentId?: string;
}

type Answer = { status: number; json?: unknown };

/** A shipped item of an order Amazon holds (the demo names ones of its history the sandbox was not started with). */
export interface ShippedAmazonLine {
  orderId: string;
  createdTime: string;
  sku: string;
  asin: string;
  title: string;
  unitPrice: string;
  quantityOrdered: number;
}
interface ReportRoute {
  method: string;
  pattern: RegExp;
  handle: (match: RegExpExecArray, url: URL, body: unknown) => Answer;
}

export const RETURNS_REPORT_HEADER = [
  "Order ID", "Order date", "Return request date", "Return request status", "Amazon RMA ID", "Merchant RMA ID", "Label type", "Label cost", "Currency code", "Return carrier", "Tracking ID",
  "Label to be paid by", "A-to-Z Claim", "Is prime", "ASIN", "Merchant SKU", "Item Name", "Return quantity", "Return Reason", "In policy", "Return type", "Resolution", "Invoice number",
  "Return delivery date", "Order Amount", "Order quantity", "SafeT Action reason", "SafeT claim id", "SafeT claim state", "SafeT claim creation time", "SafeT claim reimbursement amount", "Refunded Amount",
];
const REASONS = ["AMZ-PG-APP-TOO-SMALL", "AMZ-PG-APP-TOO-LARGE", "CR-UNWANTED_ITEM", "CR-DEFECTIVE", "AMZ-PG-BAD-DESC", "CR-SWITCHEROO"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

export function reportDate(ms: number): string {
  const d = new Date(ms);
  return `${String(d.getUTCDate()).padStart(2, "0")}-${MONTHS[d.getUTCMonth()]}-${d.getUTCFullYear()}`;
}

export interface AmazonReturnsDesk {
  returns: Map<string, SandboxReturn>;
  routes: ReportRoute[];
  /** A buyer returns one unit of a shipped line (a random one when not told which order). */
  generateReturn(options?: { orderId?: string; random?: () => number; line?: ShippedAmazonLine }): SandboxReturn | undefined;
  advance(): number;
  /** The flat file for a window, as a DONE report's document holds it. */
  flatFile(fromMs: number, toMs: number): { text: string; rows: number };
}

export function createAmazonReturnsDesk(deps: { state: AmazonSandboxState; now: () => number; baseUrl: () => string; processingDelayMs: number }): AmazonReturnsDesk {
  const { state, now } = deps;
  const returns = new Map<string, SandboxReturn>();
  const reports = new Map<string, SandboxReport>();
  let nextReportId = 70001;
  let nextRma = 1;
  const invalid = (message: string, details = ""): Answer => ({ status: 400, json: { errors: [{ code: "InvalidInput", message, details }] } });

  function flatFile(fromMs: number, toMs: number) {
    const rows = [...returns.values()]
      .filter((r) => r.requestedAt >= fromMs && r.requestedAt <= toMs)
      .sort((a, b) => a.requestedAt - b.requestedAt || a.rmaId.localeCompare(b.rmaId))
      .map((r) =>
        [
          r.orderId, r.orderDate, reportDate(r.requestedAt), r.status, r.rmaId, " ", r.trackingId ? "AmazonPrePaidLabel" : "", r.trackingId ? "4.14" : "", state.currency, r.trackingId ? "USPS" : "", r.trackingId ?? "",
          r.trackingId ? "Seller" : "", "N", "N", r.asin, r.sku, r.title, String(r.quantity), r.reason, "Y", "C-Returns", "StandardRefund", " ",
          r.deliveredAt ? reportDate(r.deliveredAt) : "", r.orderAmount, String(r.orderQuantity), "", "", "", "", "", r.refunded ?? "",
        ].join("\t"),
      );
    return { text: [RETURNS_REPORT_HEADER.join("\t"), ...rows].join("\n"), rows: rows.length };
  }

  function settle(report: SandboxReport): void {
    if (report.processingStatus === "DONE" || report.processingStatus === "CANCELLED") return;
    const age = now() - Date.parse(report.createdTime);
    if (age < deps.processingDelayMs / 2) return;
    if (age < deps.processingDelayMs) {
      report.processingStatus = "IN_PROGRESS";
      return;
    }
    const file = flatFile(Date.parse(report.dataStartTime), Date.parse(report.dataEndTime));
    if (file.rows === 0) {
      report.processingStatus = "CANCELLED";
      return;
    }
    const reportDocumentId = `amzn1.spdoc.1.4.na.sbx-${report.reportId}`;
    state.documents.set(reportDocumentId, { feedDocumentId: reportDocumentId, contentType: "text/tab-separated-values; charset=UTF-8", content: file.text });
    report.reportDocumentId = reportDocumentId;
    report.processingStatus = "DONE";
  }

  const routes: ReportRoute[] = [
    {
      method: "POST",
      pattern: /^\/reports\/2021-06-30\/reports$/,
      handle: (_m, _url, body) => {
        const validate = swaggerDefinitionValidator("reports", "CreateReportSpecification");
        const checked = validate?.(body);
        if (checked && !checked.valid) return invalid("Request body does not match the model", checked.errors.slice(0, 5).join("; "));
        const spec = body as { reportType: string; marketplaceIds: string[]; dataStartTime?: string; dataEndTime?: string };
        if (spec.reportType !== RETURNS_REPORT_TYPE) return invalid(`The sandbox does not produce report type ${spec.reportType}`);
        if (!spec.marketplaceIds.includes(state.marketplaceId)) return invalid(`marketplaceIds ${spec.marketplaceIds.join(",")} does not include this seller's marketplace`);
        const end = spec.dataEndTime ? Date.parse(spec.dataEndTime) : now();
        const start = spec.dataStartTime ? Date.parse(spec.dataStartTime) : end;
        if (Number.isNaN(start) || Number.isNaN(end)) return invalid("dataStartTime and dataEndTime must be ISO 8601 date-times");
        if (start > end) return invalid("dataStartTime must be before dataEndTime");
        if (end > now() + 1000) return invalid("dataEndTime must be prior to or equal to the current date and time");
        const reportId = String(nextReportId++);
        reports.set(reportId, {
          reportId,
          reportType: spec.reportType,
          marketplaceIds: spec.marketplaceIds,
          dataStartTime: new Date(start).toISOString(),
          dataEndTime: new Date(end).toISOString(),
          createdTime: new Date(now()).toISOString(),
          processingStatus: "IN_QUEUE",
        });
        return { status: 202, json: { reportId } };
      },
    },
    {
      method: "GET",
      pattern: /^\/reports\/2021-06-30\/reports\/([^/]+)$/,
      handle: (m) => {
        const report = reports.get(decodeURIComponent(m[1]!));
        if (!report) return { status: 404, json: { errors: [{ code: "NotFound", message: `Report ${decodeURIComponent(m[1]!)} not found` }] } };
        settle(report);
        return { status: 200, json: report };
      },
    },
    {
      method: "GET",
      pattern: /^\/reports\/2021-06-30\/documents\/([^/]+)$/,
      handle: (m) => {
        const id = decodeURIComponent(m[1]!);
        const document = [...reports.values()].some((r) => r.reportDocumentId === id) ? state.documents.get(id) : undefined;
        if (!document) return { status: 404, json: { errors: [{ code: "NotFound", message: `Report document ${id} not found` }] } };
        return { status: 200, json: { reportDocumentId: id, url: `${deps.baseUrl()}/sandbox-documents/${encodeURIComponent(id)}` } };
      },
    },
  ];

  return {
    returns,
    routes,
    flatFile,
    generateReturn(options = {}) {
      const random = options.random ?? Math.random;
      const taken = new Set([...returns.values()].map((r) => `${r.orderId}|${r.sku}`));
      const candidates: ShippedAmazonLine[] = [];
      if (options.line && !taken.has(`${options.line.orderId}|${options.line.sku}`)) candidates.push(options.line);
      for (const order of options.line ? [] : state.orders.values()) {
        if (options.orderId && order.orderId !== options.orderId) continue;
        for (const item of order.items) {
          if (item.quantityShipped > 0 && !taken.has(`${order.orderId}|${item.sku}`)) {
            candidates.push({ orderId: order.orderId, createdTime: order.createdTime, sku: item.sku, asin: item.asin, title: item.title, unitPrice: item.unitPrice.amount, quantityOrdered: item.quantityOrdered });
          }
        }
      }
      if (candidates.length === 0) return undefined;
      const item = candidates[Math.floor(random() * candidates.length) % candidates.length]!;
      const created: SandboxReturn = {
        rmaId: `D${String(nextRma++).padStart(4, "0")}SbxRRMA`,
        orderId: item.orderId,
        orderDate: reportDate(Date.parse(item.createdTime)),
        sku: item.sku,
        asin: item.asin,
        title: item.title,
        quantity: 1,
        reason: REASONS[Math.floor(random() * REASONS.length) % REASONS.length]!,
        status: "Pending",
        requestedAt: now(),
        orderAmount: item.unitPrice,
        orderQuantity: item.quantityOrdered,
      };
      returns.set(created.rmaId, created);
      return created;
    },
    advance() {
      let moved = 0;
      for (const r of returns.values()) {
        if (r.status === "Pending") {
          r.status = "Approved";
          r.trackingId = `9202090${String(100_000_000_000 + nextRma * 7919 + moved).slice(-12)}`;
        } else if (r.status === "Approved" && !r.deliveredAt) r.deliveredAt = now();
        else if (r.status === "Approved" && !r.refunded) r.refunded = r.orderAmount;
        else if (r.status === "Approved") r.status = "Closed";
        else continue;
        moved++;
      }
      return moved;
    },
  };
}
