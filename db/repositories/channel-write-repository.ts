import { and, asc, eq, isNotNull, ne, sql } from "drizzle-orm";
import type { ChannelWriteOperation } from "../../core/channels/channel-write-policy";
import type { ChannelConnectionRecord } from "../../core/ports/channel-module-port";
import { enqueueJob } from "../queue/job-queue";
import type { Database, DbOrTx } from "../client";
import { allocations, channelConnections, exceptions, locations, orderLines, orders, returns, shipments, shops } from "../schema";
import { appendTimeline } from "./order-timeline-repository";

/**
 * Writing an order's outcome back to its source channel: the jobs that carry it (queued in the
 * caller's transaction, rule 4), what the jobs read, and how their answers are recorded.
 */

/** Retries with graphile-worker's exponential backoff reach about 20 minutes before giving up. */
export const CHANNEL_WRITE_MAX_ATTEMPTS = 8;

/**
 * One queue per order: its cancellation and every parcel's confirmation run one after another,
 * so a confirmation always sees the fulfillment ids its siblings already recorded.
 */
function orderQueue(orderId: string): string {
  return `channel-order:${orderId}`;
}

export async function enqueueChannelCancellation(tx: DbOrTx, input: { shopId: string; orderId: string }): Promise<void> {
  await enqueueJob(tx, "channels/cancel-order", input, {
    jobKey: `channels/cancel-order:${input.orderId}`,
    queueName: orderQueue(input.orderId),
    maxAttempts: CHANNEL_WRITE_MAX_ATTEMPTS,
  });
}

export async function enqueueFulfillmentConfirmation(
  tx: DbOrTx,
  input: { shopId: string; orderId: string; shipmentId: string },
): Promise<void> {
  await enqueueJob(
    tx,
    "channels/confirm-fulfillment",
    { shopId: input.shopId, shipmentId: input.shipmentId },
    { jobKey: `channels/confirm-fulfillment:${input.shipmentId}`, queueName: orderQueue(input.orderId), maxAttempts: CHANNEL_WRITE_MAX_ATTEMPTS },
  );
}

/**
 * A return's sync with its channel (returns/sync-channel), queued with every RMA change. It
 * shares the order's queue, so it runs after the order's fulfillment confirmations: a return
 * can only be placed on the channel for units the channel knows were fulfilled.
 */
export async function enqueueReturnChannelSync(tx: DbOrTx, input: { shopId: string; orderId: string; returnId: string }): Promise<void> {
  // A placement in flight keeps its state: the next run must reconcile it before placing again.
  await tx
    .update(returns)
    .set({ channelSyncState: sql`case when ${returns.channelSyncState} in ('placing', 'unmirrorable', 'order_missing') then ${returns.channelSyncState} else 'pending' end` })
    .where(eq(returns.id, input.returnId));
  await enqueueJob(
    tx,
    "returns/sync-channel",
    { shopId: input.shopId, returnId: input.returnId },
    { jobKey: `returns/sync-channel:${input.returnId}`, queueName: orderQueue(input.orderId), maxAttempts: CHANNEL_WRITE_MAX_ATTEMPTS },
  );
}

export interface OrderForChannelWrite {
  id: string;
  shopId: string;
  channel: string;
  externalId: string;
  number: string;
  status: string;
}

export async function loadOrderForChannelWrite(db: Database, shopId: string, orderId: string): Promise<OrderForChannelWrite | null> {
  const [order] = await db
    .select({ id: orders.id, shopId: orders.shopId, channel: orders.channel, externalId: orders.externalId, number: orders.number, status: orders.status })
    .from(orders)
    .where(and(eq(orders.shopId, shopId), eq(orders.id, orderId)));
  return order ?? null;
}

export interface ShipmentForChannelWrite {
  id: string;
  order: OrderForChannelWrite;
  carrier: string | null;
  trackingNumber: string | null;
  trackingUrl: string | null;
  shippedAt: Date | null;
  channelConfirmedAt: Date | null;
  /** The channel's id for the location the parcel left from (Shopify Location GID), if mirrored. */
  locationExternalId: string | null;
  /** The order lines in this parcel, by the channel's line id. */
  lines: { externalLineId: string; quantity: number }[];
  /** Fulfillment ids already recorded for the order's other parcels. */
  siblingFulfillmentIds: string[];
}

export async function loadShipmentForChannelWrite(db: Database, shopId: string, shipmentId: string): Promise<ShipmentForChannelWrite | null> {
  const [row] = await db
    .select({
      id: shipments.id,
      orderId: shipments.orderId,
      carrier: shipments.carrier,
      trackingNumber: shipments.trackingNumber,
      trackingUrl: shipments.trackingUrl,
      shippedAt: shipments.shippedAt,
      channelConfirmedAt: shipments.channelConfirmedAt,
      locationExternalId: locations.externalId,
    })
    .from(shipments)
    .innerJoin(locations, eq(locations.id, shipments.locationId))
    .where(and(eq(shipments.shopId, shopId), eq(shipments.id, shipmentId)));
  if (!row) return null;
  const order = await loadOrderForChannelWrite(db, shopId, row.orderId);
  if (!order) return null;
  const lines = await db
    .select({ externalLineId: orderLines.externalLineId, quantity: sql<number>`sum(${allocations.quantity})::int` })
    .from(allocations)
    .innerJoin(orderLines, eq(orderLines.id, allocations.orderLineId))
    .where(eq(allocations.shipmentId, shipmentId))
    .groupBy(orderLines.externalLineId)
    .orderBy(asc(orderLines.externalLineId));
  const siblings = await db
    .select({ fulfillmentId: shipments.channelFulfillmentId })
    .from(shipments)
    .where(and(eq(shipments.orderId, order.id), ne(shipments.id, shipmentId), isNotNull(shipments.channelFulfillmentId)));
  return {
    id: row.id,
    order,
    carrier: row.carrier,
    trackingNumber: row.trackingNumber,
    trackingUrl: row.trackingUrl,
    shippedAt: row.shippedAt,
    channelConfirmedAt: row.channelConfirmedAt,
    locationExternalId: row.locationExternalId,
    lines,
    siblingFulfillmentIds: siblings.map((s) => s.fulfillmentId!),
  };
}

/** The shop's connected connection for a channel; the oldest when a shop has several. */
export async function findConnectedConnection(db: Database, shopId: string, channel: string): Promise<ChannelConnectionRecord | null> {
  const [row] = await db
    .select({
      id: channelConnections.id,
      channel: channelConnections.channel,
      name: channelConnections.name,
      shopDomain: shops.domain,
      credentialsEncrypted: channelConnections.credentialsEncrypted,
      settings: channelConnections.settings,
    })
    .from(channelConnections)
    .innerJoin(shops, eq(shops.id, channelConnections.shopId))
    .where(and(eq(channelConnections.shopId, shopId), eq(channelConnections.channel, channel), eq(channelConnections.status, "connected")))
    .orderBy(asc(channelConnections.createdAt), asc(channelConnections.id))
    .limit(1);
  return row ?? null;
}

/** A note on the order's timeline only (the write was not attempted, and nothing is wrong). */
export async function recordChannelWriteNote(
  db: Database,
  input: { shopId: string; orderId: string; operation: ChannelWriteOperation; message: string; shipmentId?: string },
): Promise<void> {
  await appendTimeline(db, input.shopId, input.orderId, [
    {
      kind: `channel:${input.operation}:skipped`,
      message: input.message,
      data: { operation: input.operation, ...(input.shipmentId ? { shipmentId: input.shipmentId } : {}) },
    },
  ]);
}

export async function recordCancellationSent(
  db: Database,
  input: { shopId: string; orderId: string; message: string; alreadyCancelled: boolean; connectionId: string },
): Promise<void> {
  await db.transaction(async (tx) => {
    await appendTimeline(tx, input.shopId, input.orderId, [
      {
        kind: "channel:cancel_order:sent",
        message: input.message,
        data: { operation: "cancel_order", alreadyCancelled: input.alreadyCancelled, connectionId: input.connectionId },
      },
    ]);
    await resolveChannelWriteExceptions(tx, input.shopId, input.orderId, "cancel_order");
  });
}

export async function recordFulfillmentConfirmed(
  db: Database,
  input: { shopId: string; orderId: string; shipmentId: string; externalFulfillmentId: string; message: string; alreadyConfirmed: boolean; connectionId: string },
): Promise<void> {
  await db.transaction(async (tx) => {
    await tx
      .update(shipments)
      .set({ channelFulfillmentId: input.externalFulfillmentId, channelConfirmedAt: sql`now()`, channelError: null })
      .where(eq(shipments.id, input.shipmentId));
    await appendTimeline(tx, input.shopId, input.orderId, [
      {
        kind: "channel:confirm_fulfillment:sent",
        message: input.message,
        data: {
          operation: "confirm_fulfillment",
          shipmentId: input.shipmentId,
          externalFulfillmentId: input.externalFulfillmentId,
          alreadyConfirmed: input.alreadyConfirmed,
          connectionId: input.connectionId,
        },
      },
    ]);
    await resolveChannelWriteExceptions(tx, input.shopId, input.orderId, "confirm_fulfillment", input.shipmentId);
  });
}

/**
 * The channel refused (or could not be reached for the last time): the merchant sees one open
 * exception per order and operation (per parcel for fulfillments), however often the job ran,
 * plus a timeline entry, and the shipment keeps the reason.
 */
export async function recordChannelWriteFailure(
  db: Database,
  input: {
    shopId: string;
    orderId: string;
    operation: ChannelWriteOperation;
    channel: string;
    reason: string;
    detail?: string;
    message: string;
    shipmentId?: string;
    /** A return's channel sync: one open exception per return. */
    returnId?: string;
    connectionId?: string;
  },
): Promise<{ exceptionRaised: boolean }> {
  return db.transaction(async (tx) => {
    // The order row lock serialises two runs deciding whether an exception is already open.
    await tx.select({ id: orders.id }).from(orders).where(eq(orders.id, input.orderId)).for("update");
    const problem = input.detail ? `${input.reason}: ${input.detail}` : input.reason;
    if (input.shipmentId) {
      await tx.update(shipments).set({ channelError: problem }).where(eq(shipments.id, input.shipmentId));
    }
    await appendTimeline(tx, input.shopId, input.orderId, [
      {
        kind: `channel:${input.operation}:failed`,
        message: input.message,
        data: { operation: input.operation, reason: input.reason, ...(input.shipmentId ? { shipmentId: input.shipmentId } : {}), ...(input.returnId ? { returnId: input.returnId } : {}) },
      },
    ]);
    const open = await tx
      .select({ id: exceptions.id })
      .from(exceptions)
      .where(
        and(
          eq(exceptions.shopId, input.shopId),
          eq(exceptions.orderId, input.orderId),
          eq(exceptions.kind, "channel_write_failed"),
          eq(exceptions.status, "open"),
          sql`${exceptions.details}->>'operation' = ${input.operation}`,
          input.shipmentId ? sql`${exceptions.details}->>'shipmentId' = ${input.shipmentId}` : sql`true`,
          input.returnId ? sql`${exceptions.details}->>'returnId' = ${input.returnId}` : sql`true`,
        ),
      )
      .limit(1);
    if (open.length > 0) return { exceptionRaised: false };
    await tx.insert(exceptions).values({
      shopId: input.shopId,
      orderId: input.orderId,
      kind: "channel_write_failed",
      message: input.message,
      details: {
        operation: input.operation,
        channel: input.channel,
        reason: input.reason,
        ...(input.detail ? { detail: input.detail } : {}),
        ...(input.shipmentId ? { shipmentId: input.shipmentId } : {}),
        ...(input.returnId ? { returnId: input.returnId } : {}),
        ...(input.connectionId ? { connectionId: input.connectionId } : {}),
      },
    });
    return { exceptionRaised: true };
  });
}

/** The write went through: its open exception (per parcel, or per return) is resolved. */
export async function resolveChannelWriteExceptions(
  tx: DbOrTx,
  shopId: string,
  orderId: string,
  operation: ChannelWriteOperation,
  shipmentId?: string,
  returnId?: string,
): Promise<void> {
  await tx
    .update(exceptions)
    .set({ status: "resolved", resolvedAt: sql`now()`, resolvedBy: "system:channel-write" })
    .where(
      and(
        eq(exceptions.shopId, shopId),
        eq(exceptions.orderId, orderId),
        eq(exceptions.kind, "channel_write_failed"),
        eq(exceptions.status, "open"),
        sql`${exceptions.details}->>'operation' = ${operation}`,
        shipmentId ? sql`${exceptions.details}->>'shipmentId' = ${shipmentId}` : sql`true`,
        returnId ? sql`${exceptions.details}->>'returnId' = ${returnId}` : sql`true`,
      ),
    );
}

/** Queues the write again for an open channel_write_failed exception (the merchant's Retry). */
export async function requeueChannelWrite(
  tx: DbOrTx,
  input: { shopId: string; orderId: string; details: Record<string, unknown> },
): Promise<ChannelWriteOperation | null> {
  if (input.details.operation === "cancel_order") {
    await enqueueChannelCancellation(tx, { shopId: input.shopId, orderId: input.orderId });
    return "cancel_order";
  }
  if (input.details.operation === "confirm_fulfillment" && typeof input.details.shipmentId === "string") {
    const [shipment] = await tx
      .select({ id: shipments.id })
      .from(shipments)
      .where(and(eq(shipments.shopId, input.shopId), eq(shipments.id, input.details.shipmentId)));
    if (!shipment) return null;
    await enqueueFulfillmentConfirmation(tx, { shopId: input.shopId, orderId: input.orderId, shipmentId: shipment.id });
    return "confirm_fulfillment";
  }
  if (input.details.operation === "sync_return" && typeof input.details.returnId === "string") {
    const [rma] = await tx
      .select({ id: returns.id })
      .from(returns)
      .where(and(eq(returns.shopId, input.shopId), eq(returns.id, input.details.returnId)));
    if (!rma) return null;
    await enqueueReturnChannelSync(tx, { shopId: input.shopId, orderId: input.orderId, returnId: rma.id });
    return "sync_return";
  }
  return null;
}
