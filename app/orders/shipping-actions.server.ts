import { and, eq } from "drizzle-orm";
import type { Database } from "../../db/client";
import { enqueueLabelPurchase, planShipments, shipShipment } from "../../db/repositories/shipment-repository";
import { shipments } from "../../db/schema";
import { enqueueLabelRefund } from "../../db/repositories/label-refund-repository";
import type { ShippingAction } from "../params/shipment-params";

export type ShippingActionOutcome = { ok: true; message: string } | { ok: false; reason: string };

/**
 * What the order page's shipping buttons do: each is one call into the repositories, and the
 * carrier work (buying, voiding) runs in jobs so a slow provider never holds the page.
 */
export async function applyShippingAction(db: Database, input: { shopId: string; orderId: string; actor: string; action: ShippingAction }): Promise<ShippingActionOutcome> {
  const { action } = input;
  if (action.intent === "buy_labels") {
    const planned = await planShipments(db, { shopId: input.shopId, orderId: input.orderId, actor: input.actor });
    return planned.ok ? { ok: true, message: `Buying ${planned.value.shipmentIds.length} label(s)` } : { ok: false, reason: planned.reason };
  }
  const [shipment] = await db
    .select({ id: shipments.id, status: shipments.status })
    .from(shipments)
    .where(and(eq(shipments.shopId, input.shopId), eq(shipments.orderId, input.orderId), eq(shipments.id, action.shipmentId)));
  if (!shipment) return { ok: false, reason: "shipment_not_found" };
  switch (action.intent) {
    case "retry_label":
      if (shipment.status !== "pending") return { ok: false, reason: "label_already_purchased" };
      await enqueueLabelPurchase(db, { shopId: input.shopId, shipmentId: shipment.id });
      return { ok: true, message: "Buying the label again" };
    case "void_label":
      if (shipment.status !== "label_purchased") return { ok: false, reason: "no_label_to_void" };
      await enqueueLabelRefund(db, { shopId: input.shopId, shipmentId: shipment.id, actor: input.actor });
      return { ok: true, message: "Voiding the label" };
    case "mark_shipped": {
      const shipped = await shipShipment(db, { shopId: input.shopId, shipmentId: shipment.id, actor: input.actor });
      return shipped.ok ? { ok: true, message: shipped.value.alreadyShipped ? "Already shipped" : "Shipped" } : { ok: false, reason: shipped.reason };
    }
  }
}
