import type { RmaEvent, RmaStatus } from "./rma-state-machine.js";

/**
 * What a carrier's tracking status means for a return on its way back: picked up (in transit,
 * out for delivery, at a pickup point) moves a labelled return to in_transit; delivered to the
 * receiving location means received. Anything else (pre-transit, exceptions) moves nothing;
 * a delivery problem is the merchant's to look at on the return page.
 */
const MOVING = ["in_transit", "out_for_delivery", "available_for_pickup"];

export function rmaEventForTracking(status: RmaStatus, trackingStatus: string): Extract<RmaEvent, "mark_in_transit" | "receive"> | null {
  if (trackingStatus === "delivered") return status === "approved" || status === "label_issued" || status === "in_transit" ? "receive" : null;
  if (MOVING.includes(trackingStatus)) return status === "label_issued" ? "mark_in_transit" : null;
  return null;
}
