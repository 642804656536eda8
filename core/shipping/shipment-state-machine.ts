import type { Err } from "../shared/result.js";

/**
 * A shipment's life as data (rule 7): one parcel from one location. pending (no label yet) ->
 * label_purchased -> shipped (left the building: ship movements in the ledger) -> delivered.
 * A voided label sends the shipment back to pending so it can be bought again; a cancelled
 * shipment never ships.
 */

export const SHIPMENT_STATUSES = ["pending", "label_purchased", "shipped", "delivered", "cancelled"] as const;
export type ShipmentStatus = (typeof SHIPMENT_STATUSES)[number];

export const SHIPMENT_EVENTS = ["buy_label", "void_label", "ship", "deliver", "cancel"] as const;
export type ShipmentEvent = (typeof SHIPMENT_EVENTS)[number];

export type ShipmentRefusal =
  | "label_already_purchased"
  | "no_label_to_void"
  | "shipment_already_shipped"
  | "shipment_not_shipped"
  | "shipment_already_delivered"
  | "shipment_cancelled";

export const SHIPMENT_TRANSITIONS: {
  readonly [E in ShipmentEvent]: { readonly from: readonly ShipmentStatus[]; readonly to: ShipmentStatus; readonly refusedBecause: ShipmentRefusal };
} = {
  buy_label: { from: ["pending"], to: "label_purchased", refusedBecause: "label_already_purchased" },
  // Carriers refund only labels that were never scanned: once shipped, the label is spent.
  void_label: { from: ["label_purchased"], to: "pending", refusedBecause: "no_label_to_void" },
  // Pending ships too: a merchant may hand a parcel over with a label bought elsewhere.
  ship: { from: ["pending", "label_purchased"], to: "shipped", refusedBecause: "shipment_already_shipped" },
  deliver: { from: ["shipped"], to: "delivered", refusedBecause: "shipment_not_shipped" },
  cancel: { from: ["pending", "label_purchased"], to: "cancelled", refusedBecause: "shipment_already_shipped" },
};

const STATUS_REFUSALS: { readonly [S in ShipmentStatus]?: ShipmentRefusal } = {
  cancelled: "shipment_cancelled",
  delivered: "shipment_already_delivered",
};

export type ShipmentTransition = { readonly ok: true; readonly to: ShipmentStatus } | Err<ShipmentRefusal>;

export function shipmentTransition(status: ShipmentStatus, event: ShipmentEvent): ShipmentTransition {
  const rule = SHIPMENT_TRANSITIONS[event];
  if (rule.from.includes(status)) return { ok: true, to: rule.to };
  return { ok: false, reason: STATUS_REFUSALS[status] ?? rule.refusedBecause, detail: `${event} is not allowed from ${status}` };
}

export function isShipmentStatus(value: string): value is ShipmentStatus {
  return (SHIPMENT_STATUSES as readonly string[]).includes(value);
}

/**
 * What a carrier's tracking status means for the shipment. EasyPost's tracker statuses: a scan
 * in transit means the parcel left (ship), delivered means delivered; pre_transit is only the
 * label; failures are for a person to look at.
 */
export type TrackingEffect = "none" | "ship" | "deliver" | "problem";

export function trackingEffect(trackingStatus: string): TrackingEffect {
  switch (trackingStatus) {
    case "in_transit":
    case "out_for_delivery":
    case "available_for_pickup":
      return "ship";
    case "delivered":
      return "deliver";
    case "return_to_sender":
    case "failure":
    case "error":
      return "problem";
    default:
      return "none";
  }
}
