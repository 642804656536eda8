import { and, asc, eq, isNull, sql } from "drizzle-orm";
import type { RmaStatus } from "../../core/returns/rma-state-machine";
import type { Database, DbOrTx } from "../client";
import { locations, orderLines, orders, returnLines, returns, variants } from "../schema";
import { recordChannelWriteFailure, resolveChannelWriteExceptions } from "./channel-write-repository";
export { enqueueReturnChannelSync } from "./channel-write-repository";
import { appendTimeline } from "./order-timeline-repository";
import { appendReturnEvents } from "./return-request-repository";

/**
 * A return's mirror on its sales channel (ADR 0014): the job that keeps it in step is queued in
 * the same transaction as every RMA change (rule 4), on the order's channel queue so it runs
 * after the order's fulfillment confirmations; what the job learns is recorded here.
 */

export interface ReturnForChannelSync {
  id: string;
  shopId: string;
  rmaNumber: string;
  status: RmaStatus;
  resolution: "refund" | "store_credit" | "exchange";
  source: string;
  currency: string;
  payoutMinor: number;
  returnShippingFeeMinor: number;
  declineReason: string | null;
  trackingNumber: string | null;
  trackingUrl: string | null;
  labelUrl: string | null;
  channelReturnId: string | null;
  channelSyncState: string | null;
  channelRefundId: string | null;
  destinationExternalId: string | null;
  order: { id: string; channel: string; externalId: string; number: string };
  lines: {
    id: string;
    externalLineId: string;
    quantity: number;
    reason: string;
    note: string | null;
    disposition: string | null;
    exchangeVariantExternalId: string | null;
  }[];
}

export async function loadReturnForChannelSync(db: Database, shopId: string, returnId: string): Promise<ReturnForChannelSync | null> {
  const [row] = await db
    .select({
      id: returns.id,
      shopId: returns.shopId,
      rmaNumber: returns.rmaNumber,
      status: returns.status,
      resolution: returns.resolution,
      source: returns.source,
      currency: returns.currency,
      payoutMinor: returns.payoutMinor,
      returnShippingFeeMinor: returns.returnShippingFeeMinor,
      declineReason: returns.declineReason,
      trackingNumber: returns.trackingNumber,
      trackingUrl: returns.trackingUrl,
      labelUrl: returns.labelUrl,
      channelReturnId: returns.channelReturnId,
      channelSyncState: returns.channelSyncState,
      channelRefundId: returns.channelRefundId,
      destinationExternalId: locations.externalId,
      orderId: orders.id,
      channel: orders.channel,
      orderExternalId: orders.externalId,
      orderNumber: orders.number,
    })
    .from(returns)
    .innerJoin(orders, eq(orders.id, returns.orderId))
    .leftJoin(locations, eq(locations.id, returns.destinationLocationId))
    .where(and(eq(returns.shopId, shopId), eq(returns.id, returnId)));
  if (!row) return null;
  const exchangeVariants = sql<string | null>`(SELECT v.external_id FROM variants v WHERE v.id = ${returnLines.exchangeVariantId})`;
  const lines = await db
    .select({
      id: returnLines.id,
      externalLineId: orderLines.externalLineId,
      quantity: returnLines.quantity,
      reason: returnLines.reason,
      note: returnLines.customerNote,
      disposition: returnLines.disposition,
      exchangeVariantExternalId: exchangeVariants,
    })
    .from(returnLines)
    .innerJoin(orderLines, eq(orderLines.id, returnLines.orderLineId))
    .where(eq(returnLines.returnId, returnId))
    .orderBy(asc(returnLines.id));
  return {
    ...row,
    status: row.status as RmaStatus,
    resolution: row.resolution as ReturnForChannelSync["resolution"],
    order: { id: row.orderId, channel: row.channel, externalId: row.orderExternalId, number: row.orderNumber },
    lines,
  };
}

/**
 * Committed on its own before a return is placed on the channel (returnRequest and returnCreate
 * take no idempotency key): a run that finds `placing` looks for the placed return first.
 */
export async function markChannelReturnPlacing(db: Database, returnId: string): Promise<void> {
  await db.update(returns).set({ channelSyncState: "placing", channelSyncError: null }).where(eq(returns.id, returnId));
}

/**
 * Links the RMA with the channel's return. False when it is already linked to another one (the
 * channel holds two returns for one RMA: a person must look), true when linked or already so.
 */
export async function linkChannelReturn(db: DbOrTx, input: { returnId: string; channelReturnId: string }): Promise<boolean> {
  const updated = await db
    .update(returns)
    .set({ channelReturnId: input.channelReturnId })
    .where(and(eq(returns.id, input.returnId), sql`(${returns.channelReturnId} is null or ${returns.channelReturnId} = ${input.channelReturnId})`))
    .returning({ id: returns.id });
  return updated.length > 0;
}

/** One step done on the channel: a line on the return's timeline (and the order's). */
export async function recordChannelReturnStep(
  db: Database,
  input: { shopId: string; returnId: string; orderId: string; message: string; data?: Record<string, unknown>; state?: "unmirrorable" | "order_missing"; refundId?: string },
): Promise<void> {
  await db.transaction(async (tx) => {
    await tx
      .update(returns)
      .set({
        ...(input.state ? { channelSyncState: input.state } : {}),
        ...(input.refundId ? { channelRefundId: input.refundId } : {}),
        channelSyncError: null,
        updatedAt: sql`now()`,
      })
      .where(eq(returns.id, input.returnId));
    await appendReturnEvents(tx, input.shopId, input.returnId, [{ kind: "channel_sync", message: input.message, actor: "system:channel", data: input.data ?? {} }]);
    await appendTimeline(tx, input.shopId, input.orderId, [{ kind: "channel:sync_return:sent", message: input.message, data: { operation: "sync_return", returnId: input.returnId, ...input.data } }]);
  });
}

/** Nothing left to send: the return is in step with the channel, and an open failure for it is resolved. */
export async function recordChannelReturnInStep(
  db: Database,
  input: { shopId: string; returnId: string; orderId: string; state: "synced" | "unmirrorable" | "order_missing" },
): Promise<void> {
  await db.transaction(async (tx) => {
    await tx
      .update(returns)
      .set({ channelSyncState: input.state, channelSyncError: null, channelSyncedAt: sql`now()` })
      .where(eq(returns.id, input.returnId));
    await resolveChannelWriteExceptions(tx, input.shopId, input.orderId, "sync_return", undefined, input.returnId);
  });
}

/** The channel said no (or stayed away past the last retry): visible on the return, the order and the exceptions queue. */
export async function recordChannelReturnFailure(
  db: Database,
  input: { shopId: string; returnId: string; orderId: string; channel: string; reason: string; detail?: string; message: string; connectionId?: string },
): Promise<{ exceptionRaised: boolean }> {
  await db.transaction(async (tx) => {
    await tx
      .update(returns)
      .set({ channelSyncState: "failed", channelSyncError: input.detail ? `${input.reason}: ${input.detail}` : input.reason })
      .where(eq(returns.id, input.returnId));
    await appendReturnEvents(tx, input.shopId, input.returnId, [{ kind: "channel_sync_failed", message: input.message, actor: "system:channel", data: { reason: input.reason } }]);
  });
  return recordChannelWriteFailure(db, {
    shopId: input.shopId,
    orderId: input.orderId,
    operation: "sync_return",
    channel: input.channel,
    reason: input.reason,
    ...(input.detail ? { detail: input.detail } : {}),
    message: input.message,
    returnId: input.returnId,
    ...(input.connectionId ? { connectionId: input.connectionId } : {}),
  });
}

/** The channel takes no returns (no module declares it): nothing to show as pending. */
export async function clearChannelSyncState(db: Database, returnId: string): Promise<void> {
  await db.update(returns).set({ channelSyncState: null }).where(eq(returns.id, returnId));
}

/** RMAs already linked to channel returns of this order, so a reconciliation never adopts another RMA's return. */
export async function linkedChannelReturnIds(db: Database, orderId: string): Promise<Set<string>> {
  const rows = await db.select({ id: returns.channelReturnId }).from(returns).where(eq(returns.orderId, orderId));
  return new Set(rows.map((r) => r.id).filter((id): id is string => Boolean(id)));
}

/** For the webhook: our RMA whose placement this channel return is (same order and lines, not linked yet). */
export async function findUnlinkedReturnWithLines(
  db: DbOrTx,
  input: { shopId: string; orderId: string; lines: readonly { externalLineId: string; quantity: number }[] },
): Promise<string | null> {
  const candidates = await db
    .select({ id: returns.id })
    .from(returns)
    .where(and(eq(returns.shopId, input.shopId), eq(returns.orderId, input.orderId), isNull(returns.channelReturnId), sql`${returns.channelSyncState} in ('pending', 'placing')`))
    .orderBy(asc(returns.requestedAt))
    .for("update");
  const wanted = lineKey(input.lines);
  for (const candidate of candidates) {
    const lines = await db
      .select({ externalLineId: orderLines.externalLineId, quantity: returnLines.quantity })
      .from(returnLines)
      .innerJoin(orderLines, eq(orderLines.id, returnLines.orderLineId))
      .where(eq(returnLines.returnId, candidate.id));
    if (lineKey(lines) === wanted) return candidate.id;
  }
  return null;
}

/** Lines as a comparable key: quantities per order line, order-independent. */
export function lineKey(lines: readonly { externalLineId: string; quantity: number }[]): string {
  const sums = new Map<string, number>();
  for (const line of lines) sums.set(line.externalLineId, (sums.get(line.externalLineId) ?? 0) + line.quantity);
  return [...sums.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([id, q]) => `${id}=${q}`).join(",");
}

/** The variant of ours behind a channel variant id (exchange items of a return made on the channel). */
export async function variantByExternalId(db: DbOrTx, shopId: string, externalId: string): Promise<string | null> {
  const [row] = await db.select({ id: variants.id }).from(variants).where(and(eq(variants.shopId, shopId), eq(variants.externalId, externalId))).limit(1);
  return row?.id ?? null;
}
