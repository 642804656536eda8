import { z } from "zod";
import type { ChannelCallResult } from "../../core/ports/channel-connector-port.js";
import type { EbaySession } from "./ebay-client.js";

/**
 * Order capture by polling the Fulfillment API's getOrders: `filter=lastmodifieddate:[from..]`,
 * `limit` (at most 200) and zero-based `offset`, following the collection's `next`/`total`.
 * The cursor is JSON {from, offset, newest}; after the last page the next sweep starts one
 * second before the newest lastModifiedDate seen, and the inbox deduplicates the overlap by
 * order version.
 */

export const EBAY_POLL_PAGE_SIZE = 200;
const OVERLAP_MS = 1_000;

const cursorSchema = z.object({ from: z.iso.datetime(), offset: z.number().int().nonnegative(), newest: z.iso.datetime().nullable().default(null) });
type EbayPollCursor = z.infer<typeof cursorSchema>;

export function initialEbayPollCursor(since: Date): string {
  return JSON.stringify({ from: since.toISOString(), offset: 0, newest: null } satisfies EbayPollCursor);
}

export interface EbayPolledPage {
  readonly orders: readonly unknown[];
  readonly nextCursor: string;
  readonly hasMore: boolean;
}

export async function pollEbayOrders(session: EbaySession, cursor: string, options: { limit?: number } = {}): Promise<ChannelCallResult<EbayPolledPage>> {
  let state: EbayPollCursor;
  try {
    state = cursorSchema.parse(JSON.parse(cursor));
  } catch {
    return { ok: false, reason: "rejected", detail: `invalid eBay poll cursor ${JSON.stringify(cursor)}` };
  }
  const limit = Math.min(EBAY_POLL_PAGE_SIZE, options.limit ?? EBAY_POLL_PAGE_SIZE);
  const page = await session.call((api) =>
    api.sell.fulfillment.getOrders({ filter: `lastmodifieddate:[${state.from}..]`, limit, offset: state.offset }) as Promise<{ orders?: unknown[]; total?: number; next?: string }>,
  );
  if (!page.ok) return page;
  const orders = page.value.orders ?? [];
  let newest = state.newest ? Date.parse(state.newest) : Number.NEGATIVE_INFINITY;
  for (const order of orders) {
    const modified = Date.parse(String((order as { lastModifiedDate?: unknown }).lastModifiedDate));
    if (Number.isFinite(modified) && modified > newest) newest = modified;
  }
  const total = page.value.total ?? 0;
  const hasMore = orders.length > 0 && (page.value.next !== undefined || state.offset + orders.length < total);
  const newestIso = Number.isFinite(newest) ? new Date(newest).toISOString() : null;
  const next: EbayPollCursor = hasMore
    ? { from: state.from, offset: state.offset + orders.length, newest: newestIso }
    : { from: newestIso ? new Date(Math.max(Date.parse(state.from), Date.parse(newestIso) - OVERLAP_MS)).toISOString() : state.from, offset: 0, newest: null };
  return { ok: true, value: { orders, nextCursor: JSON.stringify(next), hasMore } };
}

/** The inbox identity of one polled order version: order id + lastModifiedDate. */
export function ebayOrderDeliveryIdentity(payload: unknown): { deliveryId: string; resourceId: string; triggeredAt: Date } | undefined {
  const order = payload as { orderId?: unknown; lastModifiedDate?: unknown } | null;
  if (!order || typeof order.orderId !== "string" || typeof order.lastModifiedDate !== "string") return undefined;
  const triggeredAt = new Date(order.lastModifiedDate);
  if (Number.isNaN(triggeredAt.getTime())) return undefined;
  return { deliveryId: `order:${order.orderId}:${triggeredAt.toISOString()}`, resourceId: order.orderId, triggeredAt };
}
