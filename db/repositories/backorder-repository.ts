import { and, asc, eq, sql } from "drizzle-orm";
import type { Policies } from "../../core/config/default-policies";
import type { OrderStatus } from "../../core/orders/order-status";
import type { Database } from "../client";
import { orders } from "../schema";
import { topUpReservation } from "./reservation-top-up-repository";

export interface BackorderFillSummary {
  examined: number;
  filled: number;
  improved: number;
  /** True when more candidates remain than one run takes; the caller runs again. */
  more: boolean;
}

/**
 * Offers stock that became available to backordered orders, oldest first (first come, first
 * served across channels). Only orders missing a variant that has reservable stock now are
 * looked at; each is topped up in its own transaction under its row lock, so a merchant or an
 * ingest acting on the same order at the same time is simply waited for.
 */
export async function fillBackorders(
  db: Database,
  shopId: string,
  options: { limit?: number; actor?: string; policies?: Policies } = {},
): Promise<BackorderFillSummary> {
  const limit = options.limit ?? 200;
  const candidates = await db
    .select({ id: orders.id })
    .from(orders)
    .where(
      and(
        eq(orders.shopId, shopId),
        eq(orders.status, "backordered"),
        sql`EXISTS (
          SELECT 1 FROM order_lines ol
            JOIN inventory_levels l ON l.variant_id = ol.variant_id
            JOIN locations loc ON loc.id = l.location_id AND loc.active AND loc.can_ship
           WHERE ol.order_id = ${orders.id}
             AND l.on_hand - l.reserved - l.safety_stock > 0
             AND ol.quantity > coalesce((SELECT sum(a.quantity) FROM allocations a
                                          WHERE a.order_line_id = ol.id AND a.status IN ('reserved', 'shipped')), 0))`,
      ),
    )
    .orderBy(asc(orders.placedAt), asc(orders.id))
    .limit(limit + 1);

  let filled = 0;
  let improved = 0;
  for (const candidate of candidates.slice(0, limit)) {
    const result = await db.transaction(async (tx) => {
      const [order] = await tx
        .select({ status: orders.status })
        .from(orders)
        .where(eq(orders.id, candidate.id))
        .for("update");
      // Someone else moved it (cancelled, held, already filled) while we were getting here.
      if (!order || order.status !== "backordered") return undefined;
      return topUpReservation(
        tx,
        { shopId, orderId: candidate.id, status: order.status as OrderStatus, actor: options.actor ?? "system:backorder-fill" },
        options.policies,
      );
    });
    if (result?.shortfall === 0) filled++;
    else if (result && result.reserved > 0) improved++;
  }
  return { examined: Math.min(candidates.length, limit), filled, improved, more: candidates.length > limit };
}
