import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { adjustmentToReach, applyMovement, applyMovements, available, type Balance } from "./stock-balance.js";
import { movementDeltas, type Movement } from "./stock-movement.js";

const line = { type: "order_line", id: "line-1" } as const;
const actor = "system:test";
const reserve = (quantity: number): Movement => ({ kind: "reserve", quantity, cause: line, actor });
const release = (quantity: number): Movement => ({ kind: "release", quantity, cause: line, actor });
const ship = (quantity: number): Movement => ({ kind: "ship", quantity, cause: line, actor });
const receive = (quantity: number): Movement => ({ kind: "receive", quantity, cause: { type: "receipt", id: "r" }, actor });
const decrease = (quantity: number): Movement => ({
  kind: "adjust",
  direction: "decrease",
  quantity,
  cause: { type: "adjustment", id: "a" },
  actor,
});
const transferOut = (quantity: number): Movement => ({
  kind: "transfer_out",
  quantity,
  cause: { type: "transfer", id: "t" },
  actor,
});

const balance = (onHand: number, reserved: number, safetyStock = 0): Balance => ({ onHand, reserved, safetyStock });

describe("available", () => {
  it("subtracts reserved and safety stock from on hand", () => {
    expect(available(balance(10, 3, 2))).toBe(5);
  });

  it("never goes below zero when safety stock exceeds what is free", () => {
    expect(available(balance(4, 3, 5))).toBe(0);
  });
});

describe("applyMovement", () => {
  it("reserves up to what is available", () => {
    expect(applyMovement(balance(10, 3, 2), reserve(5))).toEqual({ ok: true, value: balance(10, 8, 2) });
  });

  it("refuses to reserve safety stock", () => {
    expect(applyMovement(balance(10, 3, 2), reserve(6))).toMatchObject({ ok: false, reason: "insufficient_available" });
  });

  it("refuses to release more than is reserved", () => {
    expect(applyMovement(balance(10, 2), release(3))).toMatchObject({ ok: false, reason: "release_exceeds_reserved" });
  });

  it("refuses to ship more than is reserved", () => {
    expect(applyMovement(balance(10, 2), ship(3))).toMatchObject({ ok: false, reason: "ship_exceeds_reserved" });
  });

  it("ships by consuming the reservation and the stock together", () => {
    expect(applyMovement(balance(10, 4, 1), ship(3))).toEqual({ ok: true, value: balance(7, 1, 1) });
  });

  it("refuses an adjustment that would leave less on hand than is reserved", () => {
    expect(applyMovement(balance(10, 6), decrease(5))).toMatchObject({ ok: false, reason: "adjust_below_reserved" });
    expect(applyMovement(balance(10, 6), decrease(4))).toEqual({ ok: true, value: balance(6, 6) });
  });

  it("lets a transfer take safety stock but never reserved units", () => {
    expect(applyMovement(balance(10, 6, 3), transferOut(4))).toEqual({ ok: true, value: balance(6, 6, 3) });
    expect(applyMovement(balance(10, 6, 3), transferOut(5))).toMatchObject({
      ok: false,
      reason: "transfer_exceeds_unreserved",
    });
  });

  it("refuses a non-positive or fractional quantity that bypassed the schema", () => {
    expect(applyMovement(balance(1, 0), receive(0))).toMatchObject({ ok: false, reason: "invalid_quantity" });
    expect(applyMovement(balance(1, 0), receive(-2))).toMatchObject({ ok: false, reason: "invalid_quantity" });
    expect(applyMovement(balance(1, 0), receive(1.5))).toMatchObject({ ok: false, reason: "invalid_quantity" });
  });

  it("refuses a movement whose cause cannot produce its kind", () => {
    const stray: Movement = { kind: "ship", quantity: 1, cause: { type: "sync", id: "s" }, actor };
    expect(applyMovement(balance(5, 5), stray)).toMatchObject({ ok: false, reason: "cause_not_allowed" });
  });

  it("stops a batch at the first refusal", () => {
    expect(applyMovements(balance(5, 0), [reserve(3), ship(2), ship(2)])).toMatchObject({
      ok: false,
      reason: "ship_exceeds_reserved",
    });
    expect(applyMovements(balance(5, 0), [reserve(3), ship(2), release(1)])).toEqual({ ok: true, value: balance(3, 0) });
  });
});

describe("adjustmentToReach", () => {
  const cause = { type: "sync", id: "shopify-level-1" } as const;

  it("turns a counted figure into an increasing or decreasing adjustment", () => {
    expect(adjustmentToReach(balance(5, 1), 9, cause, actor)).toEqual({
      ok: true,
      value: { kind: "adjust", direction: "increase", quantity: 4, cause, actor },
    });
    const down = adjustmentToReach(balance(5, 1), 2, cause, actor, "cycle count");
    expect(down).toEqual({
      ok: true,
      value: { kind: "adjust", direction: "decrease", quantity: 3, cause, actor, reason: "cycle count" },
    });
  });

  it("returns no movement when the count already matches", () => {
    expect(adjustmentToReach(balance(5, 1), 5, cause, actor)).toEqual({ ok: true, value: null });
  });

  it("refuses a target below what is reserved", () => {
    expect(adjustmentToReach(balance(5, 3), 2, cause, actor)).toMatchObject({ ok: false, reason: "adjust_below_reserved" });
  });
});

describe("applyMovement properties", () => {
  const causes = {
    receive: { type: "receipt", id: "r" },
    adjust: { type: "adjustment", id: "a" },
    reserve: line,
    release: line,
    ship: line,
    return_restock: { type: "return", id: "rma" },
    transfer_out: { type: "transfer", id: "t" },
    transfer_in: { type: "transfer", id: "t" },
  } as const;

  const movementArb: fc.Arbitrary<Movement> = fc
    .tuple(
      fc.constantFrom(...(Object.keys(causes) as (keyof typeof causes)[])),
      fc.integer({ min: 1, max: 30 }),
      fc.constantFrom("increase", "decrease"),
    )
    .map(([kind, quantity, direction]): Movement =>
      kind === "adjust"
        ? { kind, direction, quantity, cause: causes.adjust, actor }
        : { kind, quantity, cause: causes[kind], actor },
    );

  const balanceArb = fc
    .tuple(fc.nat(50), fc.nat(50), fc.nat(10))
    .map(([a, b, safetyStock]) => balance(Math.max(a, b), Math.min(a, b), safetyStock));

  it("keeps 0 <= reserved <= onHand and available >= 0 through any sequence", () => {
    fc.assert(
      fc.property(balanceArb, fc.array(movementArb, { maxLength: 60 }), (start, movements) => {
        let current = start;
        for (const movement of movements) {
          const next = applyMovement(current, movement);
          if (next.ok) current = next.value;
          expect(current.onHand).toBeGreaterThanOrEqual(0);
          expect(current.reserved).toBeGreaterThanOrEqual(0);
          expect(current.reserved).toBeLessThanOrEqual(current.onHand);
          expect(available(current)).toBeGreaterThanOrEqual(0);
          expect(current.safetyStock).toBe(start.safetyStock);
        }
      }),
      { numRuns: 500 },
    );
  });

  it("applies exactly the movement's deltas, moves reserved only by reserve, release and ship, and never reserves safety stock", () => {
    fc.assert(
      fc.property(balanceArb, movementArb, (start, movement) => {
        const next = applyMovement(start, movement);
        if (!next.ok) {
          expect(next.reason).not.toBe("invalid_quantity");
          return;
        }
        const { onHandDelta, reservedDelta } = movementDeltas(movement);
        expect(next.value.onHand - start.onHand).toBe(onHandDelta);
        expect(next.value.reserved - start.reserved).toBe(reservedDelta);
        if (!["reserve", "release", "ship"].includes(movement.kind)) expect(next.value.reserved).toBe(start.reserved);
        if (movement.kind === "reserve") {
          expect(next.value.reserved).toBeLessThanOrEqual(start.onHand - start.safetyStock);
        }
      }),
      { numRuns: 500 },
    );
  });
});
