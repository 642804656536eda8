import { and, asc, eq, inArray, isNull, ne, sql } from "drizzle-orm";
import { transition } from "../../core/orders/order-state-machine";
import type { OrderStatus } from "../../core/orders/order-status";
import type { PostalAddress } from "../../core/orders/unified-order";
import { isShipmentStatus, shipmentTransition, trackingEffect, type ShipmentRefusal } from "../../core/shipping/shipment-state-machine";
import { err, ok, type Result } from "../../core/shared/result";
import { enqueueJob } from "../queue/job-queue";
import type { Database, DbOrTx, Tx } from "../client";
import { allocations, locations, orderLines, orders, shipments, variants } from "../schema";
import { enqueueFulfillmentConfirmation } from "./channel-write-repository";
import { appendTimeline, raiseExceptions } from "./order-timeline-repository";
import { lockLevels, recordMovements, scheduleStockSync, type LevelMovement } from "./stock-ledger-repository";

/**
 * Shipments with labels: planned one per location from the order's reservations as they stand
 * (routing moves reservations; this reads them), shipped when the parcel leaves (ship movements
 * in the ledger, confirmation to the source channel queued in the same transaction), and
 * delivered from the carrier's tracking.
 */

export const LABEL_JOB_MAX_ATTEMPTS = 10;

/**
 * Queues the shipment's label job. With `runAt` (a check later, ADR 0009), a job already queued
 * keeps its own earlier run time.
 */
export async function enqueueLabelPurchase(tx: DbOrTx, input: { shopId: string; shipmentId: string }, runAt?: Date): Promise<void> {
  await enqueueJob(tx, "shipping/buy-label", input, {
    jobKey: `shipping/buy-label:${input.shipmentId}`,
    maxAttempts: LABEL_JOB_MAX_ATTEMPTS,
    ...(runAt ? { runAt, jobKeyMode: "preserve_run_at" as const } : {}),
  });
}

export type PlanRefusal = "order_not_found" | "nothing_to_ship" | string;

/**
 * One pending shipment per location holding reserved units not yet on a shipment, each with
 * its label purchase queued. Planning again after routing moved a reservation plans only what
 * is not on a shipment yet.
 */
export async function planShipments(
  db: Database,
  input: { shopId: string; orderId: string; actor: string },
): Promise<Result<{ shipmentIds: string[] }, PlanRefusal>> {
  return db.transaction(async (tx) => {
    const [order] = await tx
      .select({ id: orders.id, status: orders.status, currency: orders.currency })
      .from(orders)
      .where(and(eq(orders.id, input.orderId), eq(orders.shopId, input.shopId)))
      .for("update");
    if (!order) return err("order_not_found");
    let status = order.status as OrderStatus;
    if (status === "reserved") {
      const allocated = transition(status, "allocate");
      if (!allocated.ok) return err(allocated.reason, allocated.detail);
      status = allocated.to;
    } else if (status !== "allocated" && status !== "partially_shipped") {
      const refused = transition(status, "allocate");
      return err(refused.ok ? "nothing_to_ship" : refused.reason, `the order is ${status}`);
    }
    const unplanned = await tx
      .select({ id: allocations.id, locationId: allocations.locationId, quantity: allocations.quantity })
      .from(allocations)
      .where(and(eq(allocations.orderId, order.id), eq(allocations.status, "reserved"), isNull(allocations.shipmentId)))
      .for("update");
    if (unplanned.length === 0) return err("nothing_to_ship", "every reserved unit is already on a shipment");
    const byLocation = new Map<string, typeof unplanned>();
    for (const a of unplanned) byLocation.set(a.locationId, [...(byLocation.get(a.locationId) ?? []), a]);
    const shipmentIds: string[] = [];
    for (const [locationId, here] of [...byLocation.entries()].sort(([a], [b]) => a.localeCompare(b))) {
      const [shipment] = await tx
        .insert(shipments)
        .values({ shopId: input.shopId, orderId: order.id, locationId, status: "pending", currency: order.currency })
        .returning({ id: shipments.id });
      await tx.update(allocations).set({ shipmentId: shipment!.id, updatedAt: sql`now()` }).where(inArray(allocations.id, here.map((a) => a.id)));
      await enqueueLabelPurchase(tx, { shopId: input.shopId, shipmentId: shipment!.id });
      shipmentIds.push(shipment!.id);
    }
    if (status !== order.status) await tx.update(orders).set({ status, updatedAt: sql`now()` }).where(eq(orders.id, order.id));
    await appendTimeline(tx, input.shopId, order.id, [
      {
        kind: "shipments_planned",
        message: `${shipmentIds.length} shipment${shipmentIds.length === 1 ? "" : "s"} planned (one per location); buying labels`,
        data: { shipmentIds },
        actor: input.actor,
      },
    ]);
    return ok({ shipmentIds });
  });
}

export interface ShipmentForLabel {
  id: string;
  shopId: string;
  status: string;
  orderId: string;
  orderNumber: string;
  orderStatus: string;
  shippingMethod: string | null;
  customerEmail: string | null;
  to: PostalAddress | null;
  from: PostalAddress;
  locationName: string;
  items: { sku: string; quantity: number; weightGrams: number | null; lengthMm: number | null; widthMm: number | null; heightMm: number | null }[];
}

export async function loadShipmentForLabel(db: DbOrTx, shopId: string, shipmentId: string): Promise<ShipmentForLabel | null> {
  const [row] = await db
    .select({
      id: shipments.id,
      shopId: shipments.shopId,
      status: shipments.status,
      orderId: orders.id,
      orderNumber: orders.number,
      orderStatus: orders.status,
      shippingMethod: orders.shippingMethod,
      customerEmail: orders.customerEmail,
      to: orders.shippingAddress,
      location: locations,
    })
    .from(shipments)
    .innerJoin(orders, eq(orders.id, shipments.orderId))
    .innerJoin(locations, eq(locations.id, shipments.locationId))
    .where(and(eq(shipments.shopId, shopId), eq(shipments.id, shipmentId)));
  if (!row) return null;
  const items = await db
    .select({
      sku: variants.sku,
      quantity: sql<number>`sum(${allocations.quantity})::int`,
      weightGrams: variants.weightGrams,
      lengthMm: variants.lengthMm,
      widthMm: variants.widthMm,
      heightMm: variants.heightMm,
    })
    .from(allocations)
    .innerJoin(variants, eq(variants.id, allocations.variantId))
    .where(and(eq(allocations.shipmentId, shipmentId), ne(allocations.status, "released")))
    .groupBy(variants.id)
    .orderBy(asc(variants.sku));
  return {
    id: row.id,
    shopId: row.shopId,
    status: row.status,
    orderId: row.orderId,
    orderNumber: row.orderNumber,
    orderStatus: row.orderStatus,
    shippingMethod: row.shippingMethod,
    customerEmail: row.customerEmail,
    to: row.to ?? null,
    from: locationAddress(row.location),
    locationName: row.location.name,
    items,
  };
}

/** A location as the postal address a carrier ships from (or a return goes back to). */
export function locationAddress(l: typeof locations.$inferSelect): PostalAddress {
  return {
    name: l.name,
    line1: l.address1,
    ...(l.address2 ? { line2: l.address2 } : {}),
    city: l.city,
    ...(l.region ? { region: l.region } : {}),
    ...(l.postalCode ? { postalCode: l.postalCode } : {}),
    countryCode: l.countryCode,
  };
}

export type ShipRefusal = ShipmentRefusal | "shipment_not_found" | "nothing_on_shipment" | string;

/**
 * The parcel left: its units leave on hand and reserved together (ship movements), the order
 * moves to partially shipped or shipped, and the confirmation to the source channel is queued,
 * all in one transaction. Shipping a shipment that already shipped changes nothing.
 */
export async function shipShipment(
  db: Database,
  input: { shopId: string; shipmentId: string; actor: string; at?: Date },
): Promise<Result<{ alreadyShipped: boolean; orderStatus: string }, ShipRefusal>> {
  return db.transaction((tx) => shipShipmentInTx(tx, input));
}

export async function shipShipmentInTx(
  tx: Tx,
  input: { shopId: string; shipmentId: string; actor: string; at?: Date },
): Promise<Result<{ alreadyShipped: boolean; orderStatus: string }, ShipRefusal>> {
  const [shipment] = await tx
    .select({ id: shipments.id, orderId: shipments.orderId, status: shipments.status, carrier: shipments.carrier, trackingNumber: shipments.trackingNumber })
    .from(shipments)
    .where(and(eq(shipments.shopId, input.shopId), eq(shipments.id, input.shipmentId)));
  if (!shipment) return err("shipment_not_found");
  // Order first, then shipment: the same lock order as every other order-level write.
  const [order] = await tx.select({ id: orders.id, status: orders.status }).from(orders).where(eq(orders.id, shipment.orderId)).for("update");
  const [locked] = await tx.select({ status: shipments.status }).from(shipments).where(eq(shipments.id, shipment.id)).for("update");
  const current = locked!.status;
  if (current === "shipped" || current === "delivered") return ok({ alreadyShipped: true, orderStatus: order!.status });
  if (!isShipmentStatus(current)) return err("unknown_shipment_status", current);
  const moved = shipmentTransition(current, "ship");
  if (!moved.ok) return err(moved.reason, moved.detail);

  const held = await tx
    .select()
    .from(allocations)
    .where(and(eq(allocations.shipmentId, shipment.id), eq(allocations.status, "reserved")))
    .for("update");
  if (held.length === 0) return err("nothing_on_shipment", "no reserved units are on this shipment");
  const [{ unshippedAfter }] = (await tx
    .select({ unshippedAfter: sql<number>`coalesce(sum(${allocations.quantity}), 0)::int` })
    .from(allocations)
    .where(and(eq(allocations.orderId, order!.id), eq(allocations.status, "reserved"), sql`${allocations.shipmentId} is distinct from ${shipment.id}`))) as [
    { unshippedAfter: number },
  ];
  const event = unshippedAfter > 0 ? "ship_partial" : "ship_all";
  const orderMoved = transition(order!.status as OrderStatus, event, { unshippedUnitsAfter: unshippedAfter });
  if (!orderMoved.ok) return err(orderMoved.reason, orderMoved.detail);

  const levels = await lockLevels(tx, input.shopId, held.map((a) => a.variantId));
  const levelFor = new Map(levels.map((level) => [`${level.variantId}:${level.locationId}`, level]));
  const movements: LevelMovement[] = held.map((a) => ({
    level: levelFor.get(`${a.variantId}:${a.locationId}`)!,
    movement: { kind: "ship", quantity: a.quantity, cause: { type: "order_line", id: a.orderLineId }, actor: input.actor },
  }));
  await recordMovements(tx, input.shopId, movements);
  await tx.update(allocations).set({ status: "shipped", updatedAt: sql`now()` }).where(inArray(allocations.id, held.map((a) => a.id)));
  await tx.update(shipments).set({ status: moved.to, shippedAt: input.at ?? new Date() }).where(eq(shipments.id, shipment.id));
  await tx.update(orders).set({ status: orderMoved.to, updatedAt: sql`now()` }).where(eq(orders.id, order!.id));
  await enqueueFulfillmentConfirmation(tx, { shopId: input.shopId, orderId: order!.id, shipmentId: shipment.id });
  await appendTimeline(tx, input.shopId, order!.id, [
    {
      kind: "shipped",
      message: `Shipped ${held.reduce((s, a) => s + a.quantity, 0)} units${shipment.carrier ? ` with ${shipment.carrier} ${shipment.trackingNumber ?? ""}` : ""}`.trim(),
      data: { shipmentId: shipment.id },
      actor: input.actor,
    },
  ]);
  await scheduleStockSync(tx, input.shopId);
  return ok({ alreadyShipped: false, orderStatus: orderMoved.to });
}

export type TrackingOutcome = { outcome: "unknown_tracker" } | { outcome: "applied"; shipmentId: string; effect: string };

/**
 * A carrier's tracking update for one of our labels: the status is stored, an in-transit scan
 * ships a parcel we had not marked shipped, delivered delivers it (and the order once every
 * parcel is delivered), and a failure is put in front of a person.
 */
export async function applyTrackingUpdate(
  tx: Tx,
  input: { shopId: string; trackerId: string; trackingCode: string; status: string; statusDetail?: string | null; at: Date },
): Promise<TrackingOutcome> {
  const [shipment] = await tx
    .select({ id: shipments.id, orderId: shipments.orderId, status: shipments.status, trackingUpdatedAt: shipments.trackingUpdatedAt })
    .from(shipments)
    .where(
      and(
        eq(shipments.shopId, input.shopId),
        sql`(${shipments.trackerId} = ${input.trackerId} or (${shipments.trackerId} is null and ${shipments.trackingNumber} = ${input.trackingCode}))`,
      ),
    )
    .limit(1);
  if (!shipment) return { outcome: "unknown_tracker" };
  // An older update never overwrites a newer one (events can arrive out of order).
  if (shipment.trackingUpdatedAt && shipment.trackingUpdatedAt > input.at) return { outcome: "applied", shipmentId: shipment.id, effect: "stale" };
  await tx
    .update(shipments)
    .set({ trackingStatus: input.status, trackingUpdatedAt: input.at, trackerId: input.trackerId })
    .where(eq(shipments.id, shipment.id));
  const effect = trackingEffect(input.status);
  if (effect === "ship" || effect === "deliver") {
    if (shipment.status === "pending" || shipment.status === "label_purchased") {
      const shipped = await shipShipmentInTx(tx, { shopId: input.shopId, shipmentId: shipment.id, actor: "carrier", at: input.at });
      if (!shipped.ok) {
        await appendTimeline(tx, input.shopId, shipment.orderId, [
          { kind: "tracking", message: `Carrier reports ${input.status}, but the shipment could not be marked shipped: ${shipped.reason}`, data: { shipmentId: shipment.id } },
        ]);
        return { outcome: "applied", shipmentId: shipment.id, effect: `ship_refused:${shipped.reason}` };
      }
    }
  }
  if (effect === "deliver") {
    await tx.update(shipments).set({ status: "delivered", deliveredAt: input.at }).where(and(eq(shipments.id, shipment.id), eq(shipments.status, "shipped")));
    const [open] = await tx
      .select({ n: sql<number>`count(*)::int` })
      .from(shipments)
      .where(and(eq(shipments.orderId, shipment.orderId), inArray(shipments.status, ["pending", "label_purchased", "shipped"])));
    const [order] = await tx.select({ status: orders.status }).from(orders).where(eq(orders.id, shipment.orderId)).for("update");
    const delivered = transition(order!.status as OrderStatus, "deliver");
    if (open!.n === 0 && delivered.ok) await tx.update(orders).set({ status: delivered.to, updatedAt: sql`now()` }).where(eq(orders.id, shipment.orderId));
  }
  if (effect === "problem") {
    await raiseExceptions(tx, input.shopId, [
      { kind: "delivery_problem", message: `The carrier reports ${input.status.replace(/_/g, " ")}${input.statusDetail ? ` (${input.statusDetail})` : ""}`, details: { shipmentId: shipment.id, trackerId: input.trackerId } },
    ], { orderId: shipment.orderId });
  }
  await appendTimeline(tx, input.shopId, shipment.orderId, [
    { kind: "tracking", message: `Tracking: ${input.status.replace(/_/g, " ")}${input.statusDetail ? ` (${input.statusDetail.replace(/_/g, " ")})` : ""}`, data: { shipmentId: shipment.id, status: input.status } },
  ]);
  return { outcome: "applied", shipmentId: shipment.id, effect };
}

/** The order lines on a shipment, for pick lists and the WMS hand-off. */
export async function shipmentLines(db: DbOrTx, shipmentIds: readonly string[]) {
  if (shipmentIds.length === 0) return [];
  return db
    .select({
      shipmentId: allocations.shipmentId,
      variantId: allocations.variantId,
      sku: variants.sku,
      title: orderLines.title,
      barcode: variants.barcode,
      quantity: sql<number>`sum(${allocations.quantity})::int`,
    })
    .from(allocations)
    .innerJoin(variants, eq(variants.id, allocations.variantId))
    .innerJoin(orderLines, eq(orderLines.id, allocations.orderLineId))
    .where(and(inArray(allocations.shipmentId, [...shipmentIds]), ne(allocations.status, "released")))
    .groupBy(allocations.shipmentId, allocations.variantId, variants.sku, orderLines.title, variants.barcode);
}
