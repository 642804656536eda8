import type { Task } from "graphile-worker";
import { and, eq } from "drizzle-orm";
import { carrierGatewayFor } from "../../connectors/easypost/easypost-account-gateway";
import { isTransientCarrierFailure } from "../../connectors/easypost/easypost-failures";
import { credentialCipher } from "../../db/crypto/encryption-key";
import { findCarrierAccount } from "../../db/repositories/carrier-account-repository";
import { latestLabelPurchase, recordLabelVoided } from "../../db/repositories/label-purchase-repository";
import { appendTimeline } from "../../db/repositories/order-timeline-repository";
import { shipments } from "../../db/schema";
import { jobPayloadSchemas, type ParsedJobPayload } from "../../db/queue/job-payloads";
import type { TaskContext } from "../task-context";
import { LabelPurchaseRetry } from "./buy-label-once";

export type VoidOutcome = { status: "voided"; refund: string } | { status: "refused"; reason: string } | { status: "gone" };

/**
 * Refunds (voids) an unused label: only a shipment whose label was bought and has not shipped,
 * or (a payload naming the purchase) the label of a shipment cancelled before it shipped or a
 * label found bought after its shipment was cancelled.
 * The provider answers `submitted` (the carrier confirms later) or `rejected` (the label was
 * scanned); on a rejection the label stands and the merchant is told why.
 */
export async function voidLabel(context: TaskContext, payload: ParsedJobPayload<"shipping/void-label">): Promise<VoidOutcome> {
  const { db } = context;
  const [shipment] = await db
    .select({ id: shipments.id, orderId: shipments.orderId, status: shipments.status, providerShipmentId: shipments.providerShipmentId })
    .from(shipments)
    .where(and(eq(shipments.shopId, payload.shopId), eq(shipments.id, payload.shipmentId)));
  if (!shipment) return { status: "gone" };
  const record = await latestLabelPurchase(db, shipment.id);
  if (payload.purchaseId !== undefined) {
    // A label found after its shipment stopped waiting for it (ADR 0009): the shipment never took
    // this label (its provider shipment is not the record's), so the label is unused and only
    // that purchase is refunded. Or the label of a shipment cancelled before it shipped: the
    // cancelled shipment keeps it on record but will never use it. A shipment holding a label
    // for use is never touched here (recordLabelVoided would send it back to pending); the
    // shipment is left as it is (recordLabelVoided only moves a `label_purchased` one).
    const holdsItForUse = shipment.status === "label_purchased" || (shipment.status !== "cancelled" && shipment.providerShipmentId === record?.providerShipmentId);
    if (!record || record.id !== payload.purchaseId || record.state !== "purchased" || holdsItForUse) {
      return { status: "refused", reason: "no_label" };
    }
  } else if (shipment.status !== "label_purchased" || !record || record.state !== "purchased") {
    return { status: "refused", reason: shipment.status === "shipped" || shipment.status === "delivered" ? "label_used" : "no_label" };
  }
  const account = await findCarrierAccount(db, context.cipher ?? credentialCipher(), payload.shopId);
  const built = account ? (context.carrierGateways ?? carrierGatewayFor)(account) : undefined;
  if (!built?.ok) return { status: "refused", reason: "no_carrier_account" };
  const refunded = await built.value.refundLabel(record.providerShipmentId);
  if (!refunded.ok) {
    if (isTransientCarrierFailure(refunded.reason)) throw new LabelPurchaseRetry(refunded);
    await appendTimeline(db, payload.shopId, shipment.orderId, [
      { kind: "label_void_refused", message: `The provider refused to void the label: ${refunded.detail ?? refunded.reason}`, data: { shipmentId: shipment.id }, actor: payload.actor },
    ]);
    return { status: "refused", reason: refunded.reason };
  }
  if (refunded.value.status === "rejected" || refunded.value.status === "not_applicable") {
    await appendTimeline(db, payload.shopId, shipment.orderId, [
      { kind: "label_void_refused", message: `The carrier will not refund this label (${refunded.value.status}); it was probably scanned`, data: { shipmentId: shipment.id }, actor: payload.actor },
    ]);
    return { status: "refused", reason: refunded.value.status };
  }
  await recordLabelVoided(db, { shopId: payload.shopId, shipmentId: shipment.id, orderId: shipment.orderId, purchaseId: record.id, refundStatus: refunded.value.status, actor: payload.actor });
  return { status: "voided", refund: refunded.value.status };
}

/** shipping/void-label: refund one shipment's unused label. */
export function shippingVoidLabelTask(context: TaskContext): Task {
  return async (rawPayload, helpers) => {
    const payload = jobPayloadSchemas["shipping/void-label"].parse(rawPayload);
    const outcome = await voidLabel(context, payload);
    helpers.logger.info(`void label of shipment ${payload.shipmentId}: ${outcome.status}`);
  };
}
