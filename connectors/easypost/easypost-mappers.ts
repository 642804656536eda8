import type { Parcel, PurchasedLabel, RateQuote, TrackerInfo } from "../../core/ports/carrier-gateway-port.js";
import type { PostalAddress } from "../../core/orders/unified-order.js";
import { decimalToMinorUnits } from "../../core/shared/decimal-money.js";
import { err, ok, type Result } from "../../core/shared/result.js";
import type { EasyPostAddress, EasyPostRate, EasyPostShipment, EasyPostTracker } from "./easypost-schemas.js";
import { gramsToOunces, mmToInches } from "./easypost-units.js";

/** Between the core's shapes and EasyPost's wire shapes, in both directions. */

export function toEasyPostAddress(address: PostalAddress, email?: string) {
  return {
    name: address.name,
    ...(address.company ? { company: address.company } : {}),
    street1: address.line1,
    ...(address.line2 ? { street2: address.line2 } : {}),
    city: address.city,
    ...(address.region ? { state: address.region } : {}),
    ...(address.postalCode ? { zip: address.postalCode } : {}),
    country: address.countryCode,
    ...(address.phone ? { phone: address.phone } : {}),
    ...(email ? { email } : {}),
  };
}

export function fromEasyPostAddress(address: EasyPostAddress, fallback: PostalAddress): PostalAddress {
  return {
    ...fallback,
    name: address.name || fallback.name,
    line1: address.street1 || fallback.line1,
    ...(address.street2 ? { line2: address.street2 } : {}),
    city: address.city || fallback.city,
    ...(address.state ? { region: address.state } : {}),
    ...(address.zip ? { postalCode: address.zip } : {}),
    countryCode: (address.country || fallback.countryCode).toUpperCase(),
  };
}

export function toEasyPostParcel(parcel: Parcel) {
  return {
    weight: gramsToOunces(parcel.weightGrams),
    ...(parcel.lengthMm && parcel.widthMm && parcel.heightMm
      ? { length: mmToInches(parcel.lengthMm), width: mmToInches(parcel.widthMm), height: mmToInches(parcel.heightMm) }
      : {}),
  };
}

export function toRateQuote(rate: EasyPostRate, shipmentId: string): Result<RateQuote, "malformed_rate"> {
  const amount = decimalToMinorUnits(rate.rate, rate.currency);
  if (!amount.ok) return err("malformed_rate", `rate ${rate.id}: ${amount.detail ?? amount.reason}`);
  const days = rate.delivery_days ?? rate.est_delivery_days ?? undefined;
  const date = rate.delivery_date ? new Date(rate.delivery_date) : undefined;
  return ok({
    providerShipmentId: rate.shipment_id ?? shipmentId,
    rateId: rate.id,
    carrier: rate.carrier,
    service: rate.service,
    amountMinor: amount.value,
    currency: rate.currency.toUpperCase(),
    ...(days !== undefined && days !== null ? { deliveryDays: days } : {}),
    ...(date && !Number.isNaN(date.getTime()) ? { estimatedDeliveryDate: date } : {}),
  });
}

/** The label of a bought shipment; null when the shipment has no label (not bought yet). */
export function toPurchasedLabel(shipment: EasyPostShipment): Result<PurchasedLabel | null, "malformed_rate" | "incomplete_label"> {
  if (!shipment.postage_label && !shipment.selected_rate) return ok(null);
  const rate = shipment.selected_rate;
  const label = shipment.postage_label;
  if (!rate || !label || !shipment.tracking_code) {
    return err("incomplete_label", `shipment ${shipment.id} has ${rate ? "" : "no selected rate "}${label ? "" : "no postage label "}${shipment.tracking_code ? "" : "no tracking code"}`.trim());
  }
  const amount = decimalToMinorUnits(rate.rate, rate.currency);
  if (!amount.ok) return err("malformed_rate", `selected rate ${rate.id}: ${amount.detail ?? amount.reason}`);
  const tracker = shipment.tracker ?? undefined;
  return ok({
    providerShipmentId: shipment.id,
    carrier: rate.carrier,
    service: rate.service,
    trackingNumber: shipment.tracking_code,
    ...(tracker?.public_url ? { trackingUrl: tracker.public_url } : {}),
    // The PDF when EasyPost made one, else the image it printed (PNG by default).
    labelUrl: label.label_pdf_url ?? label.label_url,
    amountMinor: amount.value,
    currency: rate.currency.toUpperCase(),
    ...(tracker ? { trackerId: tracker.id, trackingStatus: tracker.status } : {}),
  });
}

export function toTrackerInfo(tracker: EasyPostTracker): TrackerInfo {
  const eta = tracker.est_delivery_date ? new Date(tracker.est_delivery_date) : undefined;
  return {
    trackerId: tracker.id,
    trackingNumber: tracker.tracking_code,
    carrier: tracker.carrier,
    status: tracker.status,
    ...(tracker.public_url ? { publicUrl: tracker.public_url } : {}),
    ...(eta && !Number.isNaN(eta.getTime()) ? { estimatedDeliveryDate: eta } : {}),
  };
}
