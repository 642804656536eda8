import { and, eq, sql } from "drizzle-orm";
import { err, ok, type Result } from "../../core/shared/result";
import type { Database, Tx } from "../client";
import { orderStatusSchema, type OrderStatus } from "../../core/orders/order-status";
import { exceptions, orders } from "../schema";
import type { ChannelWriteOperation } from "../../core/channels/channel-write-policy";
import { requeueChannelWrite } from "./channel-write-repository";
import { appendTimeline } from "./order-timeline-repository";
import { topUpReservation } from "./reservation-top-up-repository";
import { retireRoutingDecision, scheduleRouting } from "./routing-repository";
import { scheduleStockSync } from "./stock-ledger-repository";
import { requeueDelivery } from "./webhook-inbox-repository";

export type ExceptionActionRefusal = "exception_not_found" | "exception_not_open";

export interface ExceptionRecord {
  id: string;
  kind: string;
  orderId: string | null;
  retryCount: number;
}

/** What a retry set in motion, so the admin can say exactly what happened. */
export type RetryWork =
  | { kind: "stock_sync" }
  | { kind: "reservation"; reserved: number; shortfall: number; status: OrderStatus }
  | { kind: "order_not_reservable"; status: string }
  | { kind: "channel_write"; operation: ChannelWriteOperation }
  | { kind: "routing" }
  /** A delivery that could not be read or processed, back in the inbox to be processed again. */
  | { kind: "delivery"; requeued: boolean }
  | { kind: "none" };

export interface ExceptionRetry extends ExceptionRecord {
  work: RetryWork;
  /** True when the retry fixed the cause and the exception closed itself. */
  resolved: boolean;
}

/** Locks the shop's exception and checks it is still open: both actions start here. */
async function lockOpenException(tx: Tx, input: { shopId: string; exceptionId: string }) {
  const [current] = await tx
    .select({ id: exceptions.id, status: exceptions.status, kind: exceptions.kind, orderId: exceptions.orderId, deliveryId: exceptions.deliveryId, details: exceptions.details })
    .from(exceptions)
    .where(and(eq(exceptions.shopId, input.shopId), eq(exceptions.id, input.exceptionId)))
    .for("update");
  if (!current) return err("exception_not_found" as const);
  if (current.status !== "open") return err("exception_not_open" as const, `exception is ${current.status}`);
  return ok(current);
}

/** The merchant dealt with it: the exception leaves the open queue, with who and when. */
export async function resolveException(
  db: Database,
  input: { shopId: string; exceptionId: string; actor: string },
): Promise<Result<ExceptionRecord, ExceptionActionRefusal>> {
  return db.transaction(async (tx) => {
    const locked = await lockOpenException(tx, input);
    if (!locked.ok) return locked;
    const current = locked.value;
    const [updated] = await tx
      .update(exceptions)
      .set({ status: "resolved", resolvedAt: sql`now()`, resolvedBy: input.actor })
      .where(eq(exceptions.id, current.id))
      .returning({ id: exceptions.id, kind: exceptions.kind, orderId: exceptions.orderId, retryCount: exceptions.retryCount });
    if (current.orderId) {
      await appendTimeline(tx, input.shopId, current.orderId, [
        { kind: "exception_resolved", message: `Exception ${current.kind} resolved`, actor: input.actor, data: { exceptionId: current.id } },
      ]);
    }
    return ok(updated!);
  });
}

/**
 * Counts a retry on an open exception and re-runs the work that can fix it, in the same
 * transaction (rule 4): a partial-stock shortfall re-enters the reservation decision for its
 * order's missing units, and a failed stock push queues a shop-wide stock sync. The count stays
 * visible so a merchant can tell a stuck problem from a fresh one.
 */
export async function recordExceptionRetry(
  db: Database,
  input: { shopId: string; exceptionId: string; actor: string },
): Promise<Result<ExceptionRetry, ExceptionActionRefusal>> {
  return db.transaction(async (tx) => {
    const [peek] = await tx
      .select({ orderId: exceptions.orderId })
      .from(exceptions)
      .where(and(eq(exceptions.shopId, input.shopId), eq(exceptions.id, input.exceptionId)));
    if (!peek) return err("exception_not_found");
    // Order row first, then the exception: the same order as ingest and the reservation
    // top-up take their locks, so two retries on one order cannot deadlock.
    const [order] = peek.orderId
      ? await tx
          .select({ id: orders.id, status: orders.status })
          .from(orders)
          .where(and(eq(orders.shopId, input.shopId), eq(orders.id, peek.orderId)))
          .for("update")
      : [];
    const locked = await lockOpenException(tx, input);
    if (!locked.ok) return locked;
    const current = locked.value;
    const [updated] = await tx
      .update(exceptions)
      .set({ retryCount: sql`${exceptions.retryCount} + 1` })
      .where(eq(exceptions.id, current.id))
      .returning({ id: exceptions.id, kind: exceptions.kind, orderId: exceptions.orderId, retryCount: exceptions.retryCount });

    if (current.orderId) {
      await appendTimeline(tx, input.shopId, current.orderId, [
        {
          kind: "exception_retry",
          message: `Retry ${updated!.retryCount} requested for ${current.kind}`,
          actor: input.actor,
          data: { exceptionId: current.id },
        },
      ]);
    }

    let work: RetryWork = { kind: "none" };
    if (current.kind === "sync_failed") {
      await scheduleStockSync(tx, input.shopId, undefined, { delayMs: 0 });
      work = { kind: "stock_sync" };
    } else if (current.kind === "channel_write_failed" && order) {
      // The job resolves the exception itself when the channel accepts the write.
      const operation = await requeueChannelWrite(tx, { shopId: input.shopId, orderId: order.id, details: current.details });
      if (operation) work = { kind: "channel_write", operation };
    } else if (current.kind === "unroutable" && order) {
      // Routing runs again from scratch; if it still cannot route, it raises a fresh exception.
      await retireRoutingDecision(tx, order.id);
      await scheduleRouting(tx, input.shopId, 0);
      await tx.update(exceptions).set({ status: "resolved", resolvedAt: sql`now()`, resolvedBy: input.actor }).where(eq(exceptions.id, current.id));
      work = { kind: "routing" };
    } else if (current.kind === "invalid_payload" && current.deliveryId !== null) {
      // The raw body is still on the delivery: after a fix (a mapper, a mapping the merchant
      // made) the intake processes it again; a fresh exception is raised if it still fails.
      const requeued = await requeueDelivery(tx, current.deliveryId);
      if (requeued) await tx.update(exceptions).set({ status: "resolved", resolvedAt: sql`now()`, resolvedBy: input.actor }).where(eq(exceptions.id, current.id));
      work = { kind: "delivery", requeued };
    } else if (current.kind === "partial_stock" && order) {
      const status = orderStatusSchema.safeParse(order.status);
      if (status.success && RESERVABLE_STATUSES.includes(status.data)) {
        const topUp = await topUpReservation(tx, { shopId: input.shopId, orderId: order.id, status: status.data, actor: input.actor });
        work = { kind: "reservation", reserved: topUp.reserved, shortfall: topUp.shortfall, status: topUp.status };
      } else {
        work = { kind: "order_not_reservable", status: order.status };
      }
    }
    const [after] = await tx
      .select({ status: exceptions.status })
      .from(exceptions)
      .where(eq(exceptions.id, current.id));
    return ok({ ...updated!, work, resolved: after?.status === "resolved" });
  });
}

/** Only orders waiting for stock re-enter the reservation decision; held or shipped ones do not. */
const RESERVABLE_STATUSES: readonly OrderStatus[] = ["received", "backordered"];
