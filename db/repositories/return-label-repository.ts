import { and, asc, eq, sql } from "drizzle-orm";
import type { PostalAddress } from "../../core/orders/unified-order";
import type { PurchasedLabel } from "../../core/ports/carrier-gateway-port";
import { returnLabelNotNeededBecause } from "../../core/returns/return-label-need";
import { transitionRma } from "../../core/returns/rma-state-machine";
import type { Database, DbOrTx, Tx } from "../client";
import { enqueueJob } from "../queue/job-queue";
import { exceptions, locations, orders, returnLabelPurchases, returnLines, returns, variants } from "../schema";
import { enqueueReturnChannelSync } from "./channel-write-repository";
import { appendTimeline, raiseExceptions } from "./order-timeline-repository";
import { appendReturnEvents } from "./return-request-repository";
import { locationAddress } from "./shipment-repository";
import { noteIncomingReturnChange } from "./incoming-returns-repository";
import { beginPurchaseRecord, claimPurchaseRecord, failBuyingAttempt, latestPurchaseRecord, type LabelPurchaseRecord, type LabelPurchaseStart } from "./label-purchase-records";
import { unusedReturnLabelFound } from "./return-label-refund-repository";

/**
 * A return's label: bought once with the same records and decision as an order's label (ADR
 * 0009, core/shipping/label-purchase-decision) — the `buying` record commits before the
 * provider is asked, a run that finds it reconciles against the provider's shipment — and the
 * RMA moves to label_issued in the transaction that stores the label.
 */

export const RETURN_LABEL_JOB_MAX_ATTEMPTS = 10;

/**
 * Queues the return's label job. With `runAt` (a check later, ADR 0009), a job already queued
 * keeps its own earlier run time.
 */
export async function enqueueReturnLabelPurchase(tx: DbOrTx, input: { shopId: string; returnId: string }, runAt?: Date): Promise<void> {
  await enqueueJob(tx, "returns/buy-label", input, {
    jobKey: `returns/buy-label:${input.returnId}`,
    maxAttempts: RETURN_LABEL_JOB_MAX_ATTEMPTS,
    ...(runAt ? { runAt, jobKeyMode: "preserve_run_at" as const } : {}),
  });
}

export interface ReturnForLabel {
  id: string;
  shopId: string;
  orderId: string;
  rmaNumber: string;
  status: string;
  keepItem: boolean;
  /** The return holds a label (a tracking number), bought, recorded by hand or from the channel. */
  hasLabel: boolean;
  /** The customer: where the parcel comes back from. */
  customer: PostalAddress | null;
  /** The receiving location: where it goes. */
  destination: PostalAddress | null;
  items: { sku: string; quantity: number; weightGrams: number | null; lengthMm: number | null; widthMm: number | null; heightMm: number | null }[];
}

export async function loadReturnForLabel(db: DbOrTx, shopId: string, returnId: string): Promise<ReturnForLabel | null> {
  const [row] = await db
    .select({ id: returns.id, shopId: returns.shopId, orderId: returns.orderId, rmaNumber: returns.rmaNumber, status: returns.status, keepItem: returns.keepItem, trackingNumber: returns.trackingNumber, customer: orders.shippingAddress, location: locations })
    .from(returns)
    .innerJoin(orders, eq(orders.id, returns.orderId))
    .leftJoin(locations, eq(locations.id, returns.destinationLocationId))
    .where(and(eq(returns.shopId, shopId), eq(returns.id, returnId)));
  if (!row) return null;
  const items = await db
    .select({
      sku: variants.sku,
      quantity: sql<number>`sum(${returnLines.quantity})::int`,
      weightGrams: variants.weightGrams,
      lengthMm: variants.lengthMm,
      widthMm: variants.widthMm,
      heightMm: variants.heightMm,
    })
    .from(returnLines)
    .innerJoin(variants, eq(variants.id, returnLines.variantId))
    .where(eq(returnLines.returnId, returnId))
    .groupBy(variants.id)
    .orderBy(asc(variants.sku));
  return {
    id: row.id,
    shopId: row.shopId,
    orderId: row.orderId,
    rmaNumber: row.rmaNumber,
    status: row.status,
    keepItem: row.keepItem,
    hasLabel: row.trackingNumber !== null,
    customer: row.customer ?? null,
    destination: row.location ? locationAddress(row.location) : null,
    items,
  };
}

export async function latestReturnLabelPurchase(db: DbOrTx, returnId: string): Promise<LabelPurchaseRecord | null> {
  return latestPurchaseRecord(db, { table: returnLabelPurchases, returnId });
}

/** The `buying` record, committed on its own; false when another run owns this attempt. */
export async function beginReturnLabelPurchase(db: Database, input: LabelPurchaseStart & { returnId: string }): Promise<boolean> {
  return beginPurchaseRecord(db, { table: returnLabelPurchases, returnId: input.returnId }, input);
}

/**
 * The label exists: the record, the RMA (label_issued, with tracker, label and tracking URL),
 * its timeline and the channel sync (which attaches the label to Shopify's return) commit
 * together. As for a shipment (ADR 0009), **the label the return already holds wins** (it may
 * be on its way to the customer and on the channel's return): a label recorded while the return
 * holds another (a three-way race bought two, or a label recorded by hand) is a second label,
 * recorded and refunded (`second_label`). A label for a return that no longer needs one (the
 * customer keeps the item, the return was cancelled, declined, received or resolved while the
 * label was bought) is recorded and refunded too, and the return is left as it is. A label
 * another run recorded first changes nothing.
 */
export async function recordReturnLabelPurchased(
  db: Database,
  input: { shopId: string; returnId: string; purchaseId: string; label: PurchasedLabel; reconciled: boolean },
): Promise<"recorded" | "already_recorded" | "second_label"> {
  return db.transaction(async (tx) => {
    const [rma] = await tx
      .select({ id: returns.id, orderId: returns.orderId, rmaNumber: returns.rmaNumber, status: returns.status, keepItem: returns.keepItem, trackingNumber: returns.trackingNumber, providerShipmentId: returns.providerShipmentId })
      .from(returns)
      .where(and(eq(returns.shopId, input.shopId), eq(returns.id, input.returnId)))
      .for("update");
    if (!rma) throw new Error(`return ${input.returnId} vanished while its label was bought`);
    const bought = `${input.label.carrier} ${input.label.service}, ${input.label.trackingNumber}`;
    const unused = { shopId: input.shopId, rma, purchaseId: input.purchaseId, label: input.label };
    if (rma.trackingNumber !== null && rma.providerShipmentId !== input.label.providerShipmentId) {
      const message = `A second return label was bought (${bought}); the return keeps its label ${rma.trackingNumber} and the second is being refunded`;
      return (await unusedReturnLabelFound(tx, unused, { kind: "label_second_refunding", message })) ? "second_label" : "already_recorded";
    }
    const notNeeded = returnLabelNotNeededBecause({ status: rma.status, keepItem: rma.keepItem, hasLabel: rma.trackingNumber !== null });
    if (notNeeded !== null && rma.providerShipmentId !== input.label.providerShipmentId) {
      const message = `A return label was bought (${bought}) for a return that no longer needs one (${notNeeded}); it is being refunded`;
      if (!(await unusedReturnLabelFound(tx, unused, { kind: "label_found_refunding", message }))) return "already_recorded";
      await resolveReturnLabelExceptions(tx, input.shopId, rma.orderId, rma.id);
      return "recorded";
    }
    if (!(await claimPurchaseRecord(tx, returnLabelPurchases, input.purchaseId, input.label))) return "already_recorded";
    const step = transitionRma(rma.status as never, "issue_label");
    await tx
      .update(returns)
      .set({
        ...(step.ok ? { status: step.to } : {}),
        carrier: input.label.carrier,
        trackingNumber: input.label.trackingNumber,
        trackingUrl: input.label.trackingUrl ?? null,
        labelUrl: input.label.labelUrl,
        providerShipmentId: input.label.providerShipmentId,
        trackerId: input.label.trackerId ?? null,
        trackingStatus: input.label.trackingStatus ?? null,
        labelError: null,
        updatedAt: sql`now()`,
      })
      .where(eq(returns.id, rma.id));
    const message = `Return label bought: ${input.label.carrier} ${input.label.service}, ${input.label.trackingNumber}${input.reconciled ? " (found at the provider after an interrupted purchase)" : ""}`;
    await appendReturnEvents(tx, input.shopId, rma.id, [
      { kind: "issue_label", message: step.ok ? message : `${message}; the return is ${rma.status}, so its status stays`, actor: "system:label", data: { labelUrl: input.label.labelUrl, amountMinor: input.label.amountMinor, currency: input.label.currency } },
    ]);
    await appendTimeline(tx, input.shopId, rma.orderId, [{ kind: "return_label", message: `Return ${rma.rmaNumber}: ${message}`, data: { returnId: rma.id } }]);
    await resolveReturnLabelExceptions(tx, input.shopId, rma.orderId, rma.id);
    await enqueueReturnChannelSync(tx, { shopId: input.shopId, orderId: rma.orderId, returnId: rma.id });
    if (step.ok) await noteIncomingReturnChange(tx, input.shopId, rma.id, rma.status, step.to);
    return "recorded";
  });
}

/**
 * No label could be bought: the attempt fails (the next one shops again), the return and the
 * exceptions queue say why. `superseded`, with nothing told, when another run settled the
 * attempt first (its label recorded, or its own failure told) or the return already has its
 * label: a run that lost a race to buy is no failure.
 */
export async function recordReturnLabelFailure(
  db: Database,
  input: { shopId: string; returnId: string; orderId: string; purchaseId?: string; reason: string; message: string; raiseException: boolean },
): Promise<"recorded" | "superseded"> {
  return db.transaction(async (tx) => {
    // The return row first, as recordReturnLabelPurchased takes it: one lock order, no deadlock.
    const [rma] = await tx.select({ trackingNumber: returns.trackingNumber }).from(returns).where(eq(returns.id, input.returnId)).for("update");
    if (input.purchaseId && !(await failBuyingAttempt(tx, returnLabelPurchases, input.purchaseId, input.message))) return "superseded";
    if (rma?.trackingNumber) return "superseded";
    await tx.update(returns).set({ labelError: input.message }).where(eq(returns.id, input.returnId));
    await appendReturnEvents(tx, input.shopId, input.returnId, [{ kind: "label_failed", message: input.message, actor: "system:label", data: { reason: input.reason } }]);
    if (!input.raiseException) return "recorded";
    const [open] = await tx
      .select({ id: exceptions.id })
      .from(exceptions)
      .where(and(eq(exceptions.shopId, input.shopId), eq(exceptions.orderId, input.orderId), eq(exceptions.kind, "label_purchase_failed"), eq(exceptions.status, "open"), sql`${exceptions.details}->>'returnId' = ${input.returnId}`))
      .limit(1);
    if (!open) await raiseExceptions(tx, input.shopId, [{ kind: "label_purchase_failed", message: input.message, details: { returnId: input.returnId, reason: input.reason } }], { orderId: input.orderId });
    return "recorded";
  });
}

/**
 * An interrupted purchase the provider never bought, for a return that no longer needs a label:
 * the attempt ends `failed` (nothing was spent) and the return's events say why. Nothing is asked
 * of the merchant (no label error, no exception: buying again is not wanted), and an exception an
 * earlier attempt raised for this return's label is resolved. Nothing is written when another run
 * settled the attempt first. The reason is read under the return's lock.
 */
export async function recordUnneededReturnLabelNotBought(db: Database, input: { shopId: string; returnId: string; purchaseId: string }): Promise<void> {
  await db.transaction(async (tx) => {
    // The return row first, as recordReturnLabelPurchased takes it: one lock order, no deadlock.
    const [rma] = await tx
      .select({ orderId: returns.orderId, status: returns.status, keepItem: returns.keepItem, trackingNumber: returns.trackingNumber })
      .from(returns)
      .where(and(eq(returns.shopId, input.shopId), eq(returns.id, input.returnId)))
      .for("update");
    if (!rma) return;
    // No transition leads back to needing a label, so a reason is always there; the attempt ends regardless.
    const because = returnLabelNotNeededBecause({ status: rma.status, keepItem: rma.keepItem, hasLabel: rma.trackingNumber !== null });
    const message = `The interrupted return label purchase is settled: the carrier bought no label${because ? `, and none is needed now (${because})` : ""}`;
    if (!(await failBuyingAttempt(tx, returnLabelPurchases, input.purchaseId, message))) return;
    await appendReturnEvents(tx, input.shopId, input.returnId, [{ kind: "label_not_needed", message, actor: "system:label", data: { purchaseId: input.purchaseId } }]);
    await resolveReturnLabelExceptions(tx, input.shopId, rma.orderId, input.returnId);
  });
}

async function resolveReturnLabelExceptions(tx: Tx, shopId: string, orderId: string, returnId: string): Promise<void> {
  await tx
    .update(exceptions)
    .set({ status: "resolved", resolvedAt: sql`now()`, resolvedBy: "system:label" })
    .where(and(eq(exceptions.shopId, shopId), eq(exceptions.orderId, orderId), eq(exceptions.kind, "label_purchase_failed"), eq(exceptions.status, "open"), sql`${exceptions.details}->>'returnId' = ${returnId}`));
}

export type ReturnTrackingOutcome = { outcome: "unknown_tracker" } | { outcome: "stale" } | { outcome: "applied"; returnId: string; orderId: string; status: string; trackingStatus: string };

/**
 * A tracker event for a return label: stored on the return (older events than the one applied
 * are stale), and the caller moves the RMA (in transit, received) through its transitions.
 */
export async function recordReturnTracking(
  tx: Tx,
  input: { shopId: string; trackerId: string; trackingCode: string; status: string; at: Date },
): Promise<ReturnTrackingOutcome> {
  const [rma] = await tx
    .select({ id: returns.id, orderId: returns.orderId, status: returns.status, trackingUpdatedAt: returns.trackingUpdatedAt })
    .from(returns)
    .where(
      and(
        eq(returns.shopId, input.shopId),
        sql`(${returns.trackerId} = ${input.trackerId} or (${returns.trackerId} is null and ${returns.trackingNumber} = ${input.trackingCode}))`,
      ),
    )
    .limit(1)
    .for("update");
  if (!rma) return { outcome: "unknown_tracker" };
  if (rma.trackingUpdatedAt && rma.trackingUpdatedAt > input.at) return { outcome: "stale" };
  await tx.update(returns).set({ trackingStatus: input.status, trackingUpdatedAt: input.at, trackerId: input.trackerId }).where(eq(returns.id, rma.id));
  return { outcome: "applied", returnId: rma.id, orderId: rma.orderId, status: rma.status, trackingStatus: input.status };
}

/** The merchant's "Buy return label": queued for an approved return that comes back. */
export async function requestReturnLabelPurchase(db: Database, input: { shopId: string; returnId: string; actor: string }): Promise<{ ok: true } | { ok: false; reason: string }> {
  return db.transaction(async (tx) => {
    const [rma] = await tx.select({ status: returns.status, keepItem: returns.keepItem }).from(returns).where(and(eq(returns.shopId, input.shopId), eq(returns.id, input.returnId)));
    if (!rma) return { ok: false, reason: "return_not_found" };
    if (rma.status !== "approved") return { ok: false, reason: `the return is ${rma.status}; a label is bought for an approved return` };
    if (rma.keepItem) return { ok: false, reason: "the customer keeps the item" };
    await tx.update(returns).set({ labelError: null }).where(eq(returns.id, input.returnId));
    await appendReturnEvents(tx, input.shopId, input.returnId, [{ kind: "label_requested", message: "Return label requested", actor: input.actor }]);
    await enqueueReturnLabelPurchase(tx, { shopId: input.shopId, returnId: input.returnId });
    return { ok: true };
  });
}
