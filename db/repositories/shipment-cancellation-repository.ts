import { and, asc, eq, inArray, sql } from "drizzle-orm";
import { isShipmentStatus, shipmentTransition } from "../../core/shipping/shipment-state-machine";
import type { Tx } from "../client";
import { labelPurchases, shipments, wmsHandoffs } from "../schema";
import { heldPurchaseRecord } from "./label-purchase-records";
import { enqueueLabelRefund } from "./label-refund-repository";
import { appendTimeline, raiseExceptions } from "./order-timeline-repository";

export interface CancelledShipments {
  cancelled: string[];
  /** Shipments whose bought, unshipped label is queued for a refund. */
  refunding: string[];
  /** Cancelled shipments a WMS was (or may have been) told to pick. */
  handedToWms: string[];
}

/**
 * The shipments of an order being cancelled, in the cancellation's transaction (both the
 * merchant's and the channel's path). The caller holds the order's lock (ADR 0003: order, then
 * its rows). Every shipment the machine lets `cancel` (pending or label bought, never shipped)
 * becomes `cancelled`; a bought label is refunded by shipping/void-label naming its purchase,
 * queued with the cancellation (rule 4); the shipment stays cancelled when the refund lands.
 * A WMS hand-off has no cancellation message to send, so the merchant gets an exception telling
 * them to stop the pick there.
 */
export async function cancelOrderShipments(tx: Tx, input: { shopId: string; orderId: string; actor: string }): Promise<CancelledShipments> {
  const rows = await tx
    .select({ id: shipments.id, status: shipments.status, trackingNumber: shipments.trackingNumber, providerShipmentId: shipments.providerShipmentId })
    .from(shipments)
    .where(and(eq(shipments.shopId, input.shopId), eq(shipments.orderId, input.orderId)))
    .orderBy(asc(shipments.id))
    .for("update");
  const cancellable = rows.filter((row) => isShipmentStatus(row.status) && shipmentTransition(row.status, "cancel").ok);
  const result: CancelledShipments = { cancelled: cancellable.map((row) => row.id), refunding: [], handedToWms: [] };
  if (cancellable.length === 0) return result;
  await tx.update(shipments).set({ status: "cancelled" }).where(inArray(shipments.id, result.cancelled));

  const refunds: string[] = [];
  for (const row of cancellable) {
    if (row.status !== "label_purchased" || !row.providerShipmentId) continue;
    // Only the label this shipment holds (a label bought elsewhere has no record to refund). Its
    // record need not be the latest attempt: a second label may have been bought, and refunded,
    // after it (ADR 0009).
    const record = await heldPurchaseRecord(tx, { table: labelPurchases, shipmentId: row.id }, row.providerShipmentId);
    if (!record) continue;
    // Named by its purchase, like an unused label's refund: one refund job per purchase.
    await enqueueLabelRefund(tx, { shopId: input.shopId, shipmentId: row.id, actor: input.actor, purchaseId: record.id });
    result.refunding.push(row.id);
    refunds.push(row.trackingNumber ?? row.id);
  }

  const handoffs = await tx
    .selectDistinct({ shipmentId: wmsHandoffs.shipmentId })
    .from(wmsHandoffs)
    .where(and(inArray(wmsHandoffs.shipmentId, result.cancelled), sql`${wmsHandoffs.status} <> 'failed'`));
  result.handedToWms = handoffs.map((h) => h.shipmentId).sort();

  const shipmentWord = result.cancelled.length === 1 ? "shipment" : "shipments";
  await appendTimeline(tx, input.shopId, input.orderId, [
    {
      kind: "shipments_cancelled",
      message: `Cancelled ${result.cancelled.length} ${shipmentWord}${refunds.length > 0 ? `; refunding label${refunds.length === 1 ? "" : "s"} ${refunds.join(", ")}` : ""}`,
      data: { shipmentIds: result.cancelled, refunding: result.refunding },
      actor: input.actor,
    },
  ]);
  if (result.handedToWms.length > 0) {
    await raiseExceptions(
      tx,
      input.shopId,
      [
        {
          kind: "wms_pick_cancel",
          message: "The order was cancelled after its shipment was sent (or queued) to the WMS for picking: stop the pick there if it started (Switchyard has no way to tell the WMS)",
          details: { shipmentIds: result.handedToWms },
        },
      ],
      { orderId: input.orderId },
    );
  }
  return result;
}
