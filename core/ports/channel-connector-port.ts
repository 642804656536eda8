import type { Err, Ok } from "../shared/result.js";
import type { Channel, UnifiedOrderInput } from "../orders/unified-order.js";

/**
 * What the core needs from a sales channel (Shopify, Amazon, eBay, WooCommerce). Implemented
 * in connectors/<channel>/; every call is safe to repeat, because jobs retry (rule 5).
 */

export const CHANNEL_FAILURES = [
  /** 429 or a throttle response; retry after `retryAfterMs`. */
  "rate_limited",
  /** Token expired or revoked; a person must reconnect the channel. */
  "unauthorized",
  "not_found",
  /** The channel understood the request and said no (validation, wrong state). */
  "rejected",
  /** Network error or 5xx; safe to retry later. */
  "unavailable",
] as const;
export type ChannelFailureReason = (typeof CHANNEL_FAILURES)[number];

export type ChannelFailure = Err<ChannelFailureReason> & {
  /** From Retry-After or the channel's rate-limit headers, when it said. */
  readonly retryAfterMs?: number;
};
export type ChannelCallResult<T> = Ok<T> | ChannelFailure;

/** Opaque resume point: an updated-since timestamp, a page token, whatever the channel uses. */
export type ChannelCursor = string;

export interface RejectedChannelOrder {
  readonly externalId?: string;
  /** Why the mapper could not build a unified order; shown to the merchant. */
  readonly problem: string;
  /** The payload as received, kept for inspection so nothing is lost (rule 8). */
  readonly raw: unknown;
}

export interface FetchOrdersPage {
  readonly orders: readonly UnifiedOrderInput[];
  readonly rejected: readonly RejectedChannelOrder[];
  /** Pass back to continue; the same cursor always yields the same or later orders. */
  readonly nextCursor: ChannelCursor;
  readonly hasMore: boolean;
}

export interface AvailabilityUpdate {
  readonly sku: string;
  /** The channel's listing/item id when known (Amazon ASIN listing, eBay offer, Woo product). */
  readonly externalId?: string;
  /** The channel's location when it tracks stock per location (Shopify). */
  readonly channelLocationId?: string;
  readonly available: number;
  /**
   * What we believe the channel shows now. Channels that support compare-and-set (Shopify's
   * compareQuantity) refuse the write if someone else changed it, instead of overwriting.
   */
  readonly previousAvailable?: number;
}

export type AvailabilityPushStatus = "applied" | "unchanged" | "conflict" | "rejected";

export interface AvailabilityPushItemResult {
  readonly sku: string;
  readonly externalId?: string;
  readonly status: AvailabilityPushStatus;
  /** What the channel reported for a conflict, so the sync can recompute and retry. */
  readonly channelAvailable?: number;
  readonly problem?: string;
}

export interface FulfillmentTracking {
  readonly carrier: string;
  readonly trackingNumber: string;
  readonly trackingUrl?: string;
  readonly shippedAt: Date;
}

export interface ConfirmFulfillmentRequest {
  readonly orderExternalId: string;
  /** Omitted means the whole order shipped in this one parcel. */
  readonly lines?: readonly { readonly externalLineId: string; readonly quantity: number }[];
  readonly tracking: FulfillmentTracking;
  readonly notifyCustomer: boolean;
  readonly idempotencyKey: string;
  /** The channel's id of the location the parcel left from, when it tracks locations (Shopify). */
  readonly channelLocationId?: string;
  /**
   * Fulfillments already recorded for other shipments of the same order. A split order can
   * carry one tracking number on several parcels; a retry must not mistake a sibling's
   * fulfillment for its own.
   */
  readonly knownExternalFulfillmentIds?: readonly string[];
}

export interface CancelOrderRequest {
  readonly orderExternalId: string;
  readonly reason: "out_of_stock" | "customer_request" | "fraud" | "other";
  readonly note?: string;
  readonly idempotencyKey: string;
  /** Whether the channel emails the buyer about it; channels without the option ignore it. */
  readonly notifyCustomer?: boolean;
}

export interface ChannelConnector {
  readonly channel: Channel;

  /** Orders created or changed since `cursor` (null: the connector's configured start). */
  fetchOrders(
    cursor: ChannelCursor | null,
    options?: { readonly limit?: number },
  ): Promise<ChannelCallResult<FetchOrdersPage>>;

  /**
   * Pushes available-to-sell for a batch the caller has already sized to the channel's
   * limits. One result per input item, in input order; a bad item never fails the batch.
   */
  pushAvailable(
    batch: readonly AvailabilityUpdate[],
    options: { readonly idempotencyKey: string },
  ): Promise<ChannelCallResult<readonly AvailabilityPushItemResult[]>>;

  /** Tells the channel a shipment left; repeating it with the same key is a no-op. */
  confirmFulfillment(
    request: ConfirmFulfillmentRequest,
  ): Promise<ChannelCallResult<{ readonly externalFulfillmentId: string; readonly alreadyConfirmed?: boolean }>>;

  /** Cancels the order on the channel (e.g. when it cannot be fulfilled). */
  cancelOrder(request: CancelOrderRequest): Promise<ChannelCallResult<{ readonly alreadyCancelled: boolean }>>;
}

/** The part of a connector that writes an order's outcome back to its channel. */
export type ChannelOrderWriter = Pick<ChannelConnector, "channel" | "confirmFulfillment" | "cancelOrder">;
