import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  channelAvailableToSell,
  channelKitAvailableToSell,
  kitAvailable,
  pooledAvailable,
  pooledKitAvailable,
  type LocationBalance,
} from "./available-to-sell.js";
import { DefaultChannelAllocationStrategy, channelAllocationRuleSchema } from "./channel-allocation-strategy.js";

const strategy = new DefaultChannelAllocationStrategy();
const level = (locationId: string, onHand: number, reserved = 0, safetyStock = 0): LocationBalance => ({
  locationId,
  onHand,
  reserved,
  safetyStock,
});

describe("pooledAvailable", () => {
  it("sums available over the channel's locations only", () => {
    const levels = [level("east", 10, 2, 1), level("west", 5), level("store", 100)];
    expect(pooledAvailable(levels, ["east", "west"])).toBe(12);
  });

  it("does not let one location's deficit cancel another's stock", () => {
    // east is over-committed by safety stock; it must count as 0, not -3.
    expect(pooledAvailable([level("east", 2, 0, 5), level("west", 4)], ["east", "west"])).toBe(4);
  });

  it("counts a location listed twice once", () => {
    expect(pooledAvailable([level("east", 3)], ["east", "east"])).toBe(3);
  });
});

describe("DefaultChannelAllocationStrategy", () => {
  it("advertises floor(pooled × percent / 100) minus the buffer", () => {
    expect(strategy.allocate(10, { allocationPercent: 50, buffer: 1 })).toBe(4);
    expect(strategy.allocate(7, { allocationPercent: 50, buffer: 0 })).toBe(3);
  });

  it("never advertises below zero", () => {
    expect(strategy.allocate(3, { allocationPercent: 100, buffer: 5 })).toBe(0);
  });

  it("applies fractional percentages without float drift", () => {
    // 300 × 33.33 / 100 = 99.99 -> 99; 100 × 29 / 100 must be exactly 29.
    expect(strategy.allocate(300, { allocationPercent: 33.33, buffer: 0 })).toBe(99);
    expect(strategy.allocate(100, { allocationPercent: 29, buffer: 0 })).toBe(29);
    expect(strategy.allocate(100, { allocationPercent: 57, buffer: 0 })).toBe(57);
  });

  it("treats an out-of-range rule as a bug", () => {
    expect(() => strategy.allocate(5, { allocationPercent: 120, buffer: 0 })).toThrow(RangeError);
    expect(() => strategy.allocate(-1, { allocationPercent: 50, buffer: 0 })).toThrow(RangeError);
    expect(() => strategy.allocate(5, { allocationPercent: 50, buffer: -2 })).toThrow(RangeError);
  });

  it("never advertises more than is pooled and never less than zero", () => {
    fc.assert(
      fc.property(fc.nat(100_000), fc.integer({ min: 0, max: 10_000 }), fc.nat(50), (pooled, bp, buffer) => {
        const ats = strategy.allocate(pooled, { allocationPercent: bp / 100, buffer });
        expect(ats).toBeGreaterThanOrEqual(0);
        expect(ats).toBeLessThanOrEqual(pooled);
        expect(Number.isInteger(ats)).toBe(true);
      }),
    );
  });
});

describe("channelAllocationRuleSchema", () => {
  it("defaults to the full pool with no buffer", () => {
    expect(channelAllocationRuleSchema.parse({ locationIds: ["a"] })).toEqual({
      locationIds: ["a"],
      allocationPercent: 100,
      buffer: 0,
    });
  });

  it("refuses percentages outside 0–100 or with more than two decimals", () => {
    expect(channelAllocationRuleSchema.safeParse({ locationIds: [], allocationPercent: 101 }).success).toBe(false);
    expect(channelAllocationRuleSchema.safeParse({ locationIds: [], allocationPercent: 33.333 }).success).toBe(false);
    expect(channelAllocationRuleSchema.safeParse({ locationIds: [], allocationPercent: 33.33 }).success).toBe(true);
  });
});

describe("channelAvailableToSell", () => {
  it("combines the channel's locations, percentage and buffer", () => {
    const levels = [level("east", 30, 5, 5), level("west", 12, 2), level("fba", 50)];
    // (20 + 10) × 80% = 24, minus a buffer of 2.
    expect(channelAvailableToSell(levels, { locationIds: ["east", "west"], allocationPercent: 80, buffer: 2 }, strategy)).toBe(22);
  });
});

describe("kitAvailable", () => {
  it("is decided by the scarcest component", () => {
    expect(
      kitAvailable([
        { available: 10, quantityPerKit: 2 },
        { available: 7, quantityPerKit: 1 },
        { available: 9, quantityPerKit: 3 },
      ]),
    ).toBe(3);
  });

  it("advertises no kits when a kit has no components", () => {
    expect(kitAvailable([])).toBe(0);
  });

  it("refuses a component quantity of zero as a bug", () => {
    expect(() => kitAvailable([{ available: 3, quantityPerKit: 0 }])).toThrow(RangeError);
  });

  it("counts kits per location, because halves in two warehouses are not a kit", () => {
    const components = [
      { quantityPerKit: 1, levels: [level("east", 5), level("west", 0)] },
      { quantityPerKit: 1, levels: [level("east", 0), level("west", 5)] },
    ];
    expect(pooledKitAvailable(components, ["east", "west"])).toBe(0);
    const colocated = [
      { quantityPerKit: 2, levels: [level("east", 5), level("west", 4)] },
      { quantityPerKit: 1, levels: [level("east", 1), level("west", 9)] },
    ];
    expect(pooledKitAvailable(colocated, ["east", "west"])).toBe(1 + 2);
  });

  it("applies channel allocation to kits after counting them", () => {
    const components = [{ quantityPerKit: 2, levels: [level("east", 20)] }];
    expect(channelKitAvailableToSell(components, { locationIds: ["east"], allocationPercent: 50, buffer: 1 }, strategy)).toBe(4);
  });
});
