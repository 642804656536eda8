import {
  DefaultChannelAllocationStrategy,
  type ChannelAllocationStrategy,
} from "../inventory/channel-allocation-strategy.js";
import { DefaultReservationStrategy } from "../inventory/default-reservation-strategy.js";
import type { ReservationStrategy } from "../inventory/reservation-strategy.js";

/**
 * Every swappable policy in one place (rule 6, after Vendure's config): code asks for
 * `policies.reservation`, never for a concrete class, so a merchant-specific policy is a
 * one-line change here. Routing, rate shopping, return eligibility and disposition join this
 * object as their modules land.
 */
export interface Policies {
  readonly reservation: ReservationStrategy;
  readonly channelAllocation: ChannelAllocationStrategy;
}

export const defaultPolicies: Policies = {
  reservation: new DefaultReservationStrategy(),
  channelAllocation: new DefaultChannelAllocationStrategy(),
};

/** A copy of the defaults with some policies replaced; tests and tenants use this. */
export function withPolicies(overrides: Partial<Policies>): Policies {
  return { ...defaultPolicies, ...overrides };
}
