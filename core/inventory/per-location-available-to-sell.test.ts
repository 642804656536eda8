import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { channelAvailableToSell, channelKitAvailableToSell, type LocationBalance } from "./available-to-sell.js";
import { DefaultChannelAllocationStrategy } from "./channel-allocation-strategy.js";
import { kitSupplies, splitAvailableToSell, variantSupplies, type LocationSupply } from "./per-location-available-to-sell.js";
import { listingAvailableByLocation, planLocationStockPush, type LocationListingStock } from "./stock-sync-plan.js";

const strategy = new DefaultChannelAllocationStrategy();
const supply = (locationId: string, priority: number, available: number): LocationSupply => ({ locationId, priority, available });
const level = (locationId: string, onHand: number, reserved = 0, safetyStock = 0): LocationBalance => ({ locationId, onHand, reserved, safetyStock });
const figures = (shares: readonly { available: number }[]) => shares.map((s) => s.available);

describe("splitAvailableToSell", () => {
  it("gives every location all of its stock at 100 % without a buffer", () => {
    expect(figures(splitAvailableToSell([supply("a", 1, 7), supply("b", 2, 3), supply("c", 3, 0)], { allocationPercent: 100, buffer: 0 }, strategy))).toEqual([7, 3, 0]);
  });

  it("takes the buffer from the lowest-priority locations first", () => {
    // 10 + 4 + 2 = 16 − 5 = 11: the priority-3 location gives its 2, the priority-2 one 3 of its 4.
    const shares = splitAvailableToSell([supply("first", 1, 10), supply("third", 3, 2), supply("second", 2, 4)], { allocationPercent: 100, buffer: 5 }, strategy);
    expect(shares).toEqual([
      { locationId: "first", available: 10 },
      { locationId: "third", available: 0 },
      { locationId: "second", available: 1 },
    ]);
  });

  it("gives the units lost to flooring back to the highest-priority locations", () => {
    // 50 % of 3 + 3 + 3 = 4 pooled; floored per location 1 + 1 + 1 = 3; the preferred one gets the 4th.
    expect(figures(splitAvailableToSell([supply("b", 2, 3), supply("a", 1, 3), supply("c", 3, 3)], { allocationPercent: 50, buffer: 0 }, strategy))).toEqual([1, 2, 1]);
  });

  it("tops up past a full location to the next one", () => {
    // 90 % of 1 + 9 = 9; floored 0 + 8; the preferred location holds only 1, so it gets 1 and the rest stays at 8.
    expect(figures(splitAvailableToSell([supply("a", 1, 1), supply("b", 2, 9)], { allocationPercent: 90, buffer: 0 }, strategy))).toEqual([1, 8]);
  });

  it("says 0 everywhere when the buffer eats the pool", () => {
    expect(figures(splitAvailableToSell([supply("a", 1, 2), supply("b", 2, 1)], { allocationPercent: 100, buffer: 10 }, strategy))).toEqual([0, 0]);
    expect(splitAvailableToSell([], { allocationPercent: 100, buffer: 0 }, strategy)).toEqual([]);
  });

  it("never hands a location more than it holds, even when a strategy promises more than the pool", () => {
    const generous = { name: "generous", allocate: (pooled: number) => pooled + 100 };
    expect(figures(splitAvailableToSell([supply("a", 1, 2), supply("b", 2, 3)], { allocationPercent: 100, buffer: 0 }, generous))).toEqual([2, 3]);
  });

  it("refuses negative stock and out-of-range percentages", () => {
    expect(() => splitAvailableToSell([supply("a", 1, -1)], { allocationPercent: 100, buffer: 0 }, strategy)).toThrow(RangeError);
    expect(() => splitAvailableToSell([supply("a", 1, 1)], { allocationPercent: 101, buffer: 0 }, strategy)).toThrow(RangeError);
  });

  describe("properties", () => {
    const suppliesArb = fc
      .array(fc.record({ priority: fc.integer({ min: 0, max: 5 }), available: fc.nat(500) }), { maxLength: 8 })
      .map((rows) => rows.map((row, i) => supply(`loc-${i}`, row.priority, row.available)));
    const ruleArb = fc.record({ allocationPercent: fc.integer({ min: 0, max: 10_000 }).map((bp) => bp / 100), buffer: fc.nat(300) });

    it("sums to exactly the channel's pooled figure and never exceeds a location's available", () => {
      fc.assert(
        fc.property(suppliesArb, ruleArb, (supplies, rule) => {
          const shares = splitAvailableToSell(supplies, rule, strategy);
          const pooled = supplies.reduce((sum, s) => sum + s.available, 0);
          const target = strategy.allocate(pooled, rule);
          expect(shares.map((s) => s.locationId)).toEqual(supplies.map((s) => s.locationId));
          expect(shares.reduce((sum, s) => sum + s.available, 0)).toBe(Math.min(target, pooled));
          shares.forEach((share, i) => {
            expect(Number.isSafeInteger(share.available)).toBe(true);
            expect(share.available).toBeGreaterThanOrEqual(0);
            expect(share.available).toBeLessThanOrEqual(supplies[i]!.available);
          });
        }),
        { numRuns: 500 },
      );
    });

    it("trims a location below its scaled share only after every less-preferred location is at 0", () => {
      fc.assert(
        fc.property(suppliesArb, ruleArb, (supplies, rule) => {
          const shares = splitAvailableToSell(supplies, rule, strategy);
          const bp = Math.round(rule.allocationPercent * 100);
          supplies.forEach((s, i) => {
            if (shares[i]!.available >= Math.floor((s.available * bp) / 10_000)) return;
            supplies.forEach((other, j) => {
              if (other.priority > s.priority) expect(shares[j]!.available).toBe(0);
            });
          });
        }),
        { numRuns: 500 },
      );
    });

    it("tops a location up past its scaled share only when every more-preferred location is full", () => {
      fc.assert(
        fc.property(suppliesArb, ruleArb, (supplies, rule) => {
          const shares = splitAvailableToSell(supplies, rule, strategy);
          const bp = Math.round(rule.allocationPercent * 100);
          supplies.forEach((s, i) => {
            if (shares[i]!.available <= Math.floor((s.available * bp) / 10_000)) return;
            supplies.forEach((other, j) => {
              if (other.priority < s.priority) expect(shares[j]!.available).toBe(other.available);
            });
          });
        }),
        { numRuns: 500 },
      );
    });

    it("agrees with the pooled figure of the same levels and kits", () => {
      const levelsArb = fc.array(fc.record({ onHand: fc.nat(60), reserved: fc.nat(60), safetyStock: fc.nat(5) }), { minLength: 3, maxLength: 3 });
      fc.assert(
        fc.property(levelsArb, levelsArb, fc.integer({ min: 1, max: 3 }), ruleArb, (a, b, perKit, rule) => {
          const locations = ["x", "y", "z"].map((locationId, i) => ({ locationId, priority: i }));
          const toLevels = (rows: typeof a) => rows.map((r, i) => level(locations[i]!.locationId, r.onHand + r.reserved, r.reserved, r.safetyStock));
          const ids = locations.map((l) => l.locationId);
          const plain = splitAvailableToSell(variantSupplies(toLevels(a), locations), rule, strategy);
          expect(plain.reduce((sum, s) => sum + s.available, 0)).toBe(channelAvailableToSell(toLevels(a), { locationIds: ids, ...rule }, strategy));
          const components = [
            { quantityPerKit: perKit, levels: toLevels(a) },
            { quantityPerKit: 1, levels: toLevels(b) },
          ];
          const kit = splitAvailableToSell(kitSupplies(components, locations), rule, strategy);
          expect(kit.reduce((sum, s) => sum + s.available, 0)).toBe(channelKitAvailableToSell(components, { locationIds: ids, ...rule }, strategy));
        }),
        { numRuns: 300 },
      );
    });
  });
});

describe("per-location stock of a listing", () => {
  const listing = (overrides: Partial<LocationListingStock> = {}): LocationListingStock => ({
    listingId: "l1",
    allocationPercent: 100,
    buffer: 0,
    levels: [level("east", 10, 2, 1), level("west", 4), level("elsewhere", 100)],
    kitComponents: [],
    lastPushedByLocation: {},
    ...overrides,
  });
  const locations = [
    { locationId: "east", priority: 1 },
    { locationId: "west", priority: 2 },
  ];

  it("tells each location what it holds, net of reservations and safety stock, and ignores other locations", () => {
    expect(listingAvailableByLocation(listing(), locations, strategy)).toEqual([
      { locationId: "east", available: 7 },
      { locationId: "west", available: 4 },
    ]);
  });

  it("counts a kit per location from the components on that location's shelf", () => {
    const kit = listing({
      levels: [],
      kitComponents: [
        { quantityPerKit: 2, levels: [level("east", 5), level("west", 1)] },
        { quantityPerKit: 1, levels: [level("east", 9), level("west", 9)] },
      ],
    });
    expect(listingAvailableByLocation(kit, locations, strategy)).toEqual([
      { locationId: "east", available: 2 },
      { locationId: "west", available: 0 },
    ]);
  });

  it("plans a push only for the locations whose figure differs from the last one pushed there", () => {
    const plan = planLocationStockPush([listing({ lastPushedByLocation: { east: 7, west: 5 } }), listing({ listingId: "l2" })], locations, strategy);
    expect(plan.changed.map((c) => [c.listing.listingId, c.locationId, c.available, c.lastPushedAvailable])).toEqual([
      ["l1", "west", 4, 5],
      ["l2", "east", 7, null],
      ["l2", "west", 4, null],
    ]);
    expect(plan.unchanged.map((u) => [u.listing.listingId, u.locationId])).toEqual([["l1", "east"]]);
  });
});
