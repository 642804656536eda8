import { describe, expect, it } from "vitest";
import { channelAvailableToSell, pooledAvailable, type LocationBalance } from "./available-to-sell";
import { DefaultChannelAllocationStrategy } from "./channel-allocation-strategy";
import { incomingReturnsByLevel, incomingReturnsPercent, isIncomingReturnStatus, sellableIncomingReturns } from "./incoming-returns";
import { listingAvailableByLocation, planStockPush, type ListingStock } from "./stock-sync-plan";
import { returnRulesSchema } from "../returns/return-rules";

const strategy = new DefaultChannelAllocationStrategy();
const levels: LocationBalance[] = [
  { locationId: "east", onHand: 10, reserved: 2, safetyStock: 1, incomingReturns: 5 },
  { locationId: "west", onHand: 0, reserved: 0, safetyStock: 0, incomingReturns: 3 },
  { locationId: "north", onHand: 4, reserved: 0, safetyStock: 0 },
];

describe("returns as incoming stock", () => {
  it("counts only approved returns with a label or on their way, at their destination", () => {
    expect(["requested", "approved", "label_issued", "in_transit", "received", "inspected", "cancelled"].filter(isIncomingReturnStatus)).toEqual(["label_issued", "in_transit"]);
    const totals = incomingReturnsByLevel([
      { variantId: "v1", destinationLocationId: "east", status: "in_transit", quantity: 2 },
      { variantId: "v1", destinationLocationId: "east", status: "label_issued", quantity: 1 },
      { variantId: "v1", destinationLocationId: "west", status: "in_transit", quantity: 4 },
      { variantId: "v1", destinationLocationId: "east", status: "approved", quantity: 9 },
      { variantId: "v1", destinationLocationId: "east", status: "received", quantity: 9 },
      { variantId: null, destinationLocationId: "east", status: "in_transit", quantity: 9 },
      { variantId: "v2", destinationLocationId: null, status: "in_transit", quantity: 9 },
    ]);
    expect(Object.fromEntries(totals)).toEqual({ "v1|east": 3, "v1|west": 4 });
  });

  it("is off by default: no channel sells incoming returns until the merchant sets a share", () => {
    const rules = returnRulesSchema.parse({});
    expect(rules.incomingReturnsToSell).toEqual({});
    expect(incomingReturnsPercent(rules.incomingReturnsToSell, "ebay")).toBe(0);
    expect(pooledAvailable(levels, ["east", "west", "north"])).toBe(7 + 0 + 4);
    expect(channelAvailableToSell(levels, { locationIds: ["east", "west", "north"], allocationPercent: 100, buffer: 0 }, strategy)).toBe(11);
  });

  it("adds the channel's share of incoming returns per location, rounded down, before allocation and buffer", () => {
    const rules = returnRulesSchema.parse({ incomingReturnsToSell: { ebay: 50, amazon: 100 } });
    expect(incomingReturnsPercent(rules.incomingReturnsToSell, "ebay")).toBe(50);
    // east: 7 + floor(5 × 0.5) = 9; west: 0 + floor(3 × 0.5) = 1; north: 4.
    expect(pooledAvailable(levels, ["east", "west", "north"], 50)).toBe(14);
    expect(pooledAvailable(levels, ["east", "west", "north"], 100)).toBe(19);
    // Only the channel's own locations count, incoming included.
    expect(pooledAvailable(levels, ["west"], 100)).toBe(3);
    expect(channelAvailableToSell(levels, { locationIds: ["east", "west", "north"], allocationPercent: 50, buffer: 2, incomingReturnsPercent: 100 }, strategy)).toBe(Math.floor(19 / 2) - 2);
  });

  it("rounds the share down and refuses nonsense", () => {
    expect(sellableIncomingReturns(3, 50)).toBe(1);
    expect(sellableIncomingReturns(1, 99)).toBe(0);
    expect(sellableIncomingReturns(0, 100)).toBe(0);
    expect(() => sellableIncomingReturns(-1, 50)).toThrow(RangeError);
    expect(() => sellableIncomingReturns(2, 101)).toThrow(RangeError);
    expect(() => returnRulesSchema.parse({ incomingReturnsToSell: { ebay: 120 } })).toThrow();
    expect(() => returnRulesSchema.parse({ incomingReturnsToSell: { myspace: 10 } })).toThrow();
  });

  it("reaches the stock-sync plan: a listing's figure changes only for the channel whose policy is on", () => {
    const listing = (incomingReturnsPercent?: number): ListingStock => ({ listingId: "l1", allocationPercent: 100, buffer: 0, levels, kitComponents: [], lastPushedAvailable: 11, ...(incomingReturnsPercent !== undefined ? { incomingReturnsPercent } : {}) });
    expect(planStockPush([listing()], ["east", "west", "north"], strategy).unchanged).toHaveLength(1);
    expect(planStockPush([listing(0)], ["east", "west", "north"], strategy).unchanged).toHaveLength(1);
    expect(planStockPush([listing(50)], ["east", "west", "north"], strategy).changed).toEqual([{ listing: listing(50), available: 14 }]);
  });

  it("splits per location for per-location channels, each location offering its own incoming share", () => {
    const split = listingAvailableByLocation({ listingId: "l1", allocationPercent: 100, buffer: 0, levels, kitComponents: [], incomingReturnsPercent: 100 }, [
      { locationId: "east", priority: 1 },
      { locationId: "west", priority: 2 },
    ], strategy);
    expect(split).toEqual([
      { locationId: "east", available: 12 },
      { locationId: "west", available: 3 },
    ]);
  });

  it("lets kits be made of incoming component units at the same location only", () => {
    const kit = { listingId: "k", allocationPercent: 100, buffer: 0, levels: [], lastPushedAvailable: null, incomingReturnsPercent: 100, kitComponents: [
      { quantityPerKit: 2, levels: [{ locationId: "east", onHand: 1, reserved: 0, safetyStock: 0, incomingReturns: 1 }, { locationId: "west", onHand: 1, reserved: 0, safetyStock: 0 }] },
    ] } satisfies ListingStock;
    expect(planStockPush([kit], ["east", "west"], strategy).changed[0]!.available).toBe(1);
    expect(planStockPush([{ ...kit, incomingReturnsPercent: 0 }], ["east", "west"], strategy).changed[0]!.available).toBe(0);
  });
});
