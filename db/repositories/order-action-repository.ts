import { and, eq, sql } from "drizzle-orm";
import { transition, type OrderEvent } from "../../core/orders/order-state-machine";
import { orderStatusSchema, type OrderStatus } from "../../core/orders/order-status";
import type { Database } from "../client";
import { orders } from "../schema";
import { enqueueChannelCancellation } from "./channel-write-repository";
import { appendTimeline } from "./order-timeline-repository";
import { releaseOrderReservations } from "./reservation-repository";
import { cancelOrderShipments } from "./shipment-cancellation-repository";
import { topUpReservation } from "./reservation-top-up-repository";

/**
 * A merchant's action on orders from the admin (hold, release hold, cancel). Every change goes
 * through the order state machine and leaves a timeline entry naming who did it; a refused
 * transition changes nothing and comes back with the machine's reason.
 */

export const MERCHANT_ORDER_ACTIONS = ["hold", "release_hold", "cancel"] as const;
export type MerchantOrderAction = (typeof MERCHANT_ORDER_ACTIONS)[number];

export type MerchantOrderActionOutcome =
  | { orderId: string; number: string; ok: true; from: OrderStatus; to: OrderStatus }
  | { orderId: string; number: string | null; ok: false; reason: string };

const TIMELINE_WORDING: Record<MerchantOrderAction, string> = {
  hold: "Put on hold",
  release_hold: "Hold released",
  cancel: "Cancelled in Switchyard",
};

export async function applyMerchantOrderAction(
  db: Database,
  input: { shopId: string; orderId: string; action: MerchantOrderAction; actor: string; note?: string },
): Promise<MerchantOrderActionOutcome> {
  return db.transaction(async (tx) => {
    // The row lock serialises this with ingest updates and other admins acting on the same order.
    const [order] = await tx
      .select({ id: orders.id, number: orders.number, status: orders.status, channel: orders.channel })
      .from(orders)
      .where(and(eq(orders.shopId, input.shopId), eq(orders.id, input.orderId)))
      .for("update");
    if (!order) return { orderId: input.orderId, number: null, ok: false, reason: "order_not_found" };

    const parsedStatus = orderStatusSchema.safeParse(order.status);
    if (!parsedStatus.success) {
      return { orderId: order.id, number: order.number, ok: false, reason: `unknown_status:${order.status}` };
    }
    const from = parsedStatus.data;
    const event: OrderEvent = input.action;
    const outcome = transition(from, event);
    if (!outcome.ok) return { orderId: order.id, number: order.number, ok: false, reason: outcome.reason };

    let message = TIMELINE_WORDING[input.action];
    let finalStatus: OrderStatus = outcome.to;
    if (input.action === "cancel") {
      // Shipments are the order's rows: locked under the order, before allocations and levels.
      await cancelOrderShipments(tx, { shopId: input.shopId, orderId: order.id, actor: input.actor });
      const released = await releaseOrderReservations(tx, {
        shopId: input.shopId,
        orderId: order.id,
        actor: input.actor,
        reason: "cancelled by merchant",
      });
      message += `; released ${released} reserved unit${released === 1 ? "" : "s"}`;
    }
    await tx
      .update(orders)
      .set({
        status: outcome.to,
        updatedAt: sql`now()`,
        ...(input.action === "cancel" ? { cancelledAt: sql`now()` } : {}),
      })
      .where(eq(orders.id, order.id));
    await appendTimeline(tx, input.shopId, order.id, [
      {
        kind: input.action,
        message: input.note ? `${message}: ${input.note}` : message,
        actor: input.actor,
        data: { from, to: outcome.to, source: "admin" },
      },
    ]);
    if (input.action === "cancel") {
      // The merchant cancelled here, so the source channel has to hear it; the job commits with
      // the cancellation (rule 4). Cancellations the channel sent come through ingest instead and
      // never reach this function, so they are not echoed back.
      await enqueueChannelCancellation(tx, { shopId: input.shopId, orderId: order.id });
    }
    if (input.action === "release_hold") {
      // Released orders re-enter the reservation decision: stock may have moved while the order
      // was parked. What it already holds is kept; only missing units are reserved.
      const topUp = await topUpReservation(tx, { shopId: input.shopId, orderId: order.id, status: outcome.to, actor: input.actor });
      finalStatus = topUp.status;
    }
    return { orderId: order.id, number: order.number, ok: true, from, to: finalStatus };
  });
}
