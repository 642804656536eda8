import type { Task } from "graphile-worker";
import { and, eq } from "drizzle-orm";
import { heldPurchaseRecord, purchaseRecordById, type PurchaseRecordForRefund } from "../../db/repositories/label-purchase-records";
import { LABEL_REFUND_JOB_MAX_ATTEMPTS, recordLabelRefundFailed, recordLabelVoided } from "../../db/repositories/label-refund-repository";
import { appendTimeline } from "../../db/repositories/order-timeline-repository";
import { labelPurchases, shipments } from "../../db/schema";
import { jobPayloadSchemas, type ParsedJobPayload } from "../../db/queue/job-payloads";
import type { TaskContext } from "../task-context";
import { finalRefusal, refundLabelAtProvider, type JobAttempt, type LabelRefundOutcome } from "./refund-label-at-provider";

interface ShipmentForVoid {
  id: string;
  orderId: string;
  status: string;
  providerShipmentId: string | null;
}

/**
 * Refunds (voids) an unused label. Without a purchase named, the merchant's "Void label": the
 * label the shipment holds, if bought and not shipped; the shipment goes back to pending. Naming
 * a purchase, a label bought but never to be used (ADR 0009): a cancelled shipment's, one found
 * after its shipment stopped waiting, or a second label bought for a shipment that keeps
 * another; the shipment is left as it is. The provider answers `submitted` (the carrier confirms
 * later) or `rejected` (the label was scanned); on a rejection the label stands and the merchant
 * is told why. Transport trouble is retried by the job; an unused label whose refund fails for
 * good is an exception for the merchant (the money is spent on nothing).
 */
export async function voidLabel(
  context: TaskContext,
  payload: ParsedJobPayload<"shipping/void-label">,
  attempt: JobAttempt = { attempts: 1, maxAttempts: LABEL_REFUND_JOB_MAX_ATTEMPTS },
): Promise<LabelRefundOutcome> {
  const { db } = context;
  const [shipment] = await db
    .select({ id: shipments.id, orderId: shipments.orderId, status: shipments.status, providerShipmentId: shipments.providerShipmentId })
    .from(shipments)
    .where(and(eq(shipments.shopId, payload.shopId), eq(shipments.id, payload.shipmentId)));
  if (!shipment) return { status: "gone" };
  const purchase = await purchaseToRefund(context, payload, shipment);
  if ("refused" in purchase) return { status: "refused", reason: purchase.refused };

  const answer = await refundLabelAtProvider(context, payload.shopId, purchase.providerShipmentId);
  if (answer.outcome === "refunded") {
    await recordLabelVoided(db, { shopId: payload.shopId, shipmentId: shipment.id, orderId: shipment.orderId, purchase, refundStatus: answer.refundStatus, actor: payload.actor });
    return { status: "voided", refund: answer.refundStatus };
  }
  const { reason, detail } = finalRefusal(answer, attempt);
  if (payload.purchaseId !== undefined) {
    await recordLabelRefundFailed(db, { shopId: payload.shopId, shipmentId: shipment.id, orderId: shipment.orderId, purchase, detail });
  } else {
    // The merchant's own void: the label stands and is still theirs to use, so the timeline
    // where they asked says why, and they can void again.
    await appendTimeline(db, payload.shopId, shipment.orderId, [{ kind: "label_void_refused", message: `The label could not be voided: ${detail}`, data: { shipmentId: shipment.id }, actor: payload.actor }]);
  }
  return { status: "refused", reason };
}

/**
 * Which purchase a void refunds. A named one is refunded whatever the shipment holds, but never
 * when it is the label the shipment keeps for use (it holds that provider shipment and is not
 * cancelled): that label is refunded only by the merchant's void. A purchase not `purchased`
 * (already voided by a redelivered job) is refused, so nothing is refunded twice.
 */
async function purchaseToRefund(context: TaskContext, payload: ParsedJobPayload<"shipping/void-label">, shipment: ShipmentForVoid): Promise<PurchaseRecordForRefund | { refused: string }> {
  const owner = { table: labelPurchases, shipmentId: shipment.id };
  if (payload.purchaseId !== undefined) {
    const record = await purchaseRecordById(context.db, owner, payload.purchaseId);
    const keptForUse = shipment.status !== "cancelled" && shipment.providerShipmentId === record?.providerShipmentId;
    return record && record.state === "purchased" && !keptForUse ? record : { refused: "no_label" };
  }
  if (shipment.status === "shipped" || shipment.status === "delivered") return { refused: "label_used" };
  if (shipment.status !== "label_purchased" || !shipment.providerShipmentId) return { refused: "no_label" };
  // The record of the label the shipment holds: not the latest attempt's when a second label
  // was bought (and refunded) after the one the shipment kept.
  return (await heldPurchaseRecord(context.db, owner, shipment.providerShipmentId)) ?? { refused: "no_label" };
}

/** shipping/void-label: refund one shipment's unused label. */
export function shippingVoidLabelTask(context: TaskContext): Task {
  return async (rawPayload, helpers) => {
    const payload = jobPayloadSchemas["shipping/void-label"].parse(rawPayload);
    const outcome = await voidLabel(context, payload, { attempts: helpers.job.attempts, maxAttempts: helpers.job.max_attempts });
    helpers.logger.info(`void label of shipment ${payload.shipmentId}${payload.purchaseId ? ` (purchase ${payload.purchaseId})` : ""}: ${outcome.status}${outcome.status === "refused" ? ` (${outcome.reason})` : ""}`);
  };
}
