import { and, eq, sql } from "drizzle-orm";
import { minorUnitsToDecimal } from "../../core/shared/decimal-money";
import type { Database, DbOrTx, Tx } from "../client";
import { enqueueJob } from "../queue/job-queue";
import { exceptions, labelPurchases, shipments } from "../schema";
import { markPurchaseVoided, type PurchaseRecordForRefund } from "./label-purchase-records";
import { appendTimeline, raiseExceptions } from "./order-timeline-repository";

/**
 * Refunds of shipment labels (shipping/void-label): the merchant's "Void label", and the labels
 * bought but never to be used (a cancelled shipment's, one found after its shipment stopped
 * waiting, a second label for one shipment; ADR 0009). Queueing, the refund's record and the
 * exception when it cannot be had are here; the provider is asked by the job.
 */

/** A refund is worth retrying for a while: the provider's outage, not the label, is the usual cause. */
export const LABEL_REFUND_JOB_MAX_ATTEMPTS = 8;

/**
 * Queues the refund of a shipment's label. Naming the purchase refunds that label whatever the
 * shipment holds, keyed by the purchase, so a merchant's void of the shipment cannot replace it
 * and one purchase is refunded by one job. Without it, the label the shipment holds (the
 * merchant's void).
 */
export async function enqueueLabelRefund(tx: DbOrTx, input: { shopId: string; shipmentId: string; actor: string; purchaseId?: string }): Promise<void> {
  await enqueueJob(tx, "shipping/void-label", input, {
    jobKey: input.purchaseId ? `shipping/void-label:${input.shipmentId}:${input.purchaseId}` : `shipping/void-label:${input.shipmentId}`,
    maxAttempts: LABEL_REFUND_JOB_MAX_ATTEMPTS,
  });
}

/**
 * The provider accepted the refund request: the attempt ends `voided`. A shipment that held this
 * label for use goes back to pending (it can be bought again); one holding another label (this
 * was a second label) or cancelled is left as it is. Nothing is written when a redelivered
 * refund already recorded it.
 */
export async function recordLabelVoided(
  db: Database,
  input: { shopId: string; shipmentId: string; orderId: string; purchase: PurchaseRecordForRefund; refundStatus: string; actor: string },
): Promise<void> {
  await db.transaction(async (tx) => {
    if (!(await markPurchaseVoided(tx, labelPurchases, input.purchase.id, input.refundStatus))) return;
    const released = await tx
      .update(shipments)
      .set({ status: "pending", trackingNumber: null, trackingUrl: null, labelUrl: null, rateMinor: null, providerShipmentId: null, trackerId: null, trackingStatus: null, labelPurchasedAt: null, carrier: null, service: null })
      .where(and(eq(shipments.id, input.shipmentId), eq(shipments.status, "label_purchased"), eq(shipments.providerShipmentId, input.purchase.providerShipmentId)))
      .returning({ id: shipments.id });
    const what = released.length > 0 ? "Label voided" : `Unused label voided (${input.purchase.carrier} ${input.purchase.service})`;
    await appendTimeline(tx, input.shopId, input.orderId, [
      { kind: "label_voided", message: `${what}; refund ${input.refundStatus}`, data: { shipmentId: input.shipmentId, purchaseId: input.purchase.id }, actor: input.actor },
    ]);
  });
}

/**
 * A refund the job gave up on (the provider unreachable through every attempt, or refusing): a
 * label was paid for and will not be used, so the merchant gets an exception to have it refunded
 * in the provider's dashboard. One open exception per purchase.
 */
export async function recordLabelRefundFailed(
  db: Database,
  input: { shopId: string; shipmentId: string; orderId: string; purchase: PurchaseRecordForRefund; detail: string },
): Promise<void> {
  await db.transaction(async (tx) => {
    const message = `The label ${labelName(input.purchase)} bought for this shipment could not be refunded (${input.detail}): ask for its refund in your EasyPost account`;
    if (await raiseRefundFailedOnce(tx, input.shopId, input.orderId, input.purchase.id, message, { shipmentId: input.shipmentId })) {
      await appendTimeline(tx, input.shopId, input.orderId, [{ kind: "label_refund_failed", message, data: { shipmentId: input.shipmentId, purchaseId: input.purchase.id }, actor: "system:label" }]);
    }
  });
}

/** How a merchant recognises a label: carrier, service and price (the purchase keeps no tracking number). */
export function labelName(purchase: Pick<PurchaseRecordForRefund, "carrier" | "service" | "amountMinor" | "currency" | "providerShipmentId">): string {
  return `${purchase.carrier} ${purchase.service}, ${minorUnitsToDecimal(purchase.amountMinor, purchase.currency)} ${purchase.currency} (${purchase.providerShipmentId})`;
}

/** The `label_refund_failed` exception of one purchase, shipment's or return's; false when it is already open. */
export async function raiseRefundFailedOnce(tx: Tx, shopId: string, orderId: string, purchaseId: string, message: string, owner: { shipmentId: string } | { returnId: string }): Promise<boolean> {
  const [open] = await tx
    .select({ id: exceptions.id })
    .from(exceptions)
    .where(and(eq(exceptions.shopId, shopId), eq(exceptions.orderId, orderId), eq(exceptions.kind, "label_refund_failed"), eq(exceptions.status, "open"), sql`${exceptions.details}->>'purchaseId' = ${purchaseId}`))
    .limit(1);
  if (open) return false;
  await raiseExceptions(tx, shopId, [{ kind: "label_refund_failed", message, details: { ...owner, purchaseId } }], { orderId });
  return true;
}
