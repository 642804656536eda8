import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { exactSplitSearch } from "./exact-split-search.js";
import { heuristicSplitSearch } from "./heuristic-split-search.js";
import { buildCostModel, evaluatePlan } from "./routing-cost-model.js";
import { decideRouting } from "./routing-decision.js";
import { DEFAULT_ROUTING_SETTINGS, type RoutingSettings } from "./routing-settings.js";
import { CostBasedRoutingStrategy } from "./routing-strategy.js";
import type { RoutingLine, RoutingLocation, RoutingRequest, RoutingStockLevel } from "./routing-types.js";

const strategy = new CostBasedRoutingStrategy();
const settings = DEFAULT_ROUTING_SETTINGS;

// Real places, so distances and zones are what a merchant would expect.
const PLACES = {
  newark: { latitude: 40.73, longitude: -74.17 },
  philadelphia: { latitude: 39.95, longitude: -75.16 },
  chicago: { latitude: 41.88, longitude: -87.63 },
  dallas: { latitude: 32.78, longitude: -96.8 },
  reno: { latitude: 39.53, longitude: -119.81 },
  brooklyn: { latitude: 40.68, longitude: -73.94 },
};

const loc = (id: string, point: keyof typeof PLACES, extra: Partial<RoutingLocation> = {}): RoutingLocation => ({
  id,
  name: id,
  priority: 1,
  active: true,
  canShip: true,
  canPickup: false,
  canCurbside: false,
  ordersToday: 0,
  point: PLACES[point],
  countryCode: "US",
  ...extra,
});
const stock = (locationId: string, variantId: string, available: number): RoutingStockLevel => ({
  levelId: `${locationId}:${variantId}`,
  locationId,
  variantId,
  available,
});
const line = (lineId: string, variantId: string, quantity: number): RoutingLine => ({ lineId, variantId, quantity });
const toBrooklyn = { point: PLACES.brooklyn, source: "postal_code" as const, countryCode: "US" };

const request = (overrides: Partial<RoutingRequest>): RoutingRequest => ({
  lines: [],
  stock: [],
  locations: [],
  destination: toBrooklyn,
  method: "ship",
  ...overrides,
});

describe("decideRouting, hand-built cases", () => {
  it("ships from one location when one holds the whole order, the nearest of those", () => {
    const decision = decideRouting(
      request({
        lines: [line("l1", "A", 2), line("l2", "B", 1)],
        locations: [loc("reno", "reno"), loc("newark", "newark"), loc("dallas", "dallas")],
        stock: [stock("reno", "A", 5), stock("reno", "B", 5), stock("newark", "A", 5), stock("newark", "B", 5), stock("dallas", "A", 9)],
      }),
      settings,
      strategy,
    );
    expect(decision.status).toBe("routed");
    expect(decision.search).toBe("single");
    expect(decision.shipments.map((s) => s.locationId)).toEqual(["newark"]);
    expect(decision.allocations).toEqual([
      { lineId: "l1", variantId: "A", locationId: "newark", levelId: "newark:A", quantity: 2 },
      { lineId: "l2", variantId: "B", locationId: "newark", levelId: "newark:B", quantity: 1 },
    ]);
    const passed = Object.fromEntries(decision.explanation.passedOver.map((p) => [p.locationId, p.code]));
    expect(passed).toEqual({ reno: "higher_score", dallas: "partial_stock" });
    expect(decision.explanation.summary).toMatch(/^Ships from newark; est\. \$/);
    expect(decision.explanation.chosen[0]!.why).toMatch(/holds all 2 lines/);
  });

  it("splits when no location holds everything, and prefers the cheaper pair", () => {
    const decision = decideRouting(
      request({
        lines: [line("l1", "A", 1), line("l2", "B", 1)],
        locations: [loc("newark", "newark"), loc("philadelphia", "philadelphia"), loc("reno", "reno")],
        stock: [stock("newark", "A", 1), stock("philadelphia", "B", 1), stock("reno", "B", 1)],
      }),
      settings,
      strategy,
    );
    expect(decision.status).toBe("routed");
    expect(decision.search).toBe("exact");
    expect(decision.shipments.map((s) => s.locationId).sort()).toEqual(["newark", "philadelphia"]);
    expect(decision.explanation.summary).toMatch(/^Split into 2 shipments/);
    expect(decision.explanation.passedOver).toEqual([
      expect.objectContaining({ locationId: "reno", code: "partial_stock" }),
    ]);
  });

  it("weighs one farther parcel against a faster split as the merchant's weights say", () => {
    const base = {
      lines: [line("l1", "A", 1), line("l2", "B", 1)],
      locations: [loc("newark", "newark"), loc("philadelphia", "philadelphia"), loc("chicago", "chicago")],
      stock: [stock("newark", "A", 1), stock("philadelphia", "B", 1), stock("chicago", "A", 1), stock("chicago", "B", 1)],
    };
    const noPreference: RoutingSettings = { ...settings, preferSingleLocation: false };
    expect(decideRouting(request(base), noPreference, strategy).shipments.map((s) => s.locationId)).toEqual(["chicago"]);
    // Only speed counts: Chicago is four days from Brooklyn, the split arrives in two.
    const speedOnly: RoutingSettings = {
      ...noPreference,
      rules: settings.rules.map((r) => ({ ...r, weight: r.rule === "delivery_days" ? 100 : 0 })),
    };
    const split = decideRouting(request(base), speedOnly, strategy);
    expect(split.shipments.map((s) => s.locationId).sort()).toEqual(["newark", "philadelphia"]);
  });

  it("passes over a location whose daily capacity is used up", () => {
    const decision = decideRouting(
      request({
        lines: [line("l1", "A", 1)],
        locations: [loc("newark", "newark", { dailyCapacity: 3, ordersToday: 3 }), loc("chicago", "chicago", { dailyCapacity: 3, ordersToday: 2 })],
        stock: [stock("newark", "A", 4), stock("chicago", "A", 4)],
      }),
      settings,
      strategy,
    );
    expect(decision.shipments.map((s) => s.locationId)).toEqual(["chicago"]);
    expect(decision.explanation.passedOver).toEqual([
      { locationId: "newark", name: "newark", code: "capacity_full", reason: "is at its daily capacity (3 of 3 orders today)" },
    ]);
  });

  it("never goes back to a location that rejected the order, and says why when nothing is left", () => {
    const base = {
      lines: [line("l1", "A", 2)],
      locations: [loc("newark", "newark"), loc("chicago", "chicago", { active: false })],
      stock: [stock("newark", "A", 4), stock("chicago", "A", 4)],
      rejectedLocationIds: ["newark"],
    };
    const decision = decideRouting(request(base), settings, strategy);
    expect(decision.status).toBe("unroutable");
    expect(decision.allocations).toEqual([]);
    expect(decision.uncovered).toEqual([
      expect.objectContaining({ lineId: "l1", missing: 2, reason: expect.stringMatching(/newark rejected this order.*chicago is inactive/) }),
    ]);
    expect(decision.explanation.summary).toMatch(/^Cannot route/);
  });

  it("routes what it can and reports the rest of a line that no location can fill", () => {
    const decision = decideRouting(
      request({
        lines: [line("l1", "A", 3), line("l2", "Z", 1)],
        locations: [loc("newark", "newark")],
        stock: [stock("newark", "A", 2)],
      }),
      settings,
      strategy,
    );
    expect(decision.status).toBe("partial");
    expect(decision.uncovered.map((u) => [u.lineId, u.missing, u.reason])).toEqual([
      ["l1", 1, "no eligible location has enough stock"],
      ["l2", 1, "no eligible location has enough stock"],
    ]);
  });

  it("sends a pickup order to the customer's store, and to the nearest other store when it cannot", () => {
    const stores = [
      loc("brooklyn-store", "brooklyn", { canPickup: true, canShip: false }),
      loc("newark-store", "newark", { canPickup: true, canShip: false }),
      loc("reno-store", "reno", { canPickup: true, canShip: false }),
      loc("warehouse", "philadelphia"),
    ];
    const everywhere = stores.flatMap((s) => [stock(s.id, "A", 2), stock(s.id, "B", 2)]);
    const lines = [line("l1", "A", 1), line("l2", "B", 2)];
    const atChosen = decideRouting(
      request({ lines, locations: stores, stock: everywhere, method: "pickup", pickupLocationId: "brooklyn-store" }),
      settings,
      strategy,
    );
    expect(atChosen.search).toBe("pickup");
    expect(atChosen.shipments.map((s) => s.locationId)).toEqual(["brooklyn-store"]);
    expect(atChosen.explanation.passedOver.find((p) => p.locationId === "warehouse")?.code).toBe("no_pickup");

    const rejected = decideRouting(
      request({ lines, locations: stores, stock: everywhere, method: "pickup", pickupLocationId: "brooklyn-store", rejectedLocationIds: ["brooklyn-store"] }),
      settings,
      strategy,
    );
    expect(rejected.shipments.map((s) => s.locationId)).toEqual(["newark-store"]);
    expect(rejected.explanation.summary).toBe("Pickup at newark-store (the chosen store could not take it).");

    const unnamed = decideRouting(request({ lines, locations: stores, stock: everywhere, method: "pickup" }), settings, strategy);
    expect(unnamed.shipments.map((s) => s.locationId)).toEqual(["brooklyn-store"]);
    expect(unnamed.explanation.chosen[0]!.why).toMatch(/^the nearest pickup store to the customer/);

    const nowhere = decideRouting(
      request({ lines, locations: stores, stock: [stock("reno-store", "A", 1)], method: "curbside", pickupLocationId: "brooklyn-store" }),
      settings,
      strategy,
    );
    expect(nowhere.status).toBe("unroutable");
    expect(nowhere.explanation.passedOver.every((p) => ["no_curbside", "no_stock", "partial_stock"].includes(p.code))).toBe(true);
  });

  it("fails loudly on a strategy that picks a location that is not a candidate", () => {
    const rogue = { name: "rogue", choose: () => ({ plan: { used: [7], units: [1], covered: 1, score: 0, terms: [] }, search: "single" as const }) };
    expect(() =>
      decideRouting(request({ lines: [line("l1", "A", 1)], locations: [loc("newark", "newark")], stock: [stock("newark", "A", 1)] }), settings, rogue),
    ).toThrow(/not a candidate/);
  });

  it("refuses malformed input", () => {
    expect(() => decideRouting(request({ lines: [line("l1", "A", 0)] }), settings, strategy)).toThrow(RangeError);
    expect(() =>
      decideRouting(request({ lines: [line("l1", "A", 1)], stock: [stock("x", "A", 1), { ...stock("x", "A", 1), levelId: "other" }] }), settings, strategy),
    ).toThrow(/twice/);
  });
});

// ---------------------------------------------------------------------------------------------
// Properties over random small worlds.

const POINTS = Object.values(PLACES);
const worldArb = fc
  .record({
    locations: fc.array(
      fc.record({
        point: fc.integer({ min: 0, max: POINTS.length - 1 }),
        priority: fc.integer({ min: 1, max: 3 }),
        active: fc.boolean(),
        full: fc.integer({ min: 0, max: 5 }),
      }),
      { minLength: 1, maxLength: 6 },
    ),
    variants: fc.integer({ min: 1, max: 4 }),
    stock: fc.array(fc.nat(4), { minLength: 24, maxLength: 24 }),
    quantities: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 4 }),
    destination: fc.integer({ min: 0, max: POINTS.length - 1 }),
  })
  .map(({ locations, variants, stock: amounts, quantities, destination }) => {
    const locs = locations.map((l, i) =>
      loc(`L${i}`, Object.keys(PLACES)[l.point] as keyof typeof PLACES, {
        priority: l.priority,
        active: l.active || i === 0,
        dailyCapacity: 4,
        ordersToday: l.full,
      }),
    );
    const levels: RoutingStockLevel[] = [];
    locs.forEach((l, i) => {
      for (let v = 0; v < variants; v++) {
        const amount = amounts[(i * 4 + v) % amounts.length]!;
        if (amount > 0) levels.push(stock(l.id, `V${v}`, amount));
      }
    });
    return request({
      lines: quantities.map((q, i) => line(`l${i}`, `V${i % variants}`, q)),
      locations: locs,
      stock: levels,
      destination: { point: POINTS[destination]!, source: "postal_code", countryCode: "US" },
    });
  });

describe("decideRouting properties", () => {
  it("never allocates more than a level has, and covers every line or says why not", () => {
    fc.assert(
      fc.property(worldArb, fc.boolean(), (req, preferSingle) => {
        const decision = decideRouting(req, { ...settings, preferSingleLocation: preferSingle }, strategy);
        const drawn = new Map<string, number>();
        for (const a of decision.allocations) drawn.set(a.levelId, (drawn.get(a.levelId) ?? 0) + a.quantity);
        for (const level of req.stock) expect(drawn.get(level.levelId) ?? 0).toBeLessThanOrEqual(level.available);
        for (const l of req.lines) {
          const routed = decision.allocations.filter((a) => a.lineId === l.lineId).reduce((s, a) => s + a.quantity, 0);
          const missing = decision.uncovered.find((u) => u.lineId === l.lineId);
          expect(routed + (missing?.missing ?? 0)).toBe(l.quantity);
          if (missing) expect(missing.reason.length).toBeGreaterThan(10);
        }
        // Whatever eligible locations hold together is routed: coverage is never left on the table.
        const eligible = new Set(
          req.locations.filter((l) => l.active && l.canShip && l.ordersToday < (l.dailyCapacity ?? Infinity)).map((l) => l.id),
        );
        const demand = new Map<string, number>();
        for (const l of req.lines) demand.set(l.variantId, (demand.get(l.variantId) ?? 0) + l.quantity);
        let coverable = 0;
        for (const [variantId, wanted] of demand) {
          const have = req.stock.filter((s) => s.variantId === variantId && eligible.has(s.locationId)).reduce((s, l) => s + l.available, 0);
          coverable += Math.min(wanted, have);
        }
        expect(decision.allocations.reduce((s, a) => s + a.quantity, 0)).toBe(coverable);
        // Every location is either chosen or passed over with a reason.
        const explained = new Set([...decision.shipments.map((s) => s.locationId), ...decision.explanation.passedOver.map((p) => p.locationId)]);
        expect(explained.size).toBe(req.locations.length);
      }),
      { numRuns: 300 },
    );
  });

  it("exact search matches brute force over every set of locations; the heuristic never beats it", () => {
    fc.assert(
      fc.property(worldArb, (req) => {
        const noSingle: RoutingSettings = { ...settings, preferSingleLocation: false };
        const eligible = req.locations.filter((l) => l.active && l.ordersToday < (l.dailyCapacity ?? Infinity));
        const model = buildCostModel(req.lines, req.stock, eligible, req.destination, noSingle);
        let brute: number | undefined;
        for (let mask = 1; mask < 1 << model.candidates.length; mask++) {
          const set = [...Array(model.candidates.length).keys()].filter((i) => mask & (1 << i));
          const plan = evaluatePlan(model, set);
          if (plan.covered === model.maxCoverage && (brute === undefined || plan.score < brute)) brute = plan.score;
        }
        const exact = exactSplitSearch(model, Number.MAX_SAFE_INTEGER);
        const heuristic = heuristicSplitSearch(model, noSingle.heuristicPasses);
        if (brute === undefined || model.maxCoverage === 0) {
          expect(exact).toBeUndefined();
          return;
        }
        expect(exact!.score).toBeCloseTo(brute, 6);
        expect(heuristic!.covered).toBe(model.maxCoverage);
        expect(heuristic!.score).toBeGreaterThanOrEqual(brute - 1e-6);
      }),
      { numRuns: 300 },
    );
  });

  it("gives up exact search past its budget instead of stalling", () => {
    const locations = Array.from({ length: 30 }, (_, i) => loc(`L${i}`, "chicago"));
    const lines = Array.from({ length: 8 }, (_, i) => line(`l${i}`, `V${i}`, 1));
    const levels = locations.flatMap((l, i) => [stock(l.id, `V${i % 8}`, 1)]);
    const model = buildCostModel(lines, levels, locations, toBrooklyn, settings);
    expect(exactSplitSearch(model, 10)).toBeUndefined();
    const decision = decideRouting(request({ lines, locations, stock: levels }), settings, strategy);
    expect(decision.search).toBe("heuristic");
    expect(decision.status).toBe("routed");
  });
});
