import { and, eq, inArray, sql } from "drizzle-orm";
import { transition } from "../../core/orders/order-state-machine";
import type { OrderStatus } from "../../core/orders/order-status";
import { err, ok, type Result } from "../../core/shared/result";
import type { Database } from "../client";
import { allocations, orders, shipments } from "../schema";
import { enqueueFulfillmentConfirmation } from "./channel-write-repository";
import { appendTimeline } from "./order-timeline-repository";
import { lockLevels, recordMovements, scheduleStockSync, type LevelMovement } from "./stock-ledger-repository";

export interface ShipmentDetails {
  carrier: string;
  service: string;
  trackingNumber: string;
  trackingUrl?: string;
  rateMinor?: number;
  shippedAt?: Date;
}

export type ShipRefusal = "order_not_found" | "nothing_reserved" | string;

/**
 * Ships everything reserved for an order: one shipment per location (split shipments each get
 * their own tracking), ship movements that take the units out of on hand and reserved together,
 * and the order moved through allocate -> ship_all by the state machine. Unless told otherwise,
 * each shipment queues its confirmation to the order's source channel in the same transaction.
 */
export async function shipReservedOrder(
  db: Database,
  input: {
    shopId: string;
    orderId: string;
    actor: string;
    shipment: (locationId: string) => ShipmentDetails;
    /** False for shipments the channel already knows about (historical orders in the demo seed). */
    confirmOnChannel?: boolean;
  },
): Promise<Result<{ shipmentIds: string[] }, ShipRefusal>> {
  return db.transaction(async (tx) => {
    const [order] = await tx
      .select({ id: orders.id, status: orders.status, currency: orders.currency })
      .from(orders)
      .where(and(eq(orders.id, input.orderId), eq(orders.shopId, input.shopId)))
      .for("update");
    if (!order) return err("order_not_found");
    let status = order.status as OrderStatus;
    if (status !== "allocated" && status !== "partially_shipped") {
      // Through allocate even when it cannot work: its refusal names the cause (not fully
      // reserved, cancelled...) better than ship_all's generic "not allocated".
      const allocated = transition(status, "allocate");
      if (!allocated.ok) return err(allocated.reason);
      status = allocated.to;
    }
    const shipped = transition(status, "ship_all", { unshippedUnitsAfter: 0 });
    if (!shipped.ok) return err(shipped.reason, shipped.detail);

    const held = await tx
      .select()
      .from(allocations)
      .where(and(eq(allocations.orderId, order.id), eq(allocations.status, "reserved")))
      .for("update");
    if (held.length === 0) return err("nothing_reserved");
    // Units already on a planned shipment (labels bought or being bought) ship with that
    // shipment; a second, manual one would strand its label.
    if (held.some((a) => a.shipmentId !== null)) return err("shipments_planned", "labels are bought for this order; ship its shipments instead");
    const levels = await lockLevels(tx, input.shopId, held.map((a) => a.variantId));
    const levelFor = new Map(levels.map((level) => [`${level.variantId}:${level.locationId}`, level]));

    const shipmentIds: string[] = [];
    for (const locationId of [...new Set(held.map((a) => a.locationId))]) {
      const details = input.shipment(locationId);
      const shippedAt = details.shippedAt ?? new Date();
      const [shipment] = await tx
        .insert(shipments)
        .values({
          shopId: input.shopId,
          orderId: order.id,
          locationId,
          status: "shipped",
          carrier: details.carrier,
          service: details.service,
          trackingNumber: details.trackingNumber,
          trackingUrl: details.trackingUrl ?? null,
          rateMinor: details.rateMinor ?? null,
          currency: order.currency,
          createdAt: shippedAt,
          shippedAt,
        })
        .returning({ id: shipments.id });
      shipmentIds.push(shipment!.id);
      if (input.confirmOnChannel ?? true) {
        await enqueueFulfillmentConfirmation(tx, { shopId: input.shopId, orderId: order.id, shipmentId: shipment!.id });
      }
      const here = held.filter((a) => a.locationId === locationId);
      await tx
        .update(allocations)
        .set({ status: "shipped", shipmentId: shipment!.id, updatedAt: sql`now()` })
        .where(inArray(allocations.id, here.map((a) => a.id)));
      const movements: LevelMovement[] = here.map((a) => ({
        level: levelFor.get(`${a.variantId}:${a.locationId}`)!,
        movement: { kind: "ship", quantity: a.quantity, cause: { type: "order_line", id: a.orderLineId }, actor: input.actor },
      }));
      await recordMovements(tx, input.shopId, movements);
      await appendTimeline(tx, input.shopId, order.id, [
        {
          kind: "shipped",
          message: `Shipped ${here.reduce((s, a) => s + a.quantity, 0)} units with ${details.carrier} ${details.trackingNumber}`,
          data: { shipmentId: shipment!.id, locationId },
          actor: input.actor,
        },
      ]);
    }
    await tx.update(orders).set({ status: shipped.to, updatedAt: sql`now()` }).where(eq(orders.id, order.id));
    await scheduleStockSync(tx, input.shopId, [...new Set(held.map((a) => a.variantId))]);
    return ok({ shipmentIds });
  });
}
