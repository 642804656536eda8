import { easyPostEventSchema, easyPostTrackerSchema } from "../../../connectors/easypost/easypost-schemas";
import { applyReturnTrackingUpdate } from "../../../db/repositories/return-lifecycle-repository";
import { applyTrackingUpdate } from "../../../db/repositories/shipment-repository";
import type { Tx } from "../../../db/client";
import { failed, ignoredStale, processed, type DeliveryRow, type HandlerOutcome } from "../shopify/webhook-handler";

/**
 * EasyPost events from the inbox. Tracker events move our shipment (stored status, shipped,
 * delivered, problems) or, for a return label, the return (in transit, received); other events
 * are recorded as processed with nothing to do.
 */
export async function handleEasyPostDelivery(tx: Tx, delivery: DeliveryRow): Promise<HandlerOutcome> {
  if (!delivery.shopId) return failed("the delivery has no shop");
  const event = easyPostEventSchema.safeParse(delivery.payload);
  if (!event.success) return failed("payload is not an EasyPost Event");
  if (!event.data.description.startsWith("tracker.")) return processed(`nothing to do for ${event.data.description}`);
  const tracker = easyPostTrackerSchema.safeParse(event.data.result);
  if (!tracker.success) {
    const problem = tracker.error.issues.slice(0, 3).map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    return failed(`tracker is invalid: ${problem}`);
  }
  const at = new Date(tracker.data.updated_at ?? event.data.updated_at ?? delivery.receivedAt);
  const outcome = await applyTrackingUpdate(tx, {
    shopId: delivery.shopId,
    trackerId: tracker.data.id,
    trackingCode: tracker.data.tracking_code,
    status: tracker.data.status,
    statusDetail: tracker.data.status_detail ?? null,
    at: Number.isNaN(at.getTime()) ? new Date() : at,
  });
  if (outcome.outcome === "unknown_tracker") {
    // Not an outbound parcel: perhaps a return label's tracker.
    const returned = await applyReturnTrackingUpdate(tx, {
      shopId: delivery.shopId,
      trackerId: tracker.data.id,
      trackingCode: tracker.data.tracking_code,
      status: tracker.data.status,
      at: Number.isNaN(at.getTime()) ? new Date() : at,
    });
    if (returned.outcome === "unknown_tracker") return ignoredStale(`no shipment or return of this shop has tracker ${tracker.data.id}`);
    if (returned.outcome === "stale") return ignoredStale("a newer tracking update was already applied to the return");
    return processed(`return ${returned.returnId}: ${tracker.data.status}${returned.moved ? ` (now ${returned.moved})` : ""}`);
  }
  if (outcome.effect === "stale") return ignoredStale("a newer tracking update was already applied");
  return processed(`shipment ${outcome.shipmentId}: ${tracker.data.status} (${outcome.effect})`);
}
