import type { Balance } from "./stock-balance.js";
import { available } from "./stock-balance.js";
import type { ChannelAllocationRule, ChannelAllocationStrategy } from "./channel-allocation-strategy.js";
import { sellableIncomingReturns } from "./incoming-returns.js";

/**
 * Available-to-sell per channel: what the stock sync pushes to Shopify, Amazon, eBay and Woo.
 * Each location contributes only what it can promise on its own (negative or safety-stock
 * levels contribute 0 rather than cancelling out another location's stock).
 */

export interface LocationBalance extends Balance {
  readonly locationId: string;
  /** Units of approved returns on their way to this location (see incoming-returns.ts); not on hand yet. */
  readonly incomingReturns?: number;
}

export interface KitComponentAvailability {
  /** Sellable units of the component. */
  readonly available: number;
  /** Units of the component consumed by one kit. */
  readonly quantityPerKit: number;
}

export interface KitComponentStock {
  readonly quantityPerKit: number;
  /** The component's levels (one per location it is stocked at). */
  readonly levels: readonly LocationBalance[];
}

/**
 * Sum of per-location available over the given locations. With `incomingReturnsPercent` (the
 * channel's returns-as-incoming policy, 0 = off) each location also offers that share of the
 * returns on their way to it, rounded down per location.
 */
export function pooledAvailable(levels: readonly LocationBalance[], locationIds: readonly string[], incomingReturnsPercent = 0): number {
  const wanted = new Set(locationIds);
  let total = 0;
  for (const level of levels) {
    if (!wanted.has(level.locationId)) continue;
    total += available(level);
    if (incomingReturnsPercent > 0) total += sellableIncomingReturns(level.incomingReturns ?? 0, incomingReturnsPercent);
  }
  return total;
}

/**
 * Kits sellable from component availability: the scarcest component decides. A kit without
 * components is a misconfigured product, and advertising 0 is the only answer that cannot
 * oversell it.
 */
export function kitAvailable(components: readonly KitComponentAvailability[]): number {
  if (components.length === 0) return 0;
  let kits = Number.POSITIVE_INFINITY;
  for (const component of components) {
    if (!Number.isSafeInteger(component.quantityPerKit) || component.quantityPerKit <= 0) {
      throw new RangeError(`quantityPerKit must be a positive integer, got ${component.quantityPerKit}`);
    }
    kits = Math.min(kits, Math.floor(Math.max(0, component.available) / component.quantityPerKit));
  }
  return kits;
}

/**
 * Kits sellable across locations. Counted per location and then summed, because a kit is
 * picked from one shelf: two halves at two different warehouses are not a kit.
 */
export function pooledKitAvailable(
  components: readonly KitComponentStock[],
  locationIds: readonly string[],
  incomingReturnsPercent = 0,
): number {
  let total = 0;
  for (const locationId of new Set(locationIds)) {
    total += kitAvailable(
      components.map((component) => ({
        quantityPerKit: component.quantityPerKit,
        available: pooledAvailable(component.levels, [locationId], incomingReturnsPercent),
      })),
    );
  }
  return total;
}

/** ATS for one variant on one channel. */
export function channelAvailableToSell(
  levels: readonly LocationBalance[],
  rule: ChannelAllocationRule,
  strategy: ChannelAllocationStrategy,
): number {
  return strategy.allocate(pooledAvailable(levels, rule.locationIds, rule.incomingReturnsPercent ?? 0), rule);
}

/** ATS for one kit on one channel; allocation and buffer apply to kits, not to components. */
export function channelKitAvailableToSell(
  components: readonly KitComponentStock[],
  rule: ChannelAllocationRule,
  strategy: ChannelAllocationStrategy,
): number {
  return strategy.allocate(pooledKitAvailable(components, rule.locationIds, rule.incomingReturnsPercent ?? 0), rule);
}
