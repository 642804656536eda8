import { createHash } from "node:crypto";
import { z } from "zod";
import { err, ok } from "../../core/shared/result.js";
import type { ChannelCallResult } from "../../core/ports/channel-connector-port.js";
import type { AmazonSettings } from "./amazon-connection-config.js";
import { amazonOrderDeliveryId } from "./amazon-order-schema.js";
import type { SpApiClient } from "./sp-api-client.js";

/**
 * Order capture by polling searchOrders (Orders API 2026-01-01; v0 getOrders is deprecated).
 * Each pass covers a closed window [after, before] of `lastUpdatedTime`, where `before` is two
 * minutes in the past as the API requires; pages follow `pagination.nextToken`, re-sent with
 * the same window as the API requires. The cursor is that state as JSON, so a pass that stops
 * (rate limit, crash) resumes exactly where it was. Items come inline with each order in this
 * version, so no per-order getOrderItems call is needed.
 */

export const SEARCH_ORDERS_INCLUDED_DATA = ["BUYER", "RECIPIENT", "PROCEEDS", "FULFILLMENT"] as const;
// The API refuses a lastUpdatedBefore closer than two minutes to the time of the request.
export const SEARCH_ORDERS_SETTLE_MS = 2 * 60_000;
const MAX_RESULTS_PER_PAGE = 100;

const cursorSchema = z.object({
  after: z.iso.datetime({ offset: true }),
  before: z.iso.datetime({ offset: true }).optional(),
  token: z.string().min(1).optional(),
});
export type AmazonOrderCursor = z.infer<typeof cursorSchema>;

/** One order as polled, ready to be stored in the inbox as it arrived. */
export interface PolledAmazonOrder {
  /** Unique per order version: order id + lastUpdatedTime (or a digest when those are missing). */
  deliveryId: string;
  orderId: string | null;
  lastUpdatedTime: Date | null;
  payload: unknown;
}

export interface AmazonOrderPage {
  orders: PolledAmazonOrder[];
  nextCursor: string;
  /** True when another page of the same window, or a newer window, can be fetched now. */
  hasMore: boolean;
}

export function initialAmazonCursor(settings: AmazonSettings, now: number): string {
  // A new connection starts a day back unless told otherwise: recent orders, not the whole history.
  const after = settings.pollStartAt ?? new Date(now - 24 * 3600_000).toISOString();
  return JSON.stringify({ after } satisfies AmazonOrderCursor);
}

export function parseAmazonCursor(cursor: string): AmazonOrderCursor | undefined {
  try {
    const parsed = cursorSchema.safeParse(JSON.parse(cursor));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export async function pollAmazonOrders(
  client: SpApiClient,
  settings: AmazonSettings,
  cursorText: string | null,
  options: { now?: number; pageSize?: number } = {},
): Promise<ChannelCallResult<AmazonOrderPage>> {
  const now = options.now ?? Date.now();
  const cursor = parseAmazonCursor(cursorText ?? initialAmazonCursor(settings, now));
  if (!cursor) return err("rejected", `stored Amazon order cursor is not readable: ${String(cursorText).slice(0, 200)}`);

  const before = cursor.before ?? new Date(now - SEARCH_ORDERS_SETTLE_MS).toISOString();
  if (Date.parse(before) < Date.parse(cursor.after)) {
    // Nothing settled since the last pass: no call, same cursor.
    return ok({ orders: [], nextCursor: JSON.stringify(cursor), hasMore: false });
  }
  const response = await client.call<{ orders?: unknown[]; pagination?: { nextToken?: string } }>("orders_2026-01-01.json:searchOrders", {
    query: {
      lastUpdatedAfter: cursor.after,
      lastUpdatedBefore: before,
      marketplaceIds: [settings.marketplaceId],
      includedData: [...SEARCH_ORDERS_INCLUDED_DATA],
      maxResultsPerPage: Math.min(MAX_RESULTS_PER_PAGE, options.pageSize ?? MAX_RESULTS_PER_PAGE),
      ...(cursor.token ? { paginationToken: cursor.token } : {}),
    },
  });
  if (!response.ok) {
    // An expired page token (24 h) leaves the window to be read again from its start.
    if (response.reason === "rejected" && cursor.token && /token/i.test(response.detail ?? "")) {
      return ok({ orders: [], nextCursor: JSON.stringify({ after: cursor.after }), hasMore: true });
    }
    return response;
  }
  const body = response.value.body;
  if (!body || !Array.isArray(body.orders)) {
    return err("rejected", "searchOrders answered without an orders array");
  }
  const orders = body.orders.map(polledOrder);
  const nextToken = body.pagination?.nextToken;
  const next: AmazonOrderCursor = nextToken ? { after: cursor.after, before, token: nextToken } : { after: before };
  return ok({ orders, nextCursor: JSON.stringify(next), hasMore: Boolean(nextToken) });
}

function polledOrder(payload: unknown): PolledAmazonOrder {
  const order = payload as { orderId?: unknown; lastUpdatedTime?: unknown } | null;
  const orderId = typeof order?.orderId === "string" && order.orderId ? order.orderId : null;
  const updated = typeof order?.lastUpdatedTime === "string" && !Number.isNaN(Date.parse(order.lastUpdatedTime)) ? order.lastUpdatedTime : null;
  if (orderId && updated) {
    return { deliveryId: amazonOrderDeliveryId({ orderId, lastUpdatedTime: updated }), orderId, lastUpdatedTime: new Date(updated), payload };
  }
  // Malformed, but kept: the inbox stores it and the mapper's rejection says why.
  const digest = createHash("sha256").update(JSON.stringify(payload)).digest("hex").slice(0, 32);
  return { deliveryId: `malformed:${digest}`, orderId, lastUpdatedTime: null, payload };
}
