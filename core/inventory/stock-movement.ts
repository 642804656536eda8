import { z } from "zod";

/**
 * Stock changes only through typed movements (rule 2). Each kind has a fixed effect on the
 * level's (onHand, reserved); on hand, reserved and available are derived from the movements,
 * never edited in place. Quantities are always positive — the kind (and, for adjustments,
 * the direction) carries the sign, so a stray minus can never turn a ship into a receipt.
 */

export const MOVEMENT_KINDS = [
  "receive",
  "adjust",
  "reserve",
  "release",
  "ship",
  "return_restock",
  "transfer_out",
  "transfer_in",
] as const;
export const movementKindSchema = z.enum(MOVEMENT_KINDS);
export type MovementKind = z.infer<typeof movementKindSchema>;

export const CAUSE_TYPES = ["order_line", "return", "adjustment", "sync", "transfer", "receipt"] as const;
export const causeTypeSchema = z.enum(CAUSE_TYPES);
export type CauseType = z.infer<typeof causeTypeSchema>;

export const ADJUST_DIRECTIONS = ["increase", "decrease"] as const;
export type AdjustDirection = (typeof ADJUST_DIRECTIONS)[number];

/**
 * Which causes may produce each kind. A reservation without an order line, or a transfer
 * leg without a transfer, would leave a ledger entry nobody can trace back.
 */
export const ALLOWED_CAUSES: { readonly [K in MovementKind]: readonly CauseType[] } = {
  receive: ["receipt", "sync", "adjustment"],
  adjust: ["adjustment", "sync"],
  reserve: ["order_line"],
  // A merchant may free a stuck reservation by hand; that is an adjustment, not an order event.
  release: ["order_line", "adjustment"],
  ship: ["order_line"],
  return_restock: ["return"],
  transfer_out: ["transfer"],
  transfer_in: ["transfer"],
};

export const movementCauseSchema = z.object({
  type: causeTypeSchema,
  id: z.string().trim().min(1).max(255),
});
export type MovementCause = z.infer<typeof movementCauseSchema>;

const movementBaseShape = {
  quantity: z.number().int().positive().max(1_000_000_000),
  cause: movementCauseSchema,
  /** Who asked: "user:<id>", "system:<job>", "channel:<name>"; shown in the ledger history. */
  actor: z.string().trim().min(1).max(255),
  reason: z.string().max(1000).optional(),
};

export const movementSchema = z
  .discriminatedUnion("kind", [
    z.object({ kind: z.literal("adjust"), direction: z.enum(ADJUST_DIRECTIONS), ...movementBaseShape }),
    z.object({
      kind: z.enum(["receive", "reserve", "release", "ship", "return_restock", "transfer_out", "transfer_in"]),
      ...movementBaseShape,
    }),
  ])
  .superRefine((movement, ctx) => {
    if (!ALLOWED_CAUSES[movement.kind].includes(movement.cause.type)) {
      ctx.addIssue({
        code: "custom",
        path: ["cause", "type"],
        message: `${movement.kind} cannot be caused by ${movement.cause.type}`,
      });
    }
  });

export type Movement = z.infer<typeof movementSchema>;
export type AdjustMovement = Extract<Movement, { kind: "adjust" }>;

export interface MovementDeltas {
  readonly onHandDelta: number;
  readonly reservedDelta: number;
}

/**
 * Signed effect of a movement on one inventory level. Shipping consumes a reservation (both
 * fall), and transfers touch only on-hand at each end so in-transit stock is never sellable.
 */
export function movementDeltas(movement: Movement): MovementDeltas {
  const q = movement.quantity;
  switch (movement.kind) {
    case "receive":
    case "return_restock":
    case "transfer_in":
      return { onHandDelta: q, reservedDelta: 0 };
    case "adjust":
      return { onHandDelta: movement.direction === "increase" ? q : -q, reservedDelta: 0 };
    case "reserve":
      return { onHandDelta: 0, reservedDelta: q };
    case "release":
      return { onHandDelta: 0, reservedDelta: -q };
    case "ship":
      return { onHandDelta: -q, reservedDelta: -q };
    case "transfer_out":
      return { onHandDelta: -q, reservedDelta: 0 };
  }
}

export interface TransferLegs {
  /** Applied to the source level. */
  readonly out: { readonly levelId: string; readonly movement: Movement };
  /** Applied to the destination level. */
  readonly in: { readonly levelId: string; readonly movement: Movement };
}

/**
 * A transfer is always written as a pair sharing one cause, so the ledger can prove every unit
 * that left one location arrived at another (or is still in transit between them).
 */
export function transferLegs(input: {
  readonly transferId: string;
  readonly fromLevelId: string;
  readonly toLevelId: string;
  readonly quantity: number;
  readonly actor: string;
  readonly reason?: string;
}): TransferLegs {
  if (input.fromLevelId === input.toLevelId) {
    throw new RangeError("a transfer needs two different levels");
  }
  const cause: MovementCause = { type: "transfer", id: input.transferId };
  const base = {
    quantity: input.quantity,
    cause,
    actor: input.actor,
    ...(input.reason === undefined ? {} : { reason: input.reason }),
  };
  return {
    out: { levelId: input.fromLevelId, movement: { kind: "transfer_out", ...base } },
    in: { levelId: input.toLevelId, movement: { kind: "transfer_in", ...base } },
  };
}
