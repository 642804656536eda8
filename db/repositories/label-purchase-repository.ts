import { and, eq, sql } from "drizzle-orm";
import type { PurchasedLabel } from "../../core/ports/carrier-gateway-port";
import type { Database, Tx } from "../client";
import { exceptions, labelPurchases, orders, shipments } from "../schema";
import { appendTimeline, raiseExceptions } from "./order-timeline-repository";
import { enqueueWmsHandoffs } from "./wms-repository";
import { enqueueLabelRefund } from "./label-refund-repository";
import { beginPurchaseRecord, claimPurchaseRecord, failBuyingAttempt, latestPurchaseRecord, type LabelPurchaseRecord, type LabelPurchaseStart } from "./label-purchase-records";

/**
 * The label purchase's idempotency records. `beginLabelPurchase` commits on its own before the
 * provider is called; every outcome after the call is recorded in one transaction with the
 * shipment it concerns, so the record and the shipment never disagree.
 */

export type { LabelPurchaseRecord, LabelPurchaseStart } from "./label-purchase-records";

export async function latestLabelPurchase(db: Database, shipmentId: string): Promise<LabelPurchaseRecord | null> {
  return latestPurchaseRecord(db, { table: labelPurchases, shipmentId });
}

/**
 * Writes the `buying` record in its own committed transaction. False when another worker wrote
 * this attempt first (the unique key on shipment and attempt): that one owns the purchase.
 */
export async function beginLabelPurchase(db: Database, input: LabelPurchaseStart & { shipmentId: string }): Promise<boolean> {
  return beginPurchaseRecord(db, { table: labelPurchases, shipmentId: input.shipmentId }, input);
}

/** Order first, then the shipment (ADR 0003): so a label, a failure and a cancellation of one shipment are written one after another. */
async function lockShipmentUnderOrder(tx: Tx, shipmentId: string): Promise<{ orderId: string; status: string; providerShipmentId: string | null; trackingNumber: string | null }> {
  const [owner] = await tx.select({ orderId: shipments.orderId }).from(shipments).where(eq(shipments.id, shipmentId));
  await tx.select({ id: orders.id }).from(orders).where(eq(orders.id, owner!.orderId)).for("update");
  const [locked] = await tx.select({ status: shipments.status, providerShipmentId: shipments.providerShipmentId, trackingNumber: shipments.trackingNumber }).from(shipments).where(eq(shipments.id, shipmentId)).for("update");
  return { orderId: owner!.orderId, ...locked! };
}

/**
 * The label exists: the record, the shipment, its timeline and the WMS hand-offs commit together.
 * Which label a shipment keeps when the provider sold more than one (ADR 0009): **the label the
 * shipment already holds wins**; it may be printed, handed to a WMS or shown to the customer.
 * So a label recorded while the shipment holds another one (a three-way race: a run's purchase
 * still under way when the sweep ended its attempt and a new attempt bought afresh) is a second
 * label: recorded and refunded (`second_label`), never written onto the shipment. A shipment
 * cancelled (or shipped another way) while the label was being bought does not take it either:
 * it is recorded and refunded as a stray label. Two runs holding the same label (one bought it,
 * the other found it after its own buy was refused) record it once: the second gets
 * `already_recorded` and writes nothing. Every decision is taken under the order and shipment
 * locks, so two labels cannot both land on the shipment.
 */
export async function recordLabelPurchased(
  db: Database,
  input: { shopId: string; shipmentId: string; purchaseId: string; label: PurchasedLabel; explanation: string | null; reconciled: boolean },
): Promise<"recorded" | "already_recorded" | "second_label"> {
  return db.transaction(async (tx) => {
    const locked = await lockShipmentUnderOrder(tx, input.shipmentId);
    const unused = { ...input, orderId: locked.orderId };
    const bought = `${input.label.carrier} ${input.label.service}, ${input.label.trackingNumber}`;
    if (locked.status !== "pending" && locked.status !== "label_purchased") {
      const message = `A label bought before the shipment was ${locked.status} was found at the provider (${bought}); it is being refunded`;
      return (await unusedLabelFound(tx, unused, { kind: "label_found_refunding", message })) ? "recorded" : "already_recorded";
    }
    if (locked.status === "label_purchased" && locked.providerShipmentId !== input.label.providerShipmentId) {
      const message = `A second label was bought for this shipment (${bought}); the shipment keeps its label${locked.trackingNumber ? ` ${locked.trackingNumber}` : ""} and the second is being refunded`;
      return (await unusedLabelFound(tx, unused, { kind: "label_second_refunding", message })) ? "second_label" : "already_recorded";
    }
    if (!(await claimPurchaseRecord(tx, labelPurchases, input.purchaseId, input.label))) return "already_recorded";
    const [shipment] = await tx
      .update(shipments)
      .set({
        status: sql`case when ${shipments.status} = 'pending' then 'label_purchased' else ${shipments.status} end`,
        carrier: input.label.carrier,
        service: input.label.service,
        trackingNumber: input.label.trackingNumber,
        trackingUrl: input.label.trackingUrl ?? null,
        labelUrl: input.label.labelUrl,
        rateMinor: input.label.amountMinor,
        currency: input.label.currency,
        providerShipmentId: input.label.providerShipmentId,
        trackerId: input.label.trackerId ?? null,
        trackingStatus: input.label.trackingStatus ?? null,
        labelPurchasedAt: sql`now()`,
        labelError: null,
        rateExplanation: input.explanation,
      })
      .where(eq(shipments.id, input.shipmentId))
      .returning({ orderId: shipments.orderId, locationId: shipments.locationId });
    await appendTimeline(tx, input.shopId, shipment!.orderId, [
      {
        kind: "label_purchased",
        message: `Label bought: ${input.label.carrier} ${input.label.service}, ${input.label.trackingNumber}${input.reconciled ? " (found at the provider after an interrupted purchase)" : ""}`,
        data: { shipmentId: input.shipmentId, amountMinor: input.label.amountMinor, currency: input.label.currency, explanation: input.explanation },
      },
    ]);
    await tx
      .update(exceptions)
      .set({ status: "resolved", resolvedAt: sql`now()`, resolvedBy: "system:label" })
      .where(
        and(
          eq(exceptions.shopId, input.shopId),
          eq(exceptions.orderId, shipment!.orderId),
          eq(exceptions.status, "open"),
          sql`${exceptions.kind} in ('label_purchase_failed', 'address_invalid')`,
          sql`${exceptions.details}->>'shipmentId' = ${input.shipmentId}`,
        ),
      );
    await enqueueWmsHandoffs(tx, { shopId: input.shopId, shipmentId: input.shipmentId, locationId: shipment!.locationId });
    return "recorded";
  });
}

/**
 * A label the shipment will not use: it was cancelled (or shipped another way) while the label
 * was bought, or it holds another label (ADR 0009). The money is spent, so the record says
 * `purchased`; the shipment is left as it is (it must not come back to life as
 * `label_purchased`, nor swap the label it holds); the refund is queued with the record (rule 4)
 * through shipping/void-label naming the purchase, which ends the attempt `voided`; and the
 * merchant reads it on the timeline. Only the run that claims the record does this, so a
 * concurrent run neither queues a second refund nor writes a second entry (false for it).
 */
async function unusedLabelFound(
  tx: Tx,
  input: { shopId: string; shipmentId: string; orderId: string; purchaseId: string; label: PurchasedLabel },
  entry: { kind: "label_found_refunding" | "label_second_refunding"; message: string },
): Promise<boolean> {
  if (!(await claimPurchaseRecord(tx, labelPurchases, input.purchaseId, input.label))) return false;
  await appendTimeline(tx, input.shopId, input.orderId, [
    {
      ...entry,
      data: { shipmentId: input.shipmentId, purchaseId: input.purchaseId, providerShipmentId: input.label.providerShipmentId, amountMinor: input.label.amountMinor, currency: input.label.currency },
      actor: "system:label",
    },
  ]);
  await enqueueLabelRefund(tx, { shopId: input.shopId, shipmentId: input.shipmentId, actor: "system:label", purchaseId: input.purchaseId });
  return true;
}

/**
 * An interrupted purchase that the provider never bought, for a shipment that no longer wants a
 * label: the attempt ends `failed` (nothing was spent) and nothing else changes; the merchant has
 * nothing to do, so no exception is raised.
 */
export async function recordInterruptedPurchaseAbandoned(db: Database, input: { purchaseId: string; message: string }): Promise<void> {
  await failBuyingAttempt(db, labelPurchases, input.purchaseId, input.message);
}

/**
 * No label could be bought and retrying will not help: the attempt (if one was recorded) is
 * marked failed so the next try shops again, and the merchant gets one open exception per
 * shipment with the reason. `superseded`, with nothing told, when another run settled the
 * attempt first (its label recorded, or its own failure told) or the shipment no longer waits
 * for a label (a label recorded by another run, a cancellation): a run that lost a race to buy
 * is no failure of the merchant's. The order and shipment are locked as recordLabelPurchased
 * locks them, so a failure never lands between a concurrent run's label and its timeline.
 */
export async function recordLabelFailure(
  db: Database,
  input: { shopId: string; shipmentId: string; orderId: string; purchaseId?: string; kind: "label_purchase_failed" | "address_invalid"; reason: string; message: string },
): Promise<"recorded" | "superseded"> {
  return db.transaction(async (tx) => {
    const locked = await lockShipmentUnderOrder(tx, input.shipmentId);
    if (input.purchaseId && !(await failBuyingAttempt(tx, labelPurchases, input.purchaseId, input.message))) return "superseded";
    if (locked.status !== "pending") return "superseded";
    await tx.update(shipments).set({ labelError: input.message }).where(eq(shipments.id, input.shipmentId));
    await appendTimeline(tx, input.shopId, input.orderId, [{ kind: "label_failed", message: input.message, data: { shipmentId: input.shipmentId, reason: input.reason } }]);
    const open = await tx
      .select({ id: exceptions.id })
      .from(exceptions)
      .where(
        and(
          eq(exceptions.shopId, input.shopId),
          eq(exceptions.orderId, input.orderId),
          eq(exceptions.kind, input.kind),
          eq(exceptions.status, "open"),
          sql`${exceptions.details}->>'shipmentId' = ${input.shipmentId}`,
        ),
      )
      .limit(1);
    if (open.length === 0) {
      await raiseExceptions(tx, input.shopId, [{ kind: input.kind, message: input.message, details: { shipmentId: input.shipmentId, reason: input.reason } }], { orderId: input.orderId });
    }
    return "recorded";
  });
}
