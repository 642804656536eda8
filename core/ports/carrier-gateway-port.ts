import type { Err, Ok } from "../shared/result.js";
import type { PostalAddress } from "../orders/unified-order.js";

/**
 * What the core needs from a shipping-label provider (EasyPost first). Units are metric
 * integers in the core; the gateway converts to the provider's units at its edge.
 */

export const CARRIER_FAILURES = [
  "rate_limited",
  "unauthorized",
  /** The provider could not verify the address; the merchant must fix it. */
  "address_invalid",
  /** No carrier offers a service for this parcel and route. */
  "no_rates",
  /** The chosen rate is no longer offered; shop again. */
  "rate_expired",
  /** The provider's shipment already has a label (bought by an earlier or concurrent purchase). */
  "already_bought",
  "rejected",
  "unavailable",
] as const;
export type CarrierFailureReason = (typeof CARRIER_FAILURES)[number];

export type CarrierFailure = Err<CarrierFailureReason> & { readonly retryAfterMs?: number };
export type CarrierCallResult<T> = Ok<T> | CarrierFailure;

export interface Parcel {
  readonly weightGrams: number;
  readonly lengthMm?: number;
  readonly widthMm?: number;
  readonly heightMm?: number;
}

export interface RateRequest {
  readonly from: PostalAddress;
  readonly to: PostalAddress;
  readonly parcel: Parcel;
  /** Our shipment id; lets the provider and our logs refer to the same thing. */
  readonly reference: string;
  /**
   * A return label: `from` and `to` are the outbound parcel's (the warehouse and the customer)
   * and the provider swaps them, as EasyPost does for `is_return` shipments.
   */
  readonly isReturn?: boolean;
}

export interface RateQuote {
  /** The provider's shipment the rate belongs to; buying needs both ids. */
  readonly providerShipmentId: string;
  readonly rateId: string;
  readonly carrier: string;
  readonly service: string;
  readonly amountMinor: number;
  readonly currency: string;
  /** Business days in transit when the carrier promises one. */
  readonly deliveryDays?: number;
  readonly estimatedDeliveryDate?: Date;
}

export interface BuyLabelRequest {
  readonly providerShipmentId: string;
  readonly rateId: string;
  /** Same key, same label: a retried purchase must never buy a second label. */
  readonly idempotencyKey: string;
}

export interface PurchasedLabel {
  readonly providerShipmentId: string;
  readonly carrier: string;
  readonly service: string;
  readonly trackingNumber: string;
  readonly trackingUrl?: string;
  readonly labelUrl: string;
  readonly amountMinor: number;
  readonly currency: string;
  /** The provider's tracker for this label, when it created one with the purchase. */
  readonly trackerId?: string;
  readonly trackingStatus?: string;
}

export interface AddressVerification {
  readonly verified: boolean;
  /** The provider's corrected form of the address (ZIP+4, normalised street), when verified. */
  readonly corrected?: PostalAddress;
  /** Why it failed, in the provider's words, for the merchant. */
  readonly problems: readonly string[];
}

export interface RefundRequestOutcome {
  /** submitted: the carrier will confirm later; refunded: done; rejected: the label was used. */
  readonly status: "submitted" | "refunded" | "rejected" | "not_applicable";
}

export interface TrackerInfo {
  readonly trackerId: string;
  readonly trackingNumber: string;
  readonly carrier: string;
  readonly status: string;
  readonly publicUrl?: string;
  readonly estimatedDeliveryDate?: Date;
}

export interface CarrierGateway {
  /** Checks the destination can receive deliveries before any money is spent on a label. */
  verifyAddress(address: PostalAddress): Promise<CarrierCallResult<AddressVerification>>;
  rates(request: RateRequest): Promise<CarrierCallResult<readonly RateQuote[]>>;
  buyLabel(request: BuyLabelRequest): Promise<CarrierCallResult<PurchasedLabel>>;
  /**
   * The label of a provider shipment if it was bought, null if not: how a purchase interrupted
   * between the provider's answer and our commit is reconciled without buying again.
   */
  findLabel(providerShipmentId: string): Promise<CarrierCallResult<PurchasedLabel | null>>;
  /** Asks for the money back on a label that will not be used. */
  refundLabel(providerShipmentId: string): Promise<CarrierCallResult<RefundRequestOutcome>>;
  createTracker(request: { trackingNumber: string; carrier: string }): Promise<CarrierCallResult<TrackerInfo>>;
}
