import { kitAvailable, pooledAvailable, type KitComponentStock, type LocationBalance } from "./available-to-sell.js";
import type { ChannelAllocationRule, ChannelAllocationStrategy } from "./channel-allocation-strategy.js";

/**
 * Available-to-sell split over locations, for channels that keep stock per location (Shopify:
 * inventorySetQuantities takes an inventory item AND a location). Pushing the pooled figure to
 * one location of such a channel is wrong: the channel adds its locations up, so stock would be
 * counted twice. Each location is told its own share instead, and the shares add up to exactly
 * the channel's pooled available-to-sell (allocation % and buffer applied once, to the pool).
 */

export interface LocationSupply {
  readonly locationId: string;
  /** Lower is preferred (locations.priority): trimmed last, topped up first. */
  readonly priority: number;
  /** What the location can promise on its own (never negative). */
  readonly available: number;
}

export interface LocationShare {
  readonly locationId: string;
  readonly available: number;
}

/**
 * Splits the channel's figure over `supplies`:
 * 1. each location gets floor(available × percent / 100) (integer basis points, as the
 *    allocation strategy does);
 * 2. the goal is min(strategy.allocate(Σ available), Σ available): the pooled figure;
 * 3. any excess over the goal (the buffer) is taken from the lowest-priority locations first,
 *    because those are the ones the merchant least wants to sell from;
 * 4. any shortfall (flooring each location loses up to a unit each) is added to the
 *    highest-priority locations first, never past a location's own available.
 * The shares sum to exactly the goal, none exceeds its location's available, and the result
 * is in input order. Ties in priority keep input order (callers pass a stable order).
 */
export function splitAvailableToSell(
  supplies: readonly LocationSupply[],
  rule: Pick<ChannelAllocationRule, "allocationPercent" | "buffer">,
  strategy: ChannelAllocationStrategy,
): LocationShare[] {
  for (const supply of supplies) {
    if (!Number.isSafeInteger(supply.available) || supply.available < 0) {
      throw new RangeError(`available at ${supply.locationId} must be a non-negative integer, got ${supply.available}`);
    }
  }
  const basisPoints = Math.round(rule.allocationPercent * 100);
  if (!(basisPoints >= 0 && basisPoints <= 10_000)) {
    throw new RangeError(`allocationPercent must be within 0..100, got ${rule.allocationPercent}`);
  }
  const pooled = supplies.reduce((sum, s) => sum + s.available, 0);
  const goal = Math.min(strategy.allocate(pooled, rule), pooled);

  const shares = supplies.map((s) => Math.floor((s.available * basisPoints) / 10_000));
  // Indexes from most to least preferred; a stable sort keeps input order among equals.
  const byPreference = supplies.map((_, i) => i).sort((a, b) => supplies[a]!.priority - supplies[b]!.priority);
  let total = shares.reduce((sum, n) => sum + n, 0);

  for (let k = byPreference.length - 1; k >= 0 && total > goal; k--) {
    const i = byPreference[k]!;
    const cut = Math.min(shares[i]!, total - goal);
    shares[i]! -= cut;
    total -= cut;
  }
  for (let k = 0; k < byPreference.length && total < goal; k++) {
    const i = byPreference[k]!;
    const add = Math.min(supplies[i]!.available - shares[i]!, goal - total);
    shares[i]! += add;
    total += add;
  }
  return supplies.map((s, i) => ({ locationId: s.locationId, available: shares[i]! }));
}

export interface ChannelLocation {
  readonly locationId: string;
  readonly priority: number;
}

/** What each location can promise of a variant: its own level, net of reservations and safety stock. */
export function variantSupplies(levels: readonly LocationBalance[], locations: readonly ChannelLocation[], incomingReturnsPercent = 0): LocationSupply[] {
  return locations.map((l) => ({ locationId: l.locationId, priority: l.priority, available: pooledAvailable(levels, [l.locationId], incomingReturnsPercent) }));
}

/**
 * What each location can promise of a kit: the kits its own components make up there (a kit
 * is picked from one shelf), the same per-location figure pooledKitAvailable sums.
 */
export function kitSupplies(components: readonly KitComponentStock[], locations: readonly ChannelLocation[], incomingReturnsPercent = 0): LocationSupply[] {
  return locations.map((l) => ({
    locationId: l.locationId,
    priority: l.priority,
    available: kitAvailable(components.map((c) => ({ quantityPerKit: c.quantityPerKit, available: pooledAvailable(c.levels, [l.locationId], incomingReturnsPercent) }))),
  }));
}
