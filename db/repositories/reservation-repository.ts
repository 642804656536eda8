import { and, eq, sql } from "drizzle-orm";
import type { ReservationPlan } from "../../core/inventory/reservation-decision";
import { decideReservation } from "../../core/inventory/reservation-decision";
import { decideInPlacementOrder, type PlacedOrderRequest } from "../../core/inventory/placement-order-reservation";
import type { FulfilmentLocation, ReservationLineRequest } from "../../core/inventory/reservation-strategy";
import type { Policies } from "../../core/config/default-policies";
import { defaultPolicies } from "../../core/config/default-policies";
import type { Tx } from "../client";
import { insertJsonRows } from "../json-rows-insert";
import { allocations } from "../schema";
import { lockLevels, recordMovements, scheduleStockSync, type LevelMovement, type LockedLevel } from "./stock-ledger-repository";
import { timeOrderedId } from "../time-ordered-id";
import { statementsTogether } from "../statements-together";

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
  const plans = await reserveOrdersInPlacementOrder(
    tx,
    input.shopId,
    [{ key: input.orderId, orderId: input.orderId, placedAt: new Date(0), sequence: 0, lines: input.lines, actor: input.actor }],
    policies,
  );
  return plans.get(input.orderId) ?? decideReservation([], [], [], policies.reservation);
}

export interface PlacedOrderReservation extends PlacedOrderRequest {
  orderId: string;
  actor: string;
}

/**
 * Reserves many orders of one shop at once: every candidate level of all their variants is
 * locked in one statement (id order), the core decides the orders one after another in
 * placement order against the balances in memory (decideInPlacementOrder), and the allocations,
 * reserve movements and balances of the whole batch are written in three statements.
 */
export async function reserveOrdersInPlacementOrder(
  tx: Tx,
  shopId: string,
  requests: readonly PlacedOrderReservation[],
  policies: Policies = defaultPolicies,
): Promise<Map<string, ReservationPlan>> {
  const planned = await planOrdersInPlacementOrder(tx, shopId, requests, policies);
  await writeReservationPlans(tx, shopId, requests, planned);
  return planned.plans;
}

export interface PlannedReservations {
  plans: Map<string, ReservationPlan>;
  levels: readonly LockedLevel[];
}

/**
 * The deciding half of reserveOrdersInPlacementOrder: locks every candidate level (id order) and
 * lets the core decide the orders in placement order, writing nothing. A caller that needs the
 * outcome before it writes its own rows (intake stores each new order with its final status)
 * writes the plans afterwards with writeReservationPlans, in the same transaction.
 */
export async function planOrdersInPlacementOrder(
  tx: Tx,
  shopId: string,
  requests: readonly PlacedOrderReservation[],
  policies: Policies = defaultPolicies,
): Promise<PlannedReservations> {
  const withLines = requests.filter((request) => request.lines.length > 0);
  if (withLines.length === 0) return { plans: new Map(), levels: [] };
  const levels = await lockLevels(tx, shopId, withLines.flatMap((request) => request.lines.map((line) => line.variantId)), { shippableOnly: true });
  const plans = decideInPlacementOrder(
    withLines,
    levels.map((level) => ({ ...level, levelId: level.id })),
    fulfilmentLocationsOf(levels),
    policies.reservation,
  );
  return { plans, levels };
}

/** The writing half: allocations, reserve movements and balances of the plans, in three statements. */
export async function writeReservationPlans(tx: Tx, shopId: string, requests: readonly PlacedOrderReservation[], planned: PlannedReservations): Promise<void> {
  const levelById = new Map(planned.levels.map((level) => [level.id, level]));
  const rows: (typeof allocations.$inferInsert)[] = [];
  const movements: LevelMovement[] = [];
  for (const request of requests) {
    const plan = planned.plans.get(request.key);
    for (const line of plan?.lines ?? []) {
      for (const allocation of line.allocations) {
        const level = levelById.get(allocation.levelId)!;
        rows.push({ id: timeOrderedId(), shopId, orderId: request.orderId, orderLineId: line.lineId, variantId: level.variantId, locationId: level.locationId, quantity: allocation.quantity });
        movements.push({
          level,
          movement: { kind: "reserve", quantity: allocation.quantity, cause: { type: "order_line", id: line.lineId }, actor: request.actor },
        });
      }
    }
  }
  await statementsTogether([insertJsonRows(tx, allocations, rows), recordMovements(tx, shopId, movements)]);
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
