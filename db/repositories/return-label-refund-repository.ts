import { and, eq } from "drizzle-orm";
import type { PurchasedLabel } from "../../core/ports/carrier-gateway-port";
import type { Database, DbOrTx, Tx } from "../client";
import { enqueueJob } from "../queue/job-queue";
import { returnLabelPurchases, returns } from "../schema";
import { claimPurchaseRecord, markPurchaseVoided, purchaseRecordById, type PurchaseRecordForRefund } from "./label-purchase-records";
import { LABEL_REFUND_JOB_MAX_ATTEMPTS, labelName, raiseRefundFailedOnce } from "./label-refund-repository";
import { appendTimeline } from "./order-timeline-repository";
import { appendReturnEvents } from "./return-request-repository";

/**
 * Refunds of return labels bought but never to be used (returns/void-label, ADR 0009): a second
 * label bought for a return that keeps the label it holds, or a label found for a return that no
 * longer needs one (the customer keeps the item, the return was cancelled or went on without
 * it). What the merchant reads goes on the return's events and, like every return label entry,
 * on the order's timeline.
 */

export interface ReturnForRefund {
  id: string;
  orderId: string;
  rmaNumber: string;
  providerShipmentId: string | null;
}

/**
 * A label the return will not use: the record says `purchased` (the money is spent), the return
 * is left as it is (it keeps the label it holds, or needs none), and the refund is queued with the
 * record (rule 4). Only the run that claims the record does this (false for another): one entry,
 * one refund. The caller holds the return's lock.
 */
export async function unusedReturnLabelFound(
  tx: Tx,
  input: { shopId: string; rma: ReturnForRefund; purchaseId: string; label: PurchasedLabel },
  entry: { kind: "label_second_refunding" | "label_found_refunding"; message: string },
): Promise<boolean> {
  if (!(await claimPurchaseRecord(tx, returnLabelPurchases, input.purchaseId, input.label))) return false;
  const data = { purchaseId: input.purchaseId, providerShipmentId: input.label.providerShipmentId, amountMinor: input.label.amountMinor, currency: input.label.currency };
  await noteOnReturnAndOrder(tx, input.shopId, input.rma, { ...entry, actor: "system:label", data });
  await enqueueJob(
    tx,
    "returns/void-label",
    { shopId: input.shopId, returnId: input.rma.id, purchaseId: input.purchaseId, actor: "system:label" },
    { jobKey: `returns/void-label:${input.rma.id}:${input.purchaseId}`, maxAttempts: LABEL_REFUND_JOB_MAX_ATTEMPTS },
  );
  return true;
}

/** The return and the named purchase a refund is for; null when either is not there. */
export async function loadReturnLabelRefund(db: DbOrTx, input: { shopId: string; returnId: string; purchaseId: string }): Promise<{ rma: ReturnForRefund; purchase: PurchaseRecordForRefund } | null> {
  const [rma] = await db
    .select({ id: returns.id, orderId: returns.orderId, rmaNumber: returns.rmaNumber, providerShipmentId: returns.providerShipmentId })
    .from(returns)
    .where(and(eq(returns.shopId, input.shopId), eq(returns.id, input.returnId)));
  if (!rma) return null;
  const purchase = await purchaseRecordById(db, { table: returnLabelPurchases, returnId: rma.id }, input.purchaseId);
  return purchase ? { rma, purchase } : null;
}

/** The provider took the refund: the attempt ends `voided`; nothing is written for a redelivered one. */
export async function recordReturnLabelVoided(db: Database, input: { shopId: string; rma: ReturnForRefund; purchase: PurchaseRecordForRefund; refundStatus: string; actor: string }): Promise<void> {
  await db.transaction(async (tx) => {
    if (!(await markPurchaseVoided(tx, returnLabelPurchases, input.purchase.id, input.refundStatus))) return;
    const message = `Unused return label ${labelName(input.purchase)} voided; refund ${input.refundStatus}`;
    await noteOnReturnAndOrder(tx, input.shopId, input.rma, { kind: "label_voided", message, actor: input.actor, data: { purchaseId: input.purchase.id } });
  });
}

/** A refund the job gave up on: an exception (one per purchase), and the return says why. */
export async function recordReturnLabelRefundFailed(db: Database, input: { shopId: string; rma: ReturnForRefund; purchase: PurchaseRecordForRefund; detail: string }): Promise<void> {
  await db.transaction(async (tx) => {
    const message = `The return label ${labelName(input.purchase)} bought for return ${input.rma.rmaNumber} could not be refunded (${input.detail}): ask for its refund in your EasyPost account`;
    if (await raiseRefundFailedOnce(tx, input.shopId, input.rma.orderId, input.purchase.id, message, { returnId: input.rma.id })) {
      await appendReturnEvents(tx, input.shopId, input.rma.id, [{ kind: "label_refund_failed", message, actor: "system:label", data: { purchaseId: input.purchase.id } }]);
    }
  });
}

/** One entry on the return's events and, like every return label entry, on its order's timeline. */
async function noteOnReturnAndOrder(tx: Tx, shopId: string, rma: ReturnForRefund, entry: { kind: string; message: string; actor: string; data: Record<string, unknown> }): Promise<void> {
  await appendReturnEvents(tx, shopId, rma.id, [entry]);
  await appendTimeline(tx, shopId, rma.orderId, [{ kind: "return_label", message: `Return ${rma.rmaNumber}: ${entry.message}`, data: { returnId: rma.id, ...entry.data }, actor: entry.actor }]);
}
