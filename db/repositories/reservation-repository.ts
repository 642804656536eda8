import { and, eq, sql } from "drizzle-orm";
import type { ReservationPlan } from "../../core/inventory/reservation-decision";
import { decideReservation } from "../../core/inventory/reservation-decision";
import type { FulfilmentLocation, ReservationLineRequest } from "../../core/inventory/reservation-strategy";
import type { Policies } from "../../core/config/default-policies";
import { defaultPolicies } from "../../core/config/default-policies";
import type { Tx } from "../client";
import { allocations } from "../schema";
import { lockLevels, recordMovements, scheduleStockSync, type LevelMovement } from "./stock-ledger-repository";

export interface ReserveLinesInput {
  shopId: string;
  orderId: string;
  lines: readonly ReservationLineRequest[];
  actor: string;
}

/**
 * Reserves an order's lines inside the caller's transaction: lock the candidate levels in id
 * order, let the core decide from what is locked, then write allocations, reserve movements
 * and balances. Concurrent orders serialise on the rows they share, so the last unit goes
 * to exactly one of them.
 */
export async function reserveOrderLines(
  tx: Tx,
  input: ReserveLinesInput,
  policies: Policies = defaultPolicies,
): Promise<ReservationPlan> {
  const variantIds = input.lines.map((line) => line.variantId);
  const levels = await lockLevels(tx, input.shopId, variantIds, { shippableOnly: true });
  const candidateLocations = fulfilmentLocationsOf(levels);
  const plan = decideReservation(
    input.lines,
    levels.map((level) => ({ ...level, levelId: level.id })),
    candidateLocations,
    policies.reservation,
  );

  const levelById = new Map(levels.map((level) => [level.id, level]));
  const rows: (typeof allocations.$inferInsert)[] = [];
  const movements: LevelMovement[] = [];
  for (const line of plan.lines) {
    for (const allocation of line.allocations) {
      const level = levelById.get(allocation.levelId)!;
      rows.push({
        shopId: input.shopId,
        orderId: input.orderId,
        orderLineId: line.lineId,
        variantId: level.variantId,
        locationId: level.locationId,
        quantity: allocation.quantity,
      });
      movements.push({
        level,
        movement: { kind: "reserve", quantity: allocation.quantity, cause: { type: "order_line", id: line.lineId }, actor: input.actor },
      });
    }
  }
  if (rows.length > 0) await tx.insert(allocations).values(rows);
  await recordMovements(tx, input.shopId, movements);
  return plan;
}

/**
 * The locations those levels are at. Daily capacity and workload are not applied here: they
 * are a routing decision taken after the stock is safely held (and counting today's load inside
 * every ingest would put one hot counter in every order's transaction).
 */
function fulfilmentLocationsOf(levels: readonly { locationId: string; locationPriority: number }[]): FulfilmentLocation[] {
  const byId = new Map<string, FulfilmentLocation>();
  for (const level of levels) {
    byId.set(level.locationId, { id: level.locationId, priority: level.locationPriority, canShip: true, active: true });
  }
  return [...byId.values()];
}

/**
 * Releases everything still reserved for an order (cancellation, manual release), with one
 * release movement per allocation so the ledger shows exactly what came back.
 */
export async function releaseOrderReservations(
  tx: Tx,
  input: { shopId: string; orderId: string; actor: string; reason: string },
): Promise<number> {
  const held = await tx
    .select()
    .from(allocations)
    .where(and(eq(allocations.orderId, input.orderId), eq(allocations.status, "reserved")))
    .for("update");
  if (held.length === 0) return 0;
  // Lock the levels in id order before touching them, as every other writer does.
  const levels = await lockLevels(tx, input.shopId, held.map((a) => a.variantId));
  const levelFor = new Map(levels.map((level) => [`${level.variantId}:${level.locationId}`, level]));
  const movements: LevelMovement[] = held.map((allocation) => ({
    level: levelFor.get(`${allocation.variantId}:${allocation.locationId}`)!,
    movement: {
      kind: "release",
      quantity: allocation.quantity,
      cause: { type: "order_line", id: allocation.orderLineId },
      actor: input.actor,
      reason: input.reason,
    },
  }));
  await recordMovements(tx, input.shopId, movements);
  // The released units are for sale again on every channel listing them.
  await scheduleStockSync(tx, input.shopId, [...new Set(held.map((a) => a.variantId))]);
  await tx
    .update(allocations)
    .set({ status: "released", updatedAt: sql`now()` })
    .where(and(eq(allocations.orderId, input.orderId), eq(allocations.status, "reserved")));
  return held.reduce((sum, allocation) => sum + allocation.quantity, 0);
}
