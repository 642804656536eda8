import { and, asc, eq, sql } from "drizzle-orm";
import type { RmaEvent } from "../../core/returns/rma-state-machine";
import type { Database, Tx } from "../client";
import { enqueueJob } from "../queue/job-queue";
import { orderLines, orders, returnLines, returns } from "../schema";
import { appendReturnEvents } from "./return-request-repository";

/**
 * What a person decides about a return in Switchyard reaches the order's channel: a decision on
 * a return the channel keeps (eBay's approve / decline) and every refund (eBay's issue_refund,
 * WooCommerce's order refund). The job is queued in the step's transaction (rule 4); it asks the
 * channel's module whether it has anything to do, so returns of channels without a returns
 * capability cost one no-op job.
 */

export const CHANNEL_RETURN_WRITE_EVENTS = ["approve", "decline", "refund"] as const;
export type ChannelReturnWriteEvent = (typeof CHANNEL_RETURN_WRITE_EVENTS)[number];

export function isChannelReturnWriteEvent(event: RmaEvent): event is ChannelReturnWriteEvent {
  return (CHANNEL_RETURN_WRITE_EVENTS as readonly string[]).includes(event);
}

export async function queueChannelReturnWrite(tx: Tx, shopId: string, returnId: string, event: RmaEvent): Promise<void> {
  if (!isChannelReturnWriteEvent(event)) return;
  await enqueueJob(tx, "returns/channel-write", { shopId, returnId, event }, { jobKey: `return-write:${returnId}:${event}` });
}

export interface ReturnForChannelWrite {
  id: string;
  shopId: string;
  rmaNumber: string;
  status: string;
  source: string;
  externalId: string | null;
  declineReason: string | null;
  currency: string;
  payoutMinor: number;
  orderChannel: string;
  orderExternalId: string;
  lines: { externalLineId: string; quantity: number; amountMinor: number; reason: string }[];
}

export async function loadReturnForChannelWrite(db: Database, shopId: string, returnId: string): Promise<ReturnForChannelWrite | null> {
  const [row] = await db
    .select({
      id: returns.id,
      shopId: returns.shopId,
      rmaNumber: returns.rmaNumber,
      status: returns.status,
      source: returns.source,
      externalId: returns.externalId,
      declineReason: returns.declineReason,
      currency: returns.currency,
      payoutMinor: returns.payoutMinor,
      orderChannel: orders.channel,
      orderExternalId: orders.externalId,
    })
    .from(returns)
    .innerJoin(orders, eq(orders.id, returns.orderId))
    .where(and(eq(returns.shopId, shopId), eq(returns.id, returnId)));
  if (!row) return null;
  const lines = await db
    .select({
      externalLineId: orderLines.externalLineId,
      quantity: returnLines.quantity,
      amountMinor: sql<number>`(${returnLines.unitNetMinor} * ${returnLines.quantity})::bigint`.mapWith(Number),
      reason: returnLines.reason,
    })
    .from(returnLines)
    .innerJoin(orderLines, eq(orderLines.id, returnLines.orderLineId))
    .where(eq(returnLines.returnId, row.id))
    .orderBy(asc(returnLines.id));
  return { ...row, lines };
}

/** The channel's answer, on the return's timeline; a refund made there keeps its reference. */
export async function recordChannelReturnWrite(
  db: Database,
  input: { shopId: string; returnId: string; event: ChannelReturnWriteEvent; ok: boolean; message: string; reference?: string },
): Promise<void> {
  await db.transaction(async (tx) => {
    if (input.ok && input.event === "refund" && input.reference) {
      await tx.update(returns).set({ refundReference: input.reference, updatedAt: sql`now()` }).where(and(eq(returns.shopId, input.shopId), eq(returns.id, input.returnId)));
    }
    await appendReturnEvents(tx, input.shopId, input.returnId, [
      { kind: input.ok ? "channel_write" : "channel_write_failed", message: input.message, actor: "system", data: { event: input.event, ...(input.reference ? { reference: input.reference } : {}) } },
    ]);
  });
}
