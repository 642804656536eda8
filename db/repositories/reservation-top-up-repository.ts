import { and, eq, inArray, sql } from "drizzle-orm";
import type { Policies } from "../../core/config/default-policies";
import { transition } from "../../core/orders/order-state-machine";
import type { OrderStatus } from "../../core/orders/order-status";
import type { Tx } from "../client";
import { exceptions, orderLines, orders } from "../schema";
import { appendTimeline } from "./order-timeline-repository";
import { reserveOrderLines } from "./reservation-repository";
import { retireRoutingDecision, scheduleRouting } from "./routing-repository";
import { scheduleStockSync } from "./stock-ledger-repository";

export interface TopUpResult {
  status: OrderStatus;
  /** Units newly reserved by this call. */
  reserved: number;
  /** Units still missing afterwards. */
  shortfall: number;
}

/**
 * Re-runs the reservation decision for what an order still lacks: after a hold is released,
 * when stock arrives for a backorder, or when a merchant retries a partial-stock exception.
 * Units already held stay where they are; only the missing ones are reserved, and the order
 * moves to reserved or backordered through the state machine. Runs in the caller's
 * transaction, which must hold the order row lock.
 */
export async function topUpReservation(
  tx: Tx,
  input: { shopId: string; orderId: string; status: OrderStatus; actor: string },
  policies?: Policies,
): Promise<TopUpResult> {
  const lines = await tx
    .select({
      id: orderLines.id,
      variantId: orderLines.variantId,
      carriesStock: orderLines.carriesStock,
      // Units the channel fulfilled before Switchyard took the order are never held here.
      quantity: sql<number>`greatest(${orderLines.quantity} - ${orderLines.fulfilledQuantity}, 0)::int`,
      // Qualified by hand: drizzle leaves the select list of a one-table query unqualified, and a
      // bare "id" here would bind to allocations.id, counting nothing as held (double reservation).
      held: sql<number>`coalesce((
        SELECT sum(a.quantity) FROM allocations a
         WHERE a.order_line_id = ${orderLines}.id AND a.status IN ('reserved', 'shipped')), 0)::int`,
    })
    .from(orderLines)
    .where(eq(orderLines.orderId, input.orderId));
  const missing = lines
    .filter((line) => line.variantId !== null && line.carriesStock && line.held < line.quantity)
    .map((line) => ({ lineId: line.id, variantId: line.variantId!, quantity: line.quantity - line.held }));
  const plan = missing.length > 0 ? await reserveOrderLines(tx, { shopId: input.shopId, orderId: input.orderId, lines: missing, actor: input.actor }, policies) : undefined;
  const reserved = plan?.lines.reduce((sum, line) => sum + line.reserved, 0) ?? 0;
  // Unmatched lines wait for the merchant to map them; lines that hold no stock wait for nothing.
  const unknownUnits = lines.filter((line) => line.variantId === null && line.carriesStock).reduce((sum, line) => sum + line.quantity, 0);
  const shortfall = (plan?.lines.reduce((sum, line) => sum + line.shortfall, 0) ?? 0) + unknownUnits;

  const outcome = transition(input.status, shortfall === 0 ? "reserve_all" : "reserve_partial");
  const status = outcome.ok ? outcome.to : input.status;
  if (status !== input.status) {
    await tx.update(orders).set({ status, updatedAt: sql`now()` }).where(eq(orders.id, input.orderId));
  }
  // A backorder filled or a hold released: the now fully reserved order still needs a location.
  if (status === "reserved" && status !== input.status) {
    // Back from a hold or a backorder: whatever was decided before is decided again.
    await retireRoutingDecision(tx, input.orderId);
    await scheduleRouting(tx, input.shopId);
  }
  if (shortfall === 0) {
    // The shortfall the merchant was told about is gone.
    await tx
      .update(exceptions)
      .set({ status: "resolved", resolvedAt: sql`now()`, resolvedBy: input.actor })
      .where(and(eq(exceptions.orderId, input.orderId), eq(exceptions.status, "open"), inArray(exceptions.kind, ["partial_stock"])));
  }
  if (reserved > 0) {
    await scheduleStockSync(tx, input.shopId, [...new Set(missing.map((line) => line.variantId))]);
    await appendTimeline(tx, input.shopId, input.orderId, [
      {
        kind: "reservation",
        message: shortfall === 0 ? `Reserved the remaining ${reserved} unit${reserved === 1 ? "" : "s"}` : `Reserved ${reserved} more; ${shortfall} still short`,
        actor: input.actor,
        data: { reserved, shortfall },
      },
    ]);
  }
  return { status, reserved, shortfall };
}
