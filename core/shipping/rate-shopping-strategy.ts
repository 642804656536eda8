import type { RateQuote } from "../ports/carrier-gateway-port.js";
import type { Err, Ok } from "../shared/result.js";
import type { DeliveryPromise } from "./delivery-promise.js";

/**
 * Picks the rate a label is bought at. Strategies are swapped in core/config/default-policies.ts
 * (rule 6); every decision says which rates were passed over and why, for the order timeline.
 */

export interface CarrierLists {
  /** When non-empty, only these carriers are considered (case-insensitive names, e.g. "USPS"). */
  readonly allow: readonly string[];
  /** Never these carriers, even when allowed. */
  readonly deny: readonly string[];
}

export interface RateShoppingContext {
  readonly promise: DeliveryPromise;
  readonly carriers: CarrierLists;
}

export type RatePassOver = "carrier_not_allowed" | "carrier_denied" | "too_slow" | "no_transit_estimate" | "currency_mismatch" | "dearer";

export interface RateDecision {
  readonly chosen: RateQuote;
  /** Every other quote with the reason it lost. */
  readonly passedOver: readonly { readonly quote: RateQuote; readonly reason: RatePassOver }[];
  /** One sentence for the merchant. */
  readonly explanation: string;
}

export type RateShoppingRefusal =
  /** The carrier answered with no rates at all. */
  | "no_rates"
  /** Rates came back but the allow/deny lists excluded every one. */
  | "no_allowed_carrier"
  /** Allowed rates exist, none arrives within the promise. */
  | "promise_unmeetable";

export type RateShoppingOutcome = Ok<RateDecision> | Err<RateShoppingRefusal>;

export interface RateShoppingStrategy {
  readonly name: string;
  choose(quotes: readonly RateQuote[], context: RateShoppingContext): RateShoppingOutcome;
}
