import { z } from "zod";
import { MAX_STOCK_QUANTITY } from "../shared/input-bounds.js";
import { err, ok, type Result } from "../shared/result.js";
import { ALLOWED_CAUSES, movementDeltas, type AdjustMovement, type Movement, type MovementCause } from "./stock-movement.js";

/**
 * One inventory level (a variant at a location). `safetyStock` is a merchant-chosen cushion
 * that is physically on the shelf but never offered or reserved, so miscounts and damage do
 * not turn into oversells.
 */
export const balanceSchema = z.object({
  onHand: z.number().int().nonnegative(),
  reserved: z.number().int().nonnegative(),
  safetyStock: z.number().int().nonnegative().default(0),
});
export type Balance = z.infer<typeof balanceSchema>;

export const MOVEMENT_REFUSALS = [
  "invalid_quantity",
  "cause_not_allowed",
  "insufficient_available",
  "release_exceeds_reserved",
  "ship_exceeds_reserved",
  "adjust_below_reserved",
  "transfer_exceeds_unreserved",
] as const;
export type MovementRefusal = (typeof MOVEMENT_REFUSALS)[number];

/** Units that can still be promised: never negative, never eats into safety stock. */
export function available(balance: Balance): number {
  return Math.max(0, balance.onHand - balance.reserved - balance.safetyStock);
}

/**
 * Applies one movement, or says why it cannot. The invariants 0 <= reserved <= onHand hold
 * after every accepted movement; refusing here (not clamping) keeps the ledger and the
 * balance telling the same story.
 */
export function applyMovement(balance: Balance, movement: Movement): Result<Balance, MovementRefusal> {
  const q = movement.quantity;
  if (!Number.isSafeInteger(q) || q <= 0 || q > MAX_STOCK_QUANTITY) {
    return err("invalid_quantity", `quantity must be a positive integer up to ${MAX_STOCK_QUANTITY}, got ${q}`);
  }
  if (!ALLOWED_CAUSES[movement.kind].includes(movement.cause.type)) {
    return err("cause_not_allowed", `${movement.kind} cannot be caused by ${movement.cause.type}`);
  }
  switch (movement.kind) {
    case "reserve":
      // Safety stock is not reservable: check against available, not onHand - reserved.
      if (q > available(balance)) {
        return err("insufficient_available", `reserve ${q} with ${available(balance)} available`);
      }
      break;
    case "release":
      if (q > balance.reserved) {
        return err("release_exceeds_reserved", `release ${q} with ${balance.reserved} reserved`);
      }
      break;
    case "ship":
      // Shipping unreserved stock would bypass the reservation race protection (rule 3).
      if (q > balance.reserved) {
        return err("ship_exceeds_reserved", `ship ${q} with ${balance.reserved} reserved`);
      }
      break;
    case "adjust":
      if (movement.direction === "decrease" && balance.onHand - q < balance.reserved) {
        return err(
          "adjust_below_reserved",
          `decrease by ${q} would leave ${balance.onHand - q} on hand under ${balance.reserved} reserved`,
        );
      }
      break;
    case "transfer_out":
      // Safety stock may travel (it is real stock); reserved units belong to orders and may not.
      if (q > balance.onHand - balance.reserved) {
        return err(
          "transfer_exceeds_unreserved",
          `transfer ${q} with ${balance.onHand - balance.reserved} unreserved`,
        );
      }
      break;
    case "receive":
    case "return_restock":
    case "transfer_in":
      break;
  }
  const { onHandDelta, reservedDelta } = movementDeltas(movement);
  // The ledger's balances are int4: a receipt that would overflow one is refused, not stored.
  if (balance.onHand + onHandDelta > MAX_STOCK_QUANTITY || balance.reserved + reservedDelta > MAX_STOCK_QUANTITY) {
    return err("invalid_quantity", `on hand would exceed ${MAX_STOCK_QUANTITY}`);
  }
  return ok({
    onHand: balance.onHand + onHandDelta,
    reserved: balance.reserved + reservedDelta,
    safetyStock: balance.safetyStock,
  });
}

/** Applies movements in order; the first refusal stops the batch and the input is untouched. */
export function applyMovements(
  balance: Balance,
  movements: readonly Movement[],
): Result<Balance, MovementRefusal> {
  let current = balance;
  for (const movement of movements) {
    const next = applyMovement(current, movement);
    if (!next.ok) return next;
    current = next.value;
  }
  return ok(current);
}

/**
 * The adjustment that brings on-hand to a counted or channel-reported figure, so absolute
 * counts still enter the ledger as movements. `null` when nothing changes.
 */
export function adjustmentToReach(
  balance: Balance,
  targetOnHand: number,
  cause: MovementCause,
  actor: string,
  reason?: string,
): Result<AdjustMovement | null, "invalid_quantity" | "adjust_below_reserved"> {
  if (!Number.isSafeInteger(targetOnHand) || targetOnHand < 0) {
    return err("invalid_quantity", `target on hand must be a non-negative integer, got ${targetOnHand}`);
  }
  if (targetOnHand < balance.reserved) {
    return err("adjust_below_reserved", `target ${targetOnHand} is under ${balance.reserved} reserved`);
  }
  const difference = targetOnHand - balance.onHand;
  if (difference === 0) return ok(null);
  return ok({
    kind: "adjust",
    direction: difference > 0 ? "increase" : "decrease",
    quantity: Math.abs(difference),
    cause,
    actor,
    ...(reason === undefined ? {} : { reason }),
  });
}
