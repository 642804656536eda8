import {
  DefaultChannelAllocationStrategy,
  type ChannelAllocationStrategy,
} from "../inventory/channel-allocation-strategy.js";
import { DefaultReservationStrategy } from "../inventory/default-reservation-strategy.js";
import type { ReservationStrategy } from "../inventory/reservation-strategy.js";
import { CheapestMeetingPromiseStrategy } from "../shipping/cheapest-meeting-promise-strategy.js";
import type { RateShoppingStrategy } from "../shipping/rate-shopping-strategy.js";
import { DEFAULT_SHIPPING_SETTINGS, type ShippingSettings } from "../shipping/shipping-settings.js";
import { DEFAULT_RISK_RULE_SETTINGS, type RiskRuleSettings } from "../orders/risk-rules.js";
import { DEFAULT_ROUTING_SETTINGS, type RoutingSettings } from "../routing/routing-settings.js";
import { CostBasedRoutingStrategy, type RoutingStrategy } from "../routing/routing-strategy.js";
import { TableDispositionPolicy, type DispositionPolicy } from "../returns/disposition-policy.js";
import { DefaultReturnEligibilityPolicy, type ReturnEligibilityPolicy } from "../returns/return-eligibility-policy.js";

/**
 * Every swappable policy in one place (rule 6, after Vendure's config): code asks for
 * `policies.reservation`, never for a concrete class, so a merchant-specific policy is a
 * one-line change here. Routing, rate shopping, return eligibility and disposition join this
 * object as their modules land.
 */
export interface Policies {
  readonly reservation: ReservationStrategy;
  readonly channelAllocation: ChannelAllocationStrategy;
  /** Which rate a label is bought at. */
  readonly rateShopping: RateShoppingStrategy;
  /** Carrier allow/deny lists, delivery promises by shipping method, parcel packing. */
  readonly shipping: ShippingSettings;
  /** Which locations serve an order once it is reserved (core/routing). */
  readonly routing: RoutingStrategy;
  /** Rule order and weights routing starts from; a shop's saved settings replace them. */
  readonly routingSettings: RoutingSettings;
  readonly returnEligibility: ReturnEligibilityPolicy;
  readonly disposition: DispositionPolicy;
  /** Our own risk and payment rules and their thresholds, applied before an order is routed. */
  readonly riskRules: RiskRuleSettings;
}

export const defaultPolicies: Policies = {
  reservation: new DefaultReservationStrategy(),
  channelAllocation: new DefaultChannelAllocationStrategy(),
  rateShopping: new CheapestMeetingPromiseStrategy(),
  shipping: DEFAULT_SHIPPING_SETTINGS,
  routing: new CostBasedRoutingStrategy(),
  routingSettings: DEFAULT_ROUTING_SETTINGS,
  returnEligibility: new DefaultReturnEligibilityPolicy(),
  disposition: new TableDispositionPolicy(),
  riskRules: DEFAULT_RISK_RULE_SETTINGS,
};

/** A copy of the defaults with some policies replaced; tests and tenants use this. */
export function withPolicies(overrides: Partial<Policies>): Policies {
  return { ...defaultPolicies, ...overrides };
}
