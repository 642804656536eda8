import { describe, expect, it } from "vitest";
import {
  MOVEMENT_KINDS,
  movementDeltas,
  movementSchema,
  transferLegs,
  type Movement,
  type MovementKind,
} from "./stock-movement.js";

const cause = { type: "order_line", id: "line-1" } as const;

function movementOf(kind: MovementKind, quantity: number): Movement {
  const causes: Record<MovementKind, Movement["cause"]["type"]> = {
    receive: "receipt",
    adjust: "adjustment",
    reserve: "order_line",
    release: "order_line",
    ship: "order_line",
    return_restock: "return",
    transfer_out: "transfer",
    transfer_in: "transfer",
  };
  const base = { quantity, cause: { type: causes[kind], id: "c-1" }, actor: "user:1" };
  return kind === "adjust" ? { kind, direction: "increase", ...base } : { kind, ...base };
}

describe("movementDeltas", () => {
  const expected: Record<MovementKind, [number, number]> = {
    receive: [5, 0],
    adjust: [5, 0],
    reserve: [0, 5],
    release: [0, -5],
    ship: [-5, -5],
    return_restock: [5, 0],
    transfer_out: [-5, 0],
    transfer_in: [5, 0],
  };

  for (const kind of MOVEMENT_KINDS) {
    it(`gives ${kind} the effect (${expected[kind].join(", ")}) on (onHand, reserved)`, () => {
      expect(movementDeltas(movementOf(kind, 5))).toEqual({
        onHandDelta: expected[kind][0],
        reservedDelta: expected[kind][1],
      });
    });
  }

  it("lowers on hand for a decreasing adjustment", () => {
    expect(
      movementDeltas({ kind: "adjust", direction: "decrease", quantity: 3, cause: { type: "adjustment", id: "a" }, actor: "u" }),
    ).toEqual({ onHandDelta: -3, reservedDelta: 0 });
  });
});

describe("movementSchema", () => {
  it("accepts a well-formed reservation", () => {
    expect(movementSchema.safeParse({ kind: "reserve", quantity: 2, cause, actor: "system:ingest" }).success).toBe(true);
  });

  it.each([0, -1, 1.5])("refuses quantity %s because the kind carries the sign", (quantity) => {
    expect(movementSchema.safeParse({ kind: "receive", quantity, cause: { type: "receipt", id: "r" }, actor: "u" }).success).toBe(
      false,
    );
  });

  it("requires a direction on adjustments", () => {
    expect(
      movementSchema.safeParse({ kind: "adjust", quantity: 1, cause: { type: "adjustment", id: "a" }, actor: "u" }).success,
    ).toBe(false);
  });

  it("refuses a reservation that does not name an order line", () => {
    const parsed = movementSchema.safeParse({ kind: "reserve", quantity: 1, cause: { type: "sync", id: "s" }, actor: "u" });
    expect(parsed.success).toBe(false);
    if (!parsed.success) expect(parsed.error.issues[0]?.message).toBe("reserve cannot be caused by sync");
  });

  it("refuses a movement without a cause id or actor", () => {
    expect(movementSchema.safeParse({ kind: "ship", quantity: 1, cause: { type: "order_line", id: "" }, actor: "u" }).success).toBe(
      false,
    );
    expect(movementSchema.safeParse({ kind: "ship", quantity: 1, cause, actor: " " }).success).toBe(false);
  });
});

describe("transferLegs", () => {
  it("writes a transfer as an out/in pair sharing one transfer cause", () => {
    const legs = transferLegs({ transferId: "t-9", fromLevelId: "a", toLevelId: "b", quantity: 4, actor: "user:2" });
    expect(legs.out).toEqual({
      levelId: "a",
      movement: { kind: "transfer_out", quantity: 4, cause: { type: "transfer", id: "t-9" }, actor: "user:2" },
    });
    expect(legs.in.levelId).toBe("b");
    expect(legs.in.movement).toMatchObject({ kind: "transfer_in", quantity: 4, cause: { type: "transfer", id: "t-9" } });
    expect(movementSchema.safeParse(legs.out.movement).success).toBe(true);
  });

  it("refuses to transfer a level to itself", () => {
    expect(() => transferLegs({ transferId: "t", fromLevelId: "a", toLevelId: "a", quantity: 1, actor: "u" })).toThrow(RangeError);
  });
});
