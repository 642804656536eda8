import { z } from "zod";
import type { ChannelCallResult } from "../../core/ports/channel-connector-port.js";
import type { WooClient } from "./woocommerce-client.js";
import { parseWooGmtDate } from "./woocommerce-order-mapper.js";

/**
 * The fallback to webhooks: orders modified after a point in time, page by page
 * (`modified_after` with `dates_are_gmt`, pages counted by X-WP-TotalPages). The cursor is
 * JSON {after, page}; when the last page is read the next cursor starts one second before the
 * newest modification seen, so an order changed within that same second is read again rather
 * than missed (re-reads are deduplicated by the inbox, which keys on the order version).
 */

export const WOO_POLL_PAGE_SIZE = 100;
/** Overlap kept at the end of each sweep: Woo's dates have one-second resolution. */
const OVERLAP_MS = 1_000;

const cursorSchema = z.object({ after: z.iso.datetime(), page: z.number().int().positive(), newest: z.iso.datetime().nullable().default(null) });
export type WooPollCursor = z.infer<typeof cursorSchema>;

export interface WooPolledPage {
  /** Raw order payloads, kept as received for the inbox. */
  readonly orders: readonly unknown[];
  readonly nextCursor: string;
  readonly hasMore: boolean;
}

export function initialWooPollCursor(since: Date): string {
  return JSON.stringify({ after: since.toISOString(), page: 1, newest: null } satisfies WooPollCursor);
}

export async function pollWooOrders(client: WooClient, cursor: string, options: { perPage?: number } = {}): Promise<ChannelCallResult<WooPolledPage>> {
  let state: WooPollCursor;
  try {
    state = cursorSchema.parse(JSON.parse(cursor));
  } catch {
    return { ok: false, reason: "rejected", detail: `invalid WooCommerce poll cursor ${JSON.stringify(cursor)}` };
  }
  const response = await client.get<unknown[]>("orders", {
    modified_after: state.after,
    dates_are_gmt: true,
    orderby: "date",
    order: "asc",
    per_page: options.perPage ?? WOO_POLL_PAGE_SIZE,
    page: state.page,
  });
  if (!response.ok) return response;
  const orders = Array.isArray(response.value.data) ? response.value.data : [];
  let newest = state.newest ? Date.parse(state.newest) : Number.NEGATIVE_INFINITY;
  for (const order of orders) {
    const modified = (order as { date_modified_gmt?: unknown }).date_modified_gmt;
    if (typeof modified !== "string") continue;
    const at = parseWooGmtDate(modified).getTime();
    if (Number.isFinite(at) && at > newest) newest = at;
  }
  const totalPages = Number(response.value.headers["x-wp-totalpages"] ?? "1");
  const hasMore = Number.isFinite(totalPages) && state.page < totalPages && orders.length > 0;
  const newestIso = Number.isFinite(newest) ? new Date(newest).toISOString() : null;
  const next: WooPollCursor = hasMore
    ? { after: state.after, page: state.page + 1, newest: newestIso }
    : { after: newestIso ? new Date(Math.max(Date.parse(state.after), Date.parse(newestIso) - OVERLAP_MS)).toISOString() : state.after, page: 1, newest: null };
  return { ok: true, value: { orders, nextCursor: JSON.stringify(next), hasMore } };
}

/**
 * The inbox identity of one order version. WooCommerce repeats X-WC-Webhook-Delivery-ID across
 * deliveries, so the key is topic + order id + date modified: a redelivery or a poll of the same
 * version collapses into one delivery, while every real change is a new one.
 */
export function wooOrderDeliveryIdentity(topic: string, payload: unknown): { deliveryId: string; resourceId: string; triggeredAt: Date } | undefined {
  const order = payload as { id?: unknown; date_modified_gmt?: unknown } | null;
  if (!order || (typeof order.id !== "number" && typeof order.id !== "string") || typeof order.date_modified_gmt !== "string") return undefined;
  const triggeredAt = parseWooGmtDate(order.date_modified_gmt);
  if (Number.isNaN(triggeredAt.getTime())) return undefined;
  return { deliveryId: `${topic}:${String(order.id)}:${triggeredAt.toISOString()}`, resourceId: String(order.id), triggeredAt };
}
