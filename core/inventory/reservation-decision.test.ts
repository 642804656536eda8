import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DefaultReservationStrategy } from "./default-reservation-strategy.js";
import { decideReservation, isEligibleLocation } from "./reservation-decision.js";
import type {
  FulfilmentLocation,
  ReservationLineRequest,
  ReservationStrategy,
  StockLevelSnapshot,
} from "./reservation-strategy.js";

const strategy = new DefaultReservationStrategy();

const loc = (id: string, priority: number, extra: Partial<FulfilmentLocation> = {}): FulfilmentLocation => ({
  id,
  priority,
  canShip: true,
  active: true,
  ...extra,
});
const stock = (
  locationId: string,
  variantId: string,
  onHand: number,
  reserved = 0,
  safetyStock = 0,
): StockLevelSnapshot => ({ levelId: `${locationId}:${variantId}`, locationId, variantId, onHand, reserved, safetyStock });
const line = (lineId: string, variantId: string, quantity: number): ReservationLineRequest => ({ lineId, variantId, quantity });

describe("decideReservation with the default strategy", () => {
  it("serves the whole order from the highest-priority location that has everything", () => {
    const plan = decideReservation(
      [line("l1", "A", 2), line("l2", "B", 1)],
      [stock("east", "A", 5), stock("east", "B", 5), stock("west", "A", 5), stock("west", "B", 5)],
      [loc("west", 2), loc("east", 1)],
      strategy,
    );
    expect(plan.status).toBe("complete");
    expect(plan.locationIds).toEqual(["east"]);
    expect(plan.lines).toEqual([
      {
        lineId: "l1",
        variantId: "A",
        requested: 2,
        allocations: [{ locationId: "east", levelId: "east:A", quantity: 2 }],
        reserved: 2,
        shortfall: 0,
        status: "complete",
      },
      {
        lineId: "l2",
        variantId: "B",
        requested: 1,
        allocations: [{ locationId: "east", levelId: "east:B", quantity: 1 }],
        reserved: 1,
        shortfall: 0,
        status: "complete",
      },
    ]);
    expect(plan.strategy).toBe("fewest-locations-by-priority");
  });

  it("prefers a lower-priority location that has everything over splitting", () => {
    const plan = decideReservation(
      [line("l1", "A", 1), line("l2", "B", 1)],
      [stock("east", "A", 5), stock("west", "A", 1), stock("west", "B", 1)],
      [loc("east", 1), loc("west", 2)],
      strategy,
    );
    expect(plan.locationIds).toEqual(["west"]);
    expect(plan.status).toBe("complete");
  });

  it("breaks a priority tie by the location holding the most stock for the order", () => {
    const plan = decideReservation(
      [line("l1", "A", 2)],
      [stock("a-small", "A", 3), stock("b-large", "A", 9)],
      [loc("a-small", 1), loc("b-large", 1)],
      strategy,
    );
    expect(plan.locationIds).toEqual(["b-large"]);
  });

  it("reserves across locations when no single one has enough (Medusa #14987)", () => {
    const plan = decideReservation(
      [line("l1", "A", 7)],
      [stock("east", "A", 4), stock("west", "A", 5)],
      [loc("east", 1), loc("west", 2)],
      strategy,
    );
    expect(plan.status).toBe("complete");
    // west covers more units, so it is drawn first; east makes up the rest.
    expect(plan.lines[0]?.allocations).toEqual([
      { locationId: "west", levelId: "west:A", quantity: 5 },
      { locationId: "east", levelId: "east:A", quantity: 2 },
    ]);
  });

  it("splits over as few locations as possible", () => {
    // east alone covers A; mid covers A and B; far covers C. Best split is mid + far.
    const plan = decideReservation(
      [line("l1", "A", 1), line("l2", "B", 1), line("l3", "C", 1)],
      [stock("east", "A", 10), stock("mid", "A", 1), stock("mid", "B", 1), stock("far", "C", 1)],
      [loc("east", 1), loc("mid", 2), loc("far", 3)],
      strategy,
    );
    expect(plan.status).toBe("complete");
    expect([...plan.locationIds].sort()).toEqual(["far", "mid"]);
  });

  it("reports partial availability instead of hiding it", () => {
    const plan = decideReservation(
      [line("l1", "A", 5), line("l2", "B", 2), line("l3", "C", 1)],
      [stock("east", "A", 3), stock("east", "B", 2)],
      [loc("east", 1)],
      strategy,
    );
    expect(plan.status).toBe("partial");
    expect(plan.lines.map((l) => [l.lineId, l.reserved, l.shortfall, l.status])).toEqual([
      ["l1", 3, 2, "partial"],
      ["l2", 2, 0, "complete"],
      ["l3", 0, 1, "none"],
    ]);
  });

  it("says none when nothing at all can be reserved", () => {
    const plan = decideReservation([line("l1", "A", 1)], [stock("east", "A", 0)], [loc("east", 1)], strategy);
    expect(plan.status).toBe("none");
    expect(plan.lines[0]).toMatchObject({ reserved: 0, shortfall: 1, allocations: [] });
    expect(plan.locationIds).toEqual([]);
  });

  it("does not reserve safety stock or stock already reserved", () => {
    const plan = decideReservation([line("l1", "A", 5)], [stock("east", "A", 10, 4, 3)], [loc("east", 1)], strategy);
    expect(plan.lines[0]).toMatchObject({ reserved: 3, shortfall: 2, status: "partial" });
  });

  it("skips inactive, non-shipping and full-capacity locations", () => {
    const locations = [
      loc("closed", 1, { active: false }),
      loc("store", 1, { canShip: false }),
      loc("busy", 1, { dailyCapacity: 0 }),
      loc("open", 5, { dailyCapacity: 3 }),
    ];
    const rows = ["closed", "store", "busy", "open"].map((id) => stock(id, "A", 10));
    const plan = decideReservation([line("l1", "A", 12)], rows, locations, strategy);
    expect(plan.locationIds).toEqual(["open"]);
    expect(plan.lines[0]).toMatchObject({ reserved: 10, shortfall: 2 });
    expect(locations.filter(isEligibleLocation).map((l) => l.id)).toEqual(["open"]);
  });

  it("ignores stock at locations it was not told about", () => {
    const plan = decideReservation([line("l1", "A", 1)], [stock("ghost", "A", 10)], [loc("east", 1)], strategy);
    expect(plan.status).toBe("none");
  });

  it("never lets two lines of one variant claim the same last unit", () => {
    const plan = decideReservation(
      [line("l1", "A", 1), line("l2", "A", 1)],
      [stock("east", "A", 1)],
      [loc("east", 1)],
      strategy,
    );
    expect(plan.lines.map((l) => l.reserved)).toEqual([1, 0]);
    expect(plan.status).toBe("partial");
  });

  it("refuses malformed lines and snapshots as bugs", () => {
    expect(() => decideReservation([line("l1", "A", 0)], [], [], strategy)).toThrow(RangeError);
    expect(() => decideReservation([line("l1", "A", 1), line("l1", "B", 1)], [], [], strategy)).toThrow(RangeError);
    expect(() =>
      decideReservation([line("l1", "A", 1)], [stock("east", "A", 1), stock("east", "A", 2)], [loc("east", 1)], strategy),
    ).toThrow(RangeError);
  });
});

describe("decideReservation guards against a misbehaving strategy", () => {
  const rows = [stock("east", "A", 3)];
  const locations = [loc("east", 1)];
  const greedy = (quantity: number, levelId = "east:A", locationId = "east"): ReservationStrategy => ({
    name: "broken",
    allocate: () => [{ lineId: "l1", allocations: [{ locationId, levelId, quantity }] }],
  });

  it("throws when a strategy draws more than a level has available", () => {
    expect(() => decideReservation([line("l1", "A", 9)], rows, locations, greedy(4))).toThrow(/drew 4 from level east:A with 3/);
  });

  it("throws when a strategy reserves more than the line asked for", () => {
    expect(() => decideReservation([line("l1", "A", 2)], rows, locations, greedy(3))).toThrow(/asked for 2/);
  });

  it("throws when a strategy draws from a level that is not reservable", () => {
    expect(() => decideReservation([line("l1", "A", 2)], rows, locations, greedy(1, "west:A", "west"))).toThrow(
      /not reservable/,
    );
  });

  it("throws when a strategy draws a level under the wrong location", () => {
    expect(() => decideReservation([line("l1", "A", 2)], rows, locations, greedy(1, "east:A", "west"))).toThrow(
      /wrong variant or location/,
    );
  });

  it("throws when a strategy proposes zero units", () => {
    expect(() => decideReservation([line("l1", "A", 2)], rows, locations, greedy(0))).toThrow(/non-positive/);
  });
});

describe("decideReservation properties", () => {
  const variants = ["A", "B", "C"];
  const locationIds = ["l1", "l2", "l3", "l4"];

  const scenario = fc.record({
    lines: fc
      .array(fc.record({ variantId: fc.constantFrom(...variants), quantity: fc.integer({ min: 1, max: 15 }) }), {
        minLength: 1,
        maxLength: 6,
      })
      .map((rows) => rows.map((row, index) => ({ lineId: `line-${index}`, ...row }))),
    stock: fc
      .uniqueArray(
        fc.record({
          locationId: fc.constantFrom(...locationIds),
          variantId: fc.constantFrom(...variants),
          onHand: fc.nat(20),
          reserved: fc.nat(20),
          safetyStock: fc.nat(5),
        }),
        { selector: (row) => `${row.locationId}:${row.variantId}`, maxLength: 12 },
      )
      .map((rows) =>
        rows.map((row) => ({
          ...row,
          levelId: `${row.locationId}:${row.variantId}`,
          reserved: Math.min(row.reserved, row.onHand),
        })),
      ),
    locations: fc.tuple(
      ...locationIds.map((id) =>
        fc.record({
          id: fc.constant(id),
          priority: fc.integer({ min: 1, max: 3 }),
          canShip: fc.boolean(),
          active: fc.boolean(),
          dailyCapacity: fc.option(fc.nat(2), { nil: undefined }),
        }),
      ),
    ),
  });

  it("never allocates more than is available per level, and reserved + shortfall == requested per line", () => {
    fc.assert(
      fc.property(scenario, ({ lines, stock: rows, locations }) => {
        const plan = decideReservation(lines, rows, locations, strategy);
        const drawn = new Map<string, number>();
        for (const planned of plan.lines) {
          const requested = lines.find((l) => l.lineId === planned.lineId)?.quantity;
          expect(planned.reserved + planned.shortfall).toBe(requested);
          expect(planned.allocations.reduce((sum, a) => sum + a.quantity, 0)).toBe(planned.reserved);
          expect(planned.shortfall).toBeGreaterThanOrEqual(0);
          for (const allocation of planned.allocations) {
            drawn.set(allocation.levelId, (drawn.get(allocation.levelId) ?? 0) + allocation.quantity);
          }
        }
        for (const [levelId, quantity] of drawn) {
          const row = rows.find((r) => r.levelId === levelId);
          expect(row).toBeDefined();
          if (row === undefined) continue;
          expect(quantity).toBeLessThanOrEqual(Math.max(0, row.onHand - row.reserved - row.safetyStock));
          const location = locations.find((l) => l.id === row.locationId);
          expect(location !== undefined && isEligibleLocation(location)).toBe(true);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it("leaves a shortfall only when the variant's eligible stock is exhausted", () => {
    fc.assert(
      fc.property(scenario, ({ lines, stock: rows, locations }) => {
        const plan = decideReservation(lines, rows, locations, strategy);
        const eligible = new Set(locations.filter(isEligibleLocation).map((l) => l.id));
        for (const variantId of variants) {
          const short = plan.lines.some((l) => l.variantId === variantId && l.shortfall > 0);
          if (!short) continue;
          const supply = rows
            .filter((r) => r.variantId === variantId && eligible.has(r.locationId))
            .reduce((sum, r) => sum + Math.max(0, r.onHand - r.reserved - r.safetyStock), 0);
          const reserved = plan.lines.filter((l) => l.variantId === variantId).reduce((sum, l) => sum + l.reserved, 0);
          expect(reserved).toBe(supply);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it("uses a single location whenever one can serve every line in full", () => {
    fc.assert(
      fc.property(scenario, ({ lines, stock: rows, locations }) => {
        const eligible = locations.filter(isEligibleLocation);
        const demand = new Map<string, number>();
        for (const l of lines) demand.set(l.variantId, (demand.get(l.variantId) ?? 0) + l.quantity);
        const canServeAll = eligible.some((location) =>
          [...demand].every(([variantId, quantity]) => {
            const row = rows.find((r) => r.locationId === location.id && r.variantId === variantId);
            return row !== undefined && row.onHand - row.reserved - row.safetyStock >= quantity;
          }),
        );
        const plan = decideReservation(lines, rows, locations, strategy);
        if (canServeAll) {
          expect(plan.status).toBe("complete");
          expect(plan.locationIds).toHaveLength(1);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
