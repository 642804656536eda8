import { z } from "zod";
import type { ReturnReason } from "../../../core/returns/return-rules.js";
import { channelReturnSettled, nextReturnsWindowStart } from "../../../core/returns/channel-return-follow.js";
import { minorUnitsToDecimal } from "../../../core/shared/decimal-money.js";
import type { ChannelCallResult } from "../../../core/ports/channel-connector-port.js";
import type {
  ChannelRefundRequest,
  ChannelReturnDecision,
  ChannelReturnRecord,
  ChannelReturnStage,
  ChannelReturns,
  ChannelReturnsPage,
  ReadChannelReturn,
  RejectedChannelReturn,
} from "../../../core/ports/channel-returns-port.js";
import type { EbaySession } from "../ebay-client.js";

/**
 * eBay returns through the Post-Order API (v2) as the official client (`api.postOrder.return`)
 * sends it: `GET /post-order/v2/return/search` by filing date, `limit`/`offset` paging (offset =
 * entries skipped, `paginationOutput.totalEntries`), `sort=+FILING_DATE` so pages stay stable;
 * `POST /return/{id}/decide` (APPROVE / DECLINE) and `POST /return/{id}/issue_refund`. The client
 * authorises these with `Authorization: IAF <user token>`.
 *
 * The cursor is JSON {from, to, offset, open}: one pass reads every page of returns filed in
 * [from, to], then the next pass starts at the oldest return still unsettled (read again until
 * eBay settles it), so state changes are seen without reading the whole history.
 */

export const EBAY_RETURN_PAGE_SIZE = 25;
/** eBay searches at most 18 months back. */
const SEARCH_FLOOR_MS = 540 * 24 * 3600_000;
const FIRST_PASS_LOOKBACK_MS = 30 * 24 * 3600_000;

const cursorSchema = z.object({
  from: z.iso.datetime(),
  to: z.iso.datetime().optional(),
  offset: z.number().int().nonnegative().default(0),
  /** Oldest unsettled filing date seen so far in this pass. */
  open: z.iso.datetime().nullable().default(null),
});
type EbayReturnCursor = z.infer<typeof cursorSchema>;

/** What one search member looks like (ReturnSummaryType); only what we read is required. */
const memberSchema = z.looseObject({
  returnId: z.string().min(1),
  orderId: z.string().min(1),
  state: z.string().optional(),
  status: z.string().optional(),
  currentType: z.string().optional(),
  creationInfo: z.looseObject({
    item: z.looseObject({ itemId: z.string().optional(), transactionId: z.string().optional(), returnQuantity: z.number().int().positive() }),
    reason: z.string().optional(),
    comments: z.looseObject({ content: z.string().optional() }).optional(),
    creationDate: z.looseObject({ value: z.iso.datetime({ offset: true }) }),
  }),
});

/** eBay's return states (ReturnStateEnum) as the stage our RMA follows. */
export function ebayReturnStage(state: string): ChannelReturnStage {
  if (state === "RETURN_REJECTED") return "declined";
  if (state === "CLOSED" || state === "REPLACEMENT_CLOSED") return "closed";
  if (state === "ITEM_SHIPPED") return "in_transit";
  if (state === "ITEM_DELIVERED") return "received";
  if (state === "ITEM_KEPT" || /REFUND(ED|_INITIATED|_SENT_PENDING_CONFIRMATION|_ISSUED)|PAYOUT_INITIATED/.test(state)) return "refunded";
  if (state === "ITEM_READY_TO_SHIP" || state.startsWith("RETURN_LABEL_")) return "approved";
  // RETURN_REQUESTED, RMA_PENDING, INITIAL, timeouts, replacements, failed refunds: the seller still has to act.
  return "requested";
}

const REASONS: Readonly<Record<string, ReturnReason>> = {
  ARRIVED_DAMAGED: "defective",
  DEFECTIVE_ITEM: "defective",
  MISSING_PARTS: "defective",
  EXPIRED_ITEM: "defective",
  NOT_AS_DESCRIBED: "not_as_described",
  DIFFERENT_FROM_LISTING: "not_as_described",
  FAKE_OR_COUNTERFEIT: "not_as_described",
  ORDERED_DIFFERENT_ITEM: "wrong_item",
  NO_LONGER_NEED_ITEM: "unwanted",
  ORDERED_ACCIDENTALLY: "unwanted",
  ORDERED_WRONG_ITEM: "unwanted",
  FOUND_BETTER_PRICE: "unwanted",
  RETURNING_GIFT: "unwanted",
  BUYER_CANCEL_ORDER: "unwanted",
  ARRIVED_LATE: "unwanted",
};

export function ebayReturnReason(reason: string | undefined): ReturnReason {
  return (reason && REASONS[reason]) || "other";
}

export function initialEbayReturnCursor(now: Date): string {
  return JSON.stringify({ from: new Date(now.getTime() - FIRST_PASS_LOOKBACK_MS).toISOString(), offset: 0, open: null } satisfies EbayReturnCursor);
}

/** One page of a pass. */
export async function searchEbayReturns(session: EbaySession, cursorText: string | null, now: Date, options: { limit?: number } = {}): Promise<ChannelCallResult<ChannelReturnsPage>> {
  let cursor: EbayReturnCursor;
  try {
    cursor = cursorSchema.parse(JSON.parse(cursorText ?? initialEbayReturnCursor(now)));
  } catch {
    return { ok: false, reason: "rejected", detail: `invalid eBay returns cursor ${JSON.stringify(cursorText)}` };
  }
  const to = cursor.to ?? now.toISOString();
  const limit = Math.min(EBAY_RETURN_PAGE_SIZE, options.limit ?? EBAY_RETURN_PAGE_SIZE);
  const page = await session.call(
    (api) =>
      api.postOrder.return.search({
        creation_date_range_from: cursor.from,
        creation_date_range_to: to,
        limit,
        offset: cursor.offset,
        sort: "+FILING_DATE" as never,
      }) as Promise<{ members?: unknown[]; paginationOutput?: { totalEntries?: number } }>,
  );
  if (!page.ok) return page;
  const members = Array.isArray(page.value?.members) ? page.value.members : [];
  const returns: ReadChannelReturn[] = [];
  const rejected: RejectedChannelReturn[] = [];
  for (const raw of members) {
    const read = readEbayReturn(raw);
    if ("record" in read) returns.push(read);
    else rejected.push(read);
  }
  let open = cursor.open ? new Date(cursor.open) : null;
  for (const { record } of returns) {
    if (!channelReturnSettled(record.stage) && (!open || record.requestedAt < open)) open = record.requestedAt;
  }
  const total = page.value?.paginationOutput?.totalEntries ?? 0;
  const hasMore = members.length > 0 && cursor.offset + members.length < total;
  const next: EbayReturnCursor = hasMore
    ? { from: cursor.from, to, offset: cursor.offset + members.length, open: open?.toISOString() ?? null }
    : {
        from: nextReturnsWindowStart(new Date(cursor.from), new Date(to), open ? [{ requestedAt: open, stage: "requested" }] : [], new Date(now.getTime() - SEARCH_FLOOR_MS)).toISOString(),
        offset: 0,
        open: null,
      };
  return { ok: true, value: { returns, rejected, nextCursor: JSON.stringify(next), hasMore } };
}

/** One search member as a channel return, or why it cannot be read (kept with the raw member). */
export function readEbayReturn(raw: unknown): ReadChannelReturn | RejectedChannelReturn {
  const parsed = memberSchema.safeParse(raw);
  if (!parsed.success) {
    const id = (raw as { returnId?: unknown } | null)?.returnId;
    return { ...(typeof id === "string" ? { externalReturnId: id } : {}), problem: `eBay return not readable: ${parsed.error.issues.map((i) => `${i.path.join(".")} ${i.message}`).join("; ")}`, raw };
  }
  const member = parsed.data;
  const channelStatus = member.state ?? member.status ?? "UNKNOWN";
  const item = member.creationInfo.item;
  const record: ChannelReturnRecord = {
    externalReturnId: member.returnId,
    externalOrderId: member.orderId,
    stage: ebayReturnStage(channelStatus),
    channelStatus,
    requestedAt: new Date(member.creationInfo.creationDate.value),
    lines: [
      {
        ...(item.transactionId ? { externalLineId: item.transactionId } : {}),
        ...(item.itemId ? { listingRef: item.itemId } : {}),
        quantity: item.returnQuantity,
        reason: ebayReturnReason(member.creationInfo.reason),
        channelReason: member.creationInfo.reason ?? "UNKNOWN",
        ...(member.creationInfo.comments?.content ? { note: member.creationInfo.comments.content } : {}),
      },
    ],
  };
  return { record, raw };
}

export async function decideEbayReturn(session: EbaySession, decision: ChannelReturnDecision): Promise<ChannelCallResult<void>> {
  const answer = await session.call((api) =>
    api.postOrder.return.processReturnRequest(decision.externalReturnId, {
      decision: decision.approve ? "APPROVE" : "DECLINE",
      ...(decision.comment ? { comments: { content: decision.comment } as never } : {}),
    }),
  );
  return answer.ok ? { ok: true, value: undefined } : answer;
}

/**
 * The refund of an eBay return (issue_refund). A retried job first reads the return: one eBay
 * already shows as refunded is not refunded again.
 */
export async function refundEbayReturn(session: EbaySession, request: ChannelRefundRequest): Promise<ChannelCallResult<{ reference: string; alreadyDone: boolean }>> {
  if (!request.externalReturnId) return { ok: false, reason: "rejected", detail: "an eBay refund needs the eBay return it pays for" };
  const returnId = request.externalReturnId;
  const current = await session.call((api) => api.postOrder.return.getReturn(returnId) as Promise<{ summary?: { state?: string; status?: string } }>);
  if (!current.ok) return current;
  const state = current.value?.summary?.state ?? current.value?.summary?.status ?? "";
  if (ebayReturnStage(state) === "refunded" || state === "CLOSED") return { ok: true, value: { reference: returnId, alreadyDone: true } };
  const amount = { value: minorUnitsToDecimal(request.amountMinor, request.currency), currency: request.currency };
  const answer = await session.call(
    (api) =>
      api.postOrder.return.issueReturnRefund(returnId, {
        comments: { content: `${request.reference}: ${request.reason}` },
        refundDetail: { itemizedRefundDetail: [{ refundAmount: amount as never, refundFeeType: "PURCHASE_PRICE" }], totalAmount: amount as never },
      }) as Promise<{ refundStatus?: string }>,
  );
  if (!answer.ok) return answer;
  return { ok: true, value: { reference: returnId, alreadyDone: false } };
}

/** The `returns` capability of an eBay connection. */
export function ebayReturns(session: EbaySession, now: () => Date): ChannelReturns {
  return {
    fetchReturns: (cursor) => searchEbayReturns(session, cursor, now()),
    decide: (decision) => decideEbayReturn(session, decision),
    refund: (request) => refundEbayReturn(session, request),
  };
}
