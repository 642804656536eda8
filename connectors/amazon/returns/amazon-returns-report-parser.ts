import { parse } from "csv-parse/sync";
import type { ReturnReason } from "../../../core/returns/return-rules.js";
import type { ChannelReturnLine, ChannelReturnRecord, ChannelReturnStage, ReadChannelReturn, RejectedChannelReturn } from "../../../core/ports/channel-returns-port.js";

/**
 * The seller-fulfilled returns report (GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE): a tab-separated
 * flat file, one row per returned item, headed by "Order ID, Order date, Return request date,
 * Return request status, Amazon RMA ID, Merchant RMA ID, ..., Merchant SKU, Item Name, Return
 * quantity, Return Reason, ..., Return delivery date, ..., Refunded Amount". Columns are found by
 * their header (Amazon adds columns over time), rows of one RMA become one return, and a row that
 * cannot be read is kept with its line number and why, never dropped.
 */

export const RETURNS_REPORT_TYPE = "GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE";

const COLUMNS = {
  orderId: "order id",
  requestDate: "return request date",
  status: "return request status",
  rmaId: "amazon rma id",
  carrier: "return carrier",
  trackingId: "tracking id",
  asin: "asin",
  sku: "merchant sku",
  quantity: "return quantity",
  reason: "return reason",
  deliveryDate: "return delivery date",
  refunded: "refunded amount",
} as const;
const REQUIRED: readonly (keyof typeof COLUMNS)[] = ["orderId", "requestDate", "status", "rmaId", "sku", "quantity"];

export interface ParsedReturnsReport {
  returns: ReadChannelReturn[];
  rejected: RejectedChannelReturn[];
}

const MONTHS: Readonly<Record<string, number>> = { jan: 0, feb: 1, mar: 2, apr: 3, may: 4, jun: 5, jul: 6, aug: 7, sep: 8, oct: 9, nov: 10, dec: 11 };

/** "14-Jul-2025" (the report's own format) or an ISO 8601 date; undefined when neither. */
export function parseReportDate(text: string): Date | undefined {
  const value = text.trim();
  if (!value) return undefined;
  const m = /^(\d{1,2})-([A-Za-z]{3})-(\d{4})$/.exec(value);
  if (m) {
    const month = MONTHS[m[2]!.toLowerCase()];
    const day = Number(m[1]);
    if (month === undefined || day < 1 || day > 31) return undefined;
    const date = new Date(Date.UTC(Number(m[3]), month, day));
    return date.getUTCDate() === day ? date : undefined;
  }
  if (!/^\d{4}-\d{2}-\d{2}/.test(value)) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** Amazon's return reason codes ("AMZ-PG-APP-TOO-SMALL", "CR-DEFECTIVE") as ours. */
export function amazonReturnReason(code: string): ReturnReason {
  const c = code.toUpperCase();
  if (/TOO[-_]SMALL/.test(c)) return "size_too_small";
  if (/TOO[-_]LARGE|TOO[-_]BIG/.test(c)) return "size_too_large";
  if (/STYLE/.test(c)) return "style";
  if (/COLOU?R/.test(c)) return "color";
  if (/DEFECTIVE|DAMAGED|QUALITY|MISSING[-_]PARTS/.test(c)) return "defective";
  if (/BAD[-_]DESC|NOT[-_]AS[-_]DESCRIBED|NOT[-_]COMPATIBLE|INACCURATE/.test(c)) return "not_as_described";
  if (/SWITCHEROO|WRONG[-_]ITEM[-_]SENT|DIFFERENT[-_]ITEM/.test(c)) return "wrong_item";
  if (/UNWANTED|BETTER[-_]PRICE|NO[-_]LONGER|ORDERED[-_]WRONG|MISSED[-_]ESTIMATED|NO[-_]REASON|UNAUTHORIZED[-_]PURCHASE/.test(c)) return "unwanted";
  return "other";
}

/** The furthest stage a report row shows: a refund, then a delivery, then a label, then the status word. */
export function amazonReturnStage(status: string, row: { trackingId: string; deliveryDate: string; refunded: string }): ChannelReturnStage {
  const s = status.trim().toLowerCase();
  if (/reject|declin|denied/.test(s)) return "declined";
  if (Number(row.refunded) > 0) return "refunded";
  if (/closed|completed/.test(s)) return "closed";
  if (parseReportDate(row.deliveryDate)) return "received";
  if (/approved|authori[sz]ed/.test(s)) return row.trackingId.trim() ? "label_issued" : "approved";
  return "requested";
}

export function parseReturnsReport(text: string): ParsedReturnsReport {
  const parsedRows = parse(text, { delimiter: "\t", quote: false, relax_column_count: true, skip_empty_lines: true, bom: true, trim: false, info: true }) as unknown as { record: string[]; info: { lines: number } }[];
  const rows = parsedRows.map((r) => r.record);
  const out: ParsedReturnsReport = { returns: [], rejected: [] };
  if (rows.length === 0) return out;
  const header = rows[0]!.map((name) => name.trim().toLowerCase());
  const index = Object.fromEntries(Object.entries(COLUMNS).map(([key, name]) => [key, header.indexOf(name)])) as Record<keyof typeof COLUMNS, number>;
  const missing = REQUIRED.filter((key) => index[key] < 0);
  if (missing.length > 0) {
    out.rejected.push({ problem: `returns report header lacks ${missing.map((k) => `"${COLUMNS[k]}"`).join(", ")}`, raw: { line: 1, header: rows[0] } });
    return out;
  }
  const groups = new Map<string, { record: Omit<ChannelReturnRecord, "lines"> & { lines: ChannelReturnLine[] }; raw: { line: number; row: Record<string, string> }[] }>();
  rows.slice(1).forEach((cells, i) => {
    // The file's own line number (blank lines skipped still count), so a person can find the row.
    const line = parsedRows[i + 1]!.info.lines;
    const row = Object.fromEntries(header.map((name, c) => [name, cells[c] ?? ""]));
    const cell = (key: keyof typeof COLUMNS) => (index[key] >= 0 ? (cells[index[key]] ?? "").trim() : "");
    const keep = (problem: string) => out.rejected.push({ ...(cell("rmaId") ? { externalReturnId: cell("rmaId") } : {}), problem: `line ${line}: ${problem}`, raw: { line, row } });
    if (cells.length > header.length) return keep(`${cells.length} fields where the header has ${header.length}`);
    const absent = REQUIRED.filter((key) => !cell(key));
    if (absent.length > 0) return keep(`no ${absent.map((k) => COLUMNS[k]).join(", ")}`);
    const quantity = Number(cell("quantity"));
    if (!Number.isInteger(quantity) || quantity <= 0) return keep(`return quantity "${cell("quantity")}" is not a positive whole number`);
    const requestedAt = parseReportDate(cell("requestDate"));
    if (!requestedAt) return keep(`return request date "${cell("requestDate")}" is not a date`);
    const stage = amazonReturnStage(cell("status"), { trackingId: cell("trackingId"), deliveryDate: cell("deliveryDate"), refunded: cell("refunded") });
    const rmaId = cell("rmaId");
    let group = groups.get(rmaId);
    if (group && group.record.externalOrderId !== cell("orderId")) return keep(`RMA ${rmaId} already belongs to order ${group.record.externalOrderId}`);
    if (!group) {
      group = {
        record: {
          externalReturnId: rmaId,
          externalOrderId: cell("orderId"),
          stage,
          channelStatus: cell("status"),
          requestedAt,
          lines: [],
          ...(cell("carrier") ? { carrier: cell("carrier") } : {}),
          ...(cell("trackingId") ? { trackingNumber: cell("trackingId") } : {}),
        },
        raw: [],
      };
      groups.set(rmaId, group);
    } else if (STAGE_ORDER.indexOf(stage) > STAGE_ORDER.indexOf(group.record.stage)) {
      group.record = { ...group.record, stage };
    }
    const reasonCode = cell("reason");
    group.record.lines.push({
      sku: cell("sku"),
      ...(cell("asin") ? { listingRef: cell("asin") } : {}),
      quantity,
      reason: amazonReturnReason(reasonCode),
      channelReason: reasonCode || "none given",
    });
    group.raw.push({ line, row });
  });
  for (const group of groups.values()) out.returns.push({ record: group.record, raw: group.raw });
  return out;
}

const STAGE_ORDER: readonly ChannelReturnStage[] = ["requested", "approved", "label_issued", "in_transit", "received", "refunded", "closed", "declined", "cancelled"];
