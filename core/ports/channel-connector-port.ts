import type { Err, Ok } from "../shared/result.js";
import type { UnifiedOrderInput } from "../orders/unified-order.js";

/**
 * The vocabulary every channel capability answers in (see channel-module-port.ts for the
 * module that groups them). Implemented in connectors/<channel>/; every call is safe to
 * repeat, because jobs retry (rule 5). Each channel maps its own failures to these reasons in
 * exactly one place (connectors/<channel>/<channel>-failure-mapping.ts).
 */

export const CHANNEL_FAILURES = [
  /** 429 or a throttle response; retry after `retryAfterMs`. */
  "rate_limited",
  /** Credentials refused even after a refresh (or none can be refreshed); a person must reconnect. */
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

/**
 * One polled order as the inbox stores it: an id unique per order version (a redelivery or a
 * re-read of the same version is a duplicate), and the payload exactly as the channel sent it.
 */
export interface PolledOrderDelivery {
  readonly deliveryId: string;
  readonly topic: string;
  readonly resourceId: string;
  readonly triggeredAt: Date;
  readonly payload: unknown;
}

export interface FetchOrdersPage {
  readonly orders: readonly UnifiedOrderInput[];
  readonly rejected: readonly RejectedChannelOrder[];
  /** The same orders as received, for channels whose polled orders go through the inbox. */
  readonly deliveries?: readonly PolledOrderDelivery[];
  /** Pass back to continue; the same cursor always yields the same or later orders. */
  readonly nextCursor: ChannelCursor;
  readonly hasMore: boolean;
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

/**
 * Capture orders by polling: orders created or changed since `cursor` (null: the connector's
 * configured start). Channels that push orders by webhook may still offer it as the fallback.
 */
export interface OrderPoller {
  fetchOrders(cursor: ChannelCursor | null, options?: { readonly limit?: number }): Promise<ChannelCallResult<FetchOrdersPage>>;
}

/** Write back: tell the channel a shipment left, or that the order is cancelled. */
export interface ChannelOrderWriter {
  /** Repeating it with the same key is a no-op. */
  confirmFulfillment(
    request: ConfirmFulfillmentRequest,
  ): Promise<ChannelCallResult<{ readonly externalFulfillmentId: string; readonly alreadyConfirmed?: boolean }>>;
  cancelOrder(request: CancelOrderRequest): Promise<ChannelCallResult<{ readonly alreadyCancelled: boolean }>>;
}

/**
 * A return mirrored on the channel (a Shopify Return), as the return writer reads it. Lines are
 * keyed by the channel's order line id (our order_lines.external_line_id), so the job can match
 * them with the RMA's lines without knowing the channel's other ids.
 */
export interface ChannelReturnView {
  readonly externalId: string;
  readonly name: string;
  readonly status: "requested" | "open" | "declined" | "cancelled" | "closed";
  readonly lines: readonly {
    readonly id: string;
    readonly externalLineId: string;
    readonly quantity: number;
    readonly unprocessedQuantity: number;
    /** The reverse fulfillment order line, needed to say where a unit went (its disposition). */
    readonly reverseLineId: string | null;
  }[];
  readonly exchangeLines: readonly { readonly id: string; readonly unprocessedQuantity: number }[];
  /** Reverse fulfillment orders without a delivery yet: where a label can be attached. */
  readonly reverseFulfillmentOrdersAwaitingDelivery: readonly string[];
}

export interface ChannelReturnLineRequest {
  readonly externalLineId: string;
  readonly quantity: number;
  /** core/returns RETURN_REASONS */
  readonly reason: string;
  readonly note?: string;
}

export interface ChannelReturnRequest {
  readonly orderExternalId: string;
  readonly lines: readonly ChannelReturnLineRequest[];
  /** Exchange items by the channel's variant id (created returns only). */
  readonly exchangeLines?: readonly { readonly variantExternalId: string; readonly quantity: number }[];
  readonly returnShippingFee?: { readonly amountMinor: number; readonly currency: string };
}

/**
 * Placed; or not, because the channel holds nothing returnable for these lines (`unmirrorable`:
 * the money can still go back as a plain refund), or does not have the order at all
 * (`orderMissing`: nothing can be mirrored, the return goes on here alone).
 */
export type ChannelReturnPlacement = { readonly placed: ChannelReturnView } | { readonly unmirrorable: string } | { readonly orderMissing: string };

export type ChannelRefundMoney =
  | { readonly kind: "original_payment"; readonly amountMinor: number; readonly currency: string }
  | { readonly kind: "store_credit"; readonly amountMinor: number; readonly currency: string }
  | { readonly kind: "none" };

export interface ProcessChannelReturnRequest {
  readonly returnExternalId: string;
  readonly lines: readonly {
    readonly id: string;
    readonly quantity: number;
    readonly disposition?: { readonly reverseLineId: string; readonly kind: "restocked" | "processing_required" | "not_restocked"; readonly locationExternalId?: string };
  }[];
  readonly exchangeLines: readonly { readonly id: string; readonly quantity: number }[];
  readonly money: ChannelRefundMoney;
  readonly orderExternalId: string;
  readonly notifyCustomer: boolean;
  readonly note?: string;
}

export interface PlainRefundRequest {
  readonly orderExternalId: string;
  /** Stable per RMA step: the channel refunds at most once per key. */
  readonly idempotencyKey: string;
  readonly lines: readonly { readonly externalLineId: string; readonly quantity: number }[];
  readonly money: Exclude<ChannelRefundMoney, { kind: "none" }>;
  readonly note?: string;
}

/**
 * Returns written to the channel. Every call is safe to repeat: a placement is reconciled
 * through `findOrderReturns`, the others check the return's state first or carry a key.
 */
export interface ChannelReturnWriter {
  findReturn(returnExternalId: string): Promise<ChannelCallResult<ChannelReturnView | null>>;
  findOrderReturns(orderExternalId: string): Promise<ChannelCallResult<readonly ChannelReturnView[]>>;
  /** A customer's request awaiting the merchant (returnRequest). */
  requestReturn(request: ChannelReturnRequest): Promise<ChannelCallResult<ChannelReturnPlacement>>;
  /** A return already approved (returnCreate), with exchange items when there are any. */
  createReturn(request: ChannelReturnRequest): Promise<ChannelCallResult<ChannelReturnPlacement>>;
  approveReturn(returnExternalId: string): Promise<ChannelCallResult<ChannelReturnView>>;
  declineReturn(returnExternalId: string, decline: { readonly reason: "return_period_ended" | "final_sale" | "other"; readonly note?: string }): Promise<ChannelCallResult<ChannelReturnView>>;
  cancelReturn(returnExternalId: string): Promise<ChannelCallResult<ChannelReturnView>>;
  closeReturn(returnExternalId: string): Promise<ChannelCallResult<ChannelReturnView>>;
  attachLabel(request: {
    readonly reverseFulfillmentOrderId: string;
    readonly trackingNumber: string;
    readonly trackingUrl?: string;
    readonly labelUrl?: string;
    readonly notifyCustomer: boolean;
  }): Promise<ChannelCallResult<{ readonly reverseDeliveryId: string }>>;
  processReturn(request: ProcessChannelReturnRequest): Promise<ChannelCallResult<ChannelReturnView>>;
  refund(request: PlainRefundRequest): Promise<ChannelCallResult<{ readonly refundId: string }>>;
}
