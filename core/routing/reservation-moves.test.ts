import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { reservationMoves, type HeldUnits } from "./reservation-moves.js";

const held = (lineId: string, locationId: string, quantity: number): HeldUnits => ({ lineId, variantId: `v-${lineId}`, locationId, quantity });

describe("reservationMoves", () => {
  it("moves only the units that change location", () => {
    const moves = reservationMoves(
      [held("l1", "A", 2), held("l2", "A", 1)],
      [held("l1", "A", 1), held("l1", "B", 1), held("l2", "A", 1)],
    );
    expect(moves).toEqual({ release: [held("l1", "A", 1)], reserve: [held("l1", "B", 1)] });
    expect(reservationMoves([held("l1", "A", 2)], [held("l1", "A", 2)])).toEqual({ release: [], reserve: [] });
  });

  it("after the moves every line holds exactly the target at every location", () => {
    const unitsArb = fc.array(
      fc.record({ line: fc.constantFrom("l1", "l2", "l3"), location: fc.constantFrom("A", "B", "C"), quantity: fc.integer({ min: 1, max: 5 }) }),
      { maxLength: 8 },
    );
    fc.assert(
      fc.property(unitsArb, unitsArb, (from, to) => {
        const current = from.map((u) => held(u.line, u.location, u.quantity));
        const target = to.map((u) => held(u.line, u.location, u.quantity));
        const { release, reserve } = reservationMoves(current, target);
        const tally = new Map<string, number>();
        const add = (units: HeldUnits[], sign: number) => {
          for (const u of units) tally.set(`${u.lineId}|${u.locationId}`, (tally.get(`${u.lineId}|${u.locationId}`) ?? 0) + sign * u.quantity);
        };
        add(current, 1);
        add([...release], -1);
        add([...reserve], 1);
        add(target, -1);
        for (const value of tally.values()) expect(value).toBe(0);
      }),
    );
  });
});
