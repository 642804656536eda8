import { and, eq, sql } from "drizzle-orm";
import { transition } from "../../core/orders/order-state-machine";
import { orderStatusSchema } from "../../core/orders/order-status";
import type { Database } from "../client";
import { allocations, orders, routingDecisions } from "../schema";
import { appendTimeline } from "./order-timeline-repository";
import { lockLevels, recordMovements, scheduleStockSync, type LevelMovement } from "./stock-ledger-repository";

/**
 * The store's side of a pickup or curbside order: it has picked the order (ready for pickup),
 * then the customer collects it (picked up). The handover is the order's shipment, so the
 * reserved units leave the ledger with `ship` movements then.
 */
export type PickupStep = "ready_for_pickup" | "pick_up";

export async function advancePickup(
  db: Database,
  input: { shopId: string; orderId: string; step: PickupStep; actor: string },
): Promise<{ ok: true } | { ok: false; reason: string }> {
  return db.transaction(async (tx) => {
    const [order] = await tx
      .select({ id: orders.id, status: orders.status })
      .from(orders)
      .where(and(eq(orders.shopId, input.shopId), eq(orders.id, input.orderId)))
      .for("update");
    if (!order) return { ok: false, reason: "order_not_found" };
    const [decision] = await tx
      .select({ method: routingDecisions.method, shipments: routingDecisions.shipments })
      .from(routingDecisions)
      .where(and(eq(routingDecisions.orderId, order.id), eq(routingDecisions.current, true)));
    if (!decision || decision.method === "ship") return { ok: false, reason: "not_a_pickup_order" };
    const outcome = transition(orderStatusSchema.parse(order.status), input.step);
    if (!outcome.ok) return { ok: false, reason: outcome.reason };

    let units = 0;
    if (input.step === "pick_up") {
      const held = await tx
        .select()
        .from(allocations)
        .where(and(eq(allocations.orderId, order.id), eq(allocations.status, "reserved")))
        .for("update");
      const levels = await lockLevels(tx, input.shopId, held.map((a) => a.variantId));
      const levelAt = new Map(levels.map((l) => [`${l.variantId}|${l.locationId}`, l]));
      const movements: LevelMovement[] = held.map((a) => ({
        level: levelAt.get(`${a.variantId}|${a.locationId}`)!,
        movement: { kind: "ship", quantity: a.quantity, cause: { type: "order_line", id: a.orderLineId }, actor: input.actor, reason: "collected in store" },
      }));
      await recordMovements(tx, input.shopId, movements);
      await tx
        .update(allocations)
        .set({ status: "shipped", updatedAt: sql`now()` })
        .where(and(eq(allocations.orderId, order.id), eq(allocations.status, "reserved")));
      units = held.reduce((sum, a) => sum + a.quantity, 0);
      if (units > 0) await scheduleStockSync(tx, input.shopId, [...new Set(held.map((a) => a.variantId))]);
    }
    await tx.update(orders).set({ status: outcome.to, updatedAt: sql`now()` }).where(eq(orders.id, order.id));
    const store = decision.shipments[0]?.locationName ?? "the store";
    await appendTimeline(tx, input.shopId, order.id, [
      {
        kind: input.step,
        message: input.step === "ready_for_pickup" ? `Ready for pickup at ${store}` : `Picked up at ${store}; ${units} unit${units === 1 ? "" : "s"} handed over`,
        actor: input.actor,
        data: { from: order.status, to: outcome.to },
      },
    ]);
    return { ok: true };
  });
}
