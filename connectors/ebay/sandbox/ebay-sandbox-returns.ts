import type { EbaySandboxState } from "./ebay-sandbox-state.js";

/**
 * The sandbox's Post-Order returns desk (v2): buyers' returns on shipped orders, found with
 * `GET /post-order/v2/return/search` (creation_date_range_from/_to, limit 1..200, offset =
 * entries skipped, `sort=±FILING_DATE`, `paginationOutput` with totalEntries/totalPages),
 * read with `GET /return/{id}`, decided with `POST /return/{id}/decide` (APPROVE / DECLINE, only
 * while the seller owes a decision) and refunded with `POST /return/{id}/issue_refund` (only once
 * the item is back, or approved without return). Calls carry `Authorization: IAF <user token>`.
 * `advance()` moves approved returns along as the buyer and the carrier would.
 */

export interface EbaySandboxReturn {
  returnId: string;
  orderId: string;
  itemId: string;
  transactionId: string;
  quantity: number;
  reason: string;
  comment: string;
  state: string;
  createdAt: number;
  refundMinor: number;
  refunds: { amount: string; at: number }[];
}

const REASONS = ["WRONG_SIZE", "NO_LONGER_NEED_ITEM", "DEFECTIVE_ITEM", "NOT_AS_DESCRIBED", "ARRIVED_DAMAGED", "ORDERED_ACCIDENTALLY"];
const DECIDABLE = new Set(["RETURN_REQUESTED", "RMA_PENDING"]);
const REFUNDABLE = new Set(["ITEM_DELIVERED", "ITEM_READY_TO_SHIP", "ITEM_SHIPPED"]);
const NEXT_STATE: Readonly<Record<string, string>> = { ITEM_READY_TO_SHIP: "ITEM_SHIPPED", ITEM_SHIPPED: "ITEM_DELIVERED", REFUND_INITIATED: "CLOSED" };

type Answer = { status: number; json: unknown };

/** A shipped line of an order eBay holds (the demo names ones of its history the sandbox was not started with). */
export interface ShippedEbayLine {
  orderId: string;
  itemId: string;
  transactionId: string;
  priceMinor: number;
}

export interface EbayReturnsDesk {
  returns: Map<string, EbaySandboxReturn>;
  /** Handles /post-order/v2/return/...; undefined for any other path. */
  route(method: string, url: URL, authorization: string | undefined, body: unknown): Answer | undefined;
  /** A buyer opens a return on a shipped line (a random one when not told which). */
  simulateReturn(options?: { orderId?: string; reason?: string; random?: () => number; line?: ShippedEbayLine }): EbaySandboxReturn | undefined;
  /** Moves every approved, shipped or refunded return one step on; answers how many moved. */
  advance(): number;
}

export function createEbayReturnsDesk(deps: { state: EbaySandboxState; now: () => number; userToken: (token: string) => boolean }): EbayReturnsDesk {
  const { state, now } = deps;
  const returns = new Map<string, EbaySandboxReturn>();
  let sequence = 5_000_000_000;
  const error = (status: number, errorId: number, message: string): Answer => ({ status, json: { error: [{ errorId, domain: "returnErrorDomain", severity: "ERROR", category: "REQUEST", message }] } });

  const summary = (r: EbaySandboxReturn) => ({
    returnId: r.returnId,
    orderId: r.orderId,
    buyerLoginName: state.orders.get(r.orderId)?.buyer.username ?? "buyer",
    sellerLoginName: "switchyard_demo_seller",
    currentType: "MONEY_BACK",
    state: r.state,
    status: r.state,
    creationInfo: {
      item: { itemId: r.itemId, transactionId: r.transactionId, returnQuantity: r.quantity },
      type: "MONEY_BACK",
      reason: r.reason,
      reasonType: r.reason === "DEFECTIVE_ITEM" || r.reason === "NOT_AS_DESCRIBED" || r.reason === "ARRIVED_DAMAGED" ? "SNAD" : "REMORSE",
      comments: { content: r.comment },
      creationDate: { value: new Date(r.createdAt).toISOString() },
    },
    sellerTotalRefund: { estimatedRefundAmount: { value: r.refundMinor / 100, currency: state.currency } },
    ...(DECIDABLE.has(r.state) ? { sellerResponseDue: { activityDue: "SELLER_APPROVE_REQUEST", respondByDate: { value: new Date(r.createdAt + 3 * 86_400_000).toISOString() } } } : {}),
  });

  function search(url: URL): Answer {
    const q = url.searchParams;
    const from = q.get("creation_date_range_from");
    const to = q.get("creation_date_range_to");
    const fromMs = from ? Date.parse(from) : Number.NEGATIVE_INFINITY;
    const toMs = to ? Date.parse(to) : Number.POSITIVE_INFINITY;
    if (Number.isNaN(fromMs) || Number.isNaN(toMs)) return error(400, 1306, "The date range is not valid.");
    if (fromMs > toMs) return error(400, 1306, "creation_date_range_from must be older than creation_date_range_to.");
    const limit = Number(q.get("limit") ?? 25);
    const offset = Number(q.get("offset") ?? 0);
    if (!Number.isInteger(limit) || limit < 1 || limit > 200) return error(400, 1307, "The limit must be between 1 and 200.");
    if (!Number.isInteger(offset) || offset < 0) return error(400, 1308, "The offset must be zero or positive.");
    const sort = q.get("sort") ?? "-FILING_DATE";
    if (!/^[+-]?FILING_DATE$/.test(sort)) return error(400, 1309, `The sandbox sorts by FILING_DATE only, not ${sort}.`);
    const descending = sort.startsWith("-");
    const state = q.get("states") ?? q.get("return_state");
    const list = [...returns.values()]
      .filter((r) => r.createdAt >= fromMs && r.createdAt <= toMs && (!state || state === r.state || (state === "ALL_OPEN" && r.state !== "CLOSED")))
      .sort((a, b) => (descending ? b.createdAt - a.createdAt : a.createdAt - b.createdAt) || a.returnId.localeCompare(b.returnId));
    return {
      status: 200,
      json: {
        members: list.slice(offset, offset + limit).map(summary),
        paginationOutput: { limit, offset, totalEntries: list.length, totalPages: Math.ceil(list.length / limit) },
      },
    };
  }

  return {
    returns,
    route(method, url, authorization, body) {
      if (!url.pathname.startsWith("/post-order/v2/return")) return undefined;
      const token = authorization?.startsWith("IAF ") ? authorization.slice(4) : "";
      if (!deps.userToken(token)) return { status: 401, json: { error: [{ errorId: 1001, domain: "Security", severity: "ERROR", category: "REQUEST", message: "Invalid access token (IAF)." }] } };
      const path = url.pathname.slice("/post-order/v2".length);
      if (method === "GET" && path === "/return/search") return search(url);
      const m = /^\/return\/(\d+)(?:\/(decide|issue_refund))?$/.exec(path);
      const r = m ? returns.get(m[1]!) : undefined;
      if (!m) return error(404, 1001, "Resource not found.");
      if (!r) return error(404, 1201, `Return ${m[1]} was not found.`);
      if (method === "GET" && !m[2]) return { status: 200, json: { summary: summary(r), detail: { refundInfo: { actualRefundDetail: { refunds: r.refunds } } } } };
      if (method === "POST" && m[2] === "decide") {
        const decision = (body as { decision?: unknown } | null)?.decision;
        if (decision !== "APPROVE" && decision !== "DECLINE") return error(400, 1503, "decision must be APPROVE or DECLINE in the sandbox.");
        if (!DECIDABLE.has(r.state)) return error(400, 1504, `The return is ${r.state}; no decision is due.`);
        r.state = decision === "APPROVE" ? "ITEM_READY_TO_SHIP" : "RETURN_REJECTED";
        return { status: 200, json: {} };
      }
      if (method === "POST" && m[2] === "issue_refund") {
        const detail = (body as { refundDetail?: { totalAmount?: { value?: unknown; currency?: unknown }; itemizedRefundDetail?: unknown[] } } | null)?.refundDetail;
        const value = detail?.totalAmount?.value;
        if (typeof value !== "string" || !/^\d+(\.\d{1,2})?$/.test(value) || !Array.isArray(detail?.itemizedRefundDetail) || detail.itemizedRefundDetail.length === 0) {
          return error(400, 1601, "refundDetail needs totalAmount.value (a decimal string) and itemizedRefundDetail.");
        }
        if (detail.totalAmount?.currency !== state.currency) return error(400, 1602, `Refunds are in ${state.currency}.`);
        if (!REFUNDABLE.has(r.state)) return error(400, 1603, `The return is ${r.state}; it cannot be refunded now.`);
        if (Math.round(Number(value) * 100) > r.refundMinor) return error(400, 1604, "The refund is more than the buyer paid for the item.");
        r.refunds.push({ amount: value, at: now() });
        r.state = "REFUND_INITIATED";
        return { status: 200, json: { refundStatus: "SUCCESS" } };
      }
      return error(405, 1002, "Method not allowed.");
    },
    simulateReturn(options = {}) {
      const random = options.random ?? Math.random;
      const returned = new Set([...returns.values()].map((r) => r.transactionId));
      const candidates: ShippedEbayLine[] = [];
      if (options.line && !returned.has(options.line.transactionId)) candidates.push(options.line);
      for (const order of options.line ? [] : state.orders.values()) {
        if (options.orderId && order.orderId !== options.orderId) continue;
        for (const line of order.lines) {
          const shipped = order.fulfillments.some((f) => f.lineItems.some((x) => x.lineItemId === line.lineItemId));
          if (shipped && !returned.has(line.lineItemId)) candidates.push({ orderId: order.orderId, itemId: line.legacyItemId, transactionId: line.lineItemId, priceMinor: line.priceMinor });
        }
      }
      if (candidates.length === 0) return undefined;
      const line = candidates[Math.floor(random() * candidates.length) % candidates.length]!;
      const reason = options.reason ?? REASONS[Math.floor(random() * REASONS.length) % REASONS.length]!;
      const created: EbaySandboxReturn = {
        returnId: String(sequence++),
        orderId: line.orderId,
        itemId: line.itemId,
        transactionId: line.transactionId,
        quantity: 1,
        reason,
        comment: reason === "WRONG_SIZE" ? "Does not fit" : "Please take it back",
        state: "RETURN_REQUESTED",
        createdAt: now(),
        refundMinor: line.priceMinor,
        refunds: [],
      };
      returns.set(created.returnId, created);
      return created;
    },
    advance() {
      let moved = 0;
      for (const r of returns.values()) {
        const next = NEXT_STATE[r.state];
        if (next) {
          r.state = next;
          moved++;
        }
      }
      return moved;
    },
  };
}

