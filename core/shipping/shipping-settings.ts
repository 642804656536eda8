import { DEFAULT_PARCEL_POLICY, type ParcelPolicy } from "./parcel-builder.js";
import { DEFAULT_DELIVERY_PROMISE_RULES, type DeliveryPromiseRule } from "./delivery-promise.js";
import type { CarrierLists } from "./rate-shopping-strategy.js";

/**
 * The merchant's shipping choices that are data rather than code: which carriers may carry
 * their parcels, how a checkout method maps to a promise, and how parcels are packed. Lives in
 * the one policies object beside the rate-shopping strategy that reads it.
 */
export interface ShippingSettings {
  readonly carriers: CarrierLists;
  readonly promiseRules: readonly DeliveryPromiseRule[];
  /** The promise when the shipping method matches no rule (or the order has none). */
  readonly standardPromise: { readonly maxBusinessDays: number; readonly label: string };
  readonly parcel: ParcelPolicy;
  /** At most this many shipments go into one pick wave. */
  readonly pickWaveSize: number;
}

export const DEFAULT_SHIPPING_SETTINGS: ShippingSettings = {
  carriers: { allow: [], deny: [] },
  promiseRules: DEFAULT_DELIVERY_PROMISE_RULES,
  standardPromise: { maxBusinessDays: 5, label: "Standard" },
  parcel: DEFAULT_PARCEL_POLICY,
  pickWaveSize: 25,
};
