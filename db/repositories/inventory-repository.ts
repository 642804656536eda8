import { and, eq } from "drizzle-orm";
import { adjustmentToReach, applyMovement } from "../../core/inventory/stock-balance";
import type { Movement } from "../../core/inventory/stock-movement";
import { err, ok, type Result } from "../../core/shared/result";
import type { Database, Tx } from "../client";
import { inventoryLevels } from "../schema";
import { ensureLevel, lockLevels, recordMovements, scheduleStockSync } from "./stock-ledger-repository";

export type AdjustmentRequest = {
  shopId: string;
  variantId: string;
  locationId: string;
  actor: string;
  reason: string;
} & ({ delta: number } | { setOnHand: number });

export type AdjustmentRefusal = "invalid_quantity" | "adjust_below_reserved" | "insufficient_on_hand" | "no_change" | "unknown_level";

/**
 * A person's (or a sync's) correction of on hand, always through an adjust movement that names
 * the reason. Refuses to take on hand below what is reserved: those units are promised to orders.
 */
export async function adjustInventory(
  db: Database,
  request: AdjustmentRequest,
): Promise<Result<{ onHand: number; reserved: number }, AdjustmentRefusal>> {
  return db.transaction(async (tx) => {
    await ensureLevel(tx, request.shopId, request.variantId, request.locationId);
    const level = await lockLevel(tx, request);
    if (!level) return err("unknown_level");
    const cause = { type: "adjustment" as const, id: `adjustment:${Date.now()}` };
    let movement: Movement | null;
    if ("setOnHand" in request) {
      const planned = adjustmentToReach(level, request.setOnHand, cause, request.actor, request.reason);
      if (!planned.ok) return planned;
      movement = planned.value;
    } else {
      if (!Number.isSafeInteger(request.delta) || request.delta === 0) return err("invalid_quantity", "delta must be a non-zero integer");
      movement = {
        kind: "adjust",
        direction: request.delta > 0 ? "increase" : "decrease",
        quantity: Math.abs(request.delta),
        cause,
        actor: request.actor,
        reason: request.reason,
      };
    }
    if (!movement) return err("no_change", "on hand is already at that figure");
    const next = applyMovement(level, movement);
    if (!next.ok) return err(next.reason === "adjust_below_reserved" ? "adjust_below_reserved" : "insufficient_on_hand", next.detail);
    await recordMovements(tx, request.shopId, [{ level, movement }]);
    await scheduleStockSync(tx, request.shopId, [level.variantId]);
    return ok({ onHand: next.value.onHand, reserved: next.value.reserved });
  });
}

/** Goods arriving at a location (purchase order receipt, initial stock, demo seed); the channels hear of it. */
export async function receiveStock(
  tx: Tx,
  input: { shopId: string; variantId: string; locationId: string; quantity: number; actor: string; receiptId: string },
): Promise<void> {
  await ensureLevel(tx, input.shopId, input.variantId, input.locationId);
  const level = await lockLevel(tx, input);
  if (!level) throw new Error("level missing right after ensureLevel");
  await recordMovements(tx, input.shopId, [
    { level, movement: { kind: "receive", quantity: input.quantity, cause: { type: "receipt", id: input.receiptId }, actor: input.actor } },
  ]);
  await scheduleStockSync(tx, input.shopId, [input.variantId]);
}

async function lockLevel(tx: Tx, key: { shopId: string; variantId: string; locationId: string }) {
  const levels = await lockLevels(tx, key.shopId, [key.variantId]);
  return levels.find((level) => level.locationId === key.locationId);
}

export async function setSafetyStock(db: Database, key: { shopId: string; variantId: string; locationId: string }, safetyStock: number) {
  if (!Number.isSafeInteger(safetyStock) || safetyStock < 0) return err("invalid_quantity" as const, "safety stock must be a non-negative integer");
  // Safety stock is a policy, not stock: no movement, but available-to-sell changes, so sync.
  await db.transaction(async (tx) => {
    await tx
      .update(inventoryLevels)
      .set({ safetyStock, updatedAt: new Date() })
      .where(and(eq(inventoryLevels.shopId, key.shopId), eq(inventoryLevels.variantId, key.variantId), eq(inventoryLevels.locationId, key.locationId)));
    await scheduleStockSync(tx, key.shopId, [key.variantId]);
  });
  return ok(undefined);
}
