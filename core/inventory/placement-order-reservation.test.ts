import { describe, expect, it } from "vitest";
import { DefaultReservationStrategy } from "./default-reservation-strategy.js";
import { decideInPlacementOrder, type PlacedOrderRequest } from "./placement-order-reservation.js";
import type { ReservationStrategy } from "./reservation-strategy.js";

const strategy = new DefaultReservationStrategy();
const locations = [{ id: "east", priority: 1, canShip: true, active: true }];
const stock = [{ levelId: "east:A", locationId: "east", variantId: "A", onHand: 3, reserved: 1, safetyStock: 0 }];
const order = (key: string, minute: number, quantity: number, sequence = 0): PlacedOrderRequest => ({
  key,
  placedAt: new Date(Date.UTC(2026, 10, 20, 12, minute)),
  sequence,
  lines: [{ lineId: `${key}-l`, variantId: "A", quantity }],
});

describe("decideInPlacementOrder", () => {
  it("serves the earliest placed first from what the earlier ones left, whatever the input order", () => {
    const plans = decideInPlacementOrder([order("late", 9, 1), order("early", 1, 1), order("middle", 5, 1)], stock, locations, strategy);
    expect(plans.get("early")!.status).toBe("complete");
    expect(plans.get("middle")!.status).toBe("complete");
    expect(plans.get("late")!.status).toBe("none");
  });

  it("breaks a tie in placement time by arrival, and splits a line across what is left", () => {
    const plans = decideInPlacementOrder([order("second", 1, 1, 2), order("first", 1, 1, 1), order("third", 2, 2, 3)], [{ ...stock[0]!, reserved: 0 }], locations, strategy);
    expect([plans.get("first")!.status, plans.get("second")!.status, plans.get("third")!.status]).toEqual(["complete", "complete", "partial"]);
    expect(plans.get("third")!.lines[0]!.reserved).toBe(1);
  });

  it("refuses a strategy that would promise a unit the batch already gave away", () => {
    // Proposes the level's original figure every time: fine for one order, a double promise for two.
    const greedy: ReservationStrategy = {
      name: "greedy",
      allocate: ({ lines }) => lines.map((line) => ({ lineId: line.lineId, allocations: [{ locationId: "east", levelId: "east:A", quantity: 2 }] })),
    };
    expect(() => decideInPlacementOrder([order("a", 1, 2), order("b", 2, 2)], stock, locations, greedy)).toThrow(/greedy allocated from level east:A, which is not reservable/);
  });

  it("skips orders with no stock lines and refuses one order listed twice", () => {
    expect(decideInPlacementOrder([{ ...order("none", 1, 1), lines: [] }], stock, locations, strategy).size).toBe(0);
    expect(() => decideInPlacementOrder([order("a", 1, 1), order("a", 2, 1)], stock, locations, strategy)).toThrow(/twice/);
  });
});
