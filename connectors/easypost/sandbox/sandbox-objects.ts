import { randomBytes } from "node:crypto";
import { centsToDecimal, priceService, SANDBOX_SERVICES, zoneBetween } from "./sandbox-rate-card.js";

/**
 * EasyPost objects as the sandbox holds and returns them, with the fields and nesting of the
 * official documentation's responses (../shared/specs/easypost/responses/shipments/*.json).
 */

export type Json = Record<string, unknown>;

export function easyPostId(prefix: string): string {
  return `${prefix}_${randomBytes(16).toString("hex")}`;
}

function nowIso(now: number): string {
  return new Date(now).toISOString().replace(/\.\d{3}Z$/, "Z");
}

export interface SandboxAddressInput {
  name?: string;
  company?: string;
  street1?: string;
  street2?: string;
  city?: string;
  state?: string;
  zip?: string;
  country?: string;
  phone?: string;
  email?: string;
}

/** The documentation's own "incorrect" address is the one the sandbox cannot deliver to. */
export function addressProblems(input: SandboxAddressInput): { code: string; field: string; message: string }[] {
  const problems: { code: string; field: string; message: string }[] = [];
  if (!input.street1?.trim() || /^0+\s/.test(input.street1.trim()) || /unknown street/i.test(input.street1)) {
    problems.push({ code: "E.ADDRESS.NOT_FOUND", field: "address", message: "Address not found" });
  }
  if (!input.zip?.trim() || /^0+1?$/.test(input.zip.trim())) {
    problems.push({ code: "E.ZIP.NOT_FOUND", field: "zip", message: "Zip not found" });
  }
  return problems;
}

export function addressObject(input: SandboxAddressInput, now: number, verify: boolean): Json {
  const at = nowIso(now).replace("Z", "+00:00");
  const problems = verify ? addressProblems(input) : [];
  const verification = { success: problems.length === 0, errors: problems, details: problems.length === 0 ? { latitude: null, longitude: null, time_zone: null } : null };
  return {
    id: easyPostId("adr"),
    object: "Address",
    created_at: at,
    updated_at: at,
    name: input.name ?? null,
    company: input.company ?? null,
    street1: input.street1?.toUpperCase() ?? null,
    street2: input.street2?.toUpperCase() ?? null,
    city: input.city?.toUpperCase() ?? null,
    state: input.state?.toUpperCase() ?? null,
    zip: input.zip ?? null,
    country: (input.country ?? "US").toUpperCase(),
    phone: input.phone ?? null,
    email: input.email ?? null,
    mode: "test",
    carrier_facility: null,
    residential: null,
    federal_tax_id: null,
    state_tax_id: null,
    verifications: verify ? { zip4: verification, delivery: verification } : {},
  };
}

export interface SandboxParcelInput {
  weight?: number;
  length?: number;
  width?: number;
  height?: number;
}

export function parcelObject(input: SandboxParcelInput, now: number): Json {
  const at = nowIso(now);
  return {
    id: easyPostId("prcl"),
    object: "Parcel",
    created_at: at,
    updated_at: at,
    length: input.length ?? null,
    width: input.width ?? null,
    height: input.height ?? null,
    predefined_package: null,
    weight: input.weight,
    mode: "test",
  };
}

export function rateObjects(shipmentId: string, fromZip: string | undefined, toZip: string | undefined, weightOunces: number, now: number): Json[] {
  const zone = zoneBetween(fromZip, toZip);
  const at = nowIso(now);
  return SANDBOX_SERVICES.map((service) => {
    const { cents, days } = priceService(service, weightOunces, zone);
    const retail = Math.round(cents * 1.35);
    return {
      id: easyPostId("rate"),
      object: "Rate",
      created_at: at,
      updated_at: at,
      mode: "test",
      service: service.service,
      carrier: service.carrier,
      rate: centsToDecimal(cents),
      currency: "USD",
      retail_rate: centsToDecimal(retail),
      retail_currency: "USD",
      list_rate: centsToDecimal(cents),
      list_currency: "USD",
      billing_type: "easypost",
      delivery_days: days,
      delivery_date: null,
      delivery_date_guaranteed: false,
      est_delivery_days: days,
      shipment_id: shipmentId,
      carrier_account_id: service.carrierAccountId,
    };
  });
}

export function shipmentObject(input: { from: Json; to: Json; parcel: Json; reference: string | null; isReturn: boolean; now: number }): Json {
  const id = easyPostId("shp");
  const at = nowIso(input.now);
  const weight = typeof input.parcel.weight === "number" ? input.parcel.weight : 0;
  return {
    id,
    created_at: at,
    is_return: input.isReturn,
    messages: [],
    mode: "test",
    options: { currency: "USD", payment: { type: "SENDER" }, date_advance: 0 },
    reference: input.reference,
    status: "unknown",
    tracking_code: null,
    updated_at: at,
    batch_id: null,
    batch_status: null,
    batch_message: null,
    customs_info: null,
    from_address: input.from,
    insurance: null,
    order_id: null,
    parcel: input.parcel,
    postage_label: null,
    rates: rateObjects(id, input.from.zip as string | undefined, input.to.zip as string | undefined, weight, input.now),
    refund_status: null,
    scan_form: null,
    selected_rate: null,
    tracker: null,
    to_address: input.to,
    usps_zone: zoneBetween(input.from.zip as string | undefined, input.to.zip as string | undefined),
    return_address: input.from,
    buyer_address: input.to,
    forms: [],
    fees: [],
    object: "Shipment",
  };
}

export function postageLabelObject(labelUrl: string, now: number): Json {
  const at = nowIso(now);
  return {
    object: "PostageLabel",
    id: easyPostId("pl"),
    created_at: at,
    updated_at: at,
    date_advance: 0,
    integrated_form: "none",
    label_date: at,
    label_resolution: 300,
    label_size: "4x6",
    label_type: "default",
    label_file_type: "application/pdf",
    label_url: labelUrl,
    label_pdf_url: labelUrl,
    label_zpl_url: null,
    label_epl2_url: null,
    label_file: null,
  };
}

export function trackingCode(carrier: string): string {
  const digits = Array.from(randomBytes(11), (b) => String(b % 10)).join("");
  return carrier === "UPS" ? `1Z${digits.slice(0, 6).toUpperCase()}03${digits.slice(0, 8)}` : `94${digits}${digits.slice(0, 9)}`;
}

export function trackerObject(input: { trackingCode: string; carrier: string; shipmentId: string | null; publicUrl: string; now: number }): Json {
  const at = nowIso(input.now);
  return {
    id: easyPostId("trk"),
    object: "Tracker",
    mode: "test",
    tracking_code: input.trackingCode,
    status: "pre_transit",
    status_detail: "label_created",
    created_at: at,
    updated_at: at,
    signed_by: null,
    weight: null,
    est_delivery_date: null,
    shipment_id: input.shipmentId,
    carrier: input.carrier,
    tracking_details: [
      {
        object: "TrackingDetail",
        message: "Shipping Label Created",
        description: null,
        status: "pre_transit",
        status_detail: "label_created",
        datetime: at,
        source: input.carrier,
        carrier_code: null,
        tracking_location: { object: "TrackingLocation", city: null, state: null, country: null, zip: null },
      },
    ],
    fees: [],
    carrier_detail: null,
    public_url: input.publicUrl,
  };
}

export function eventObject(description: string, result: Json, previous: Json, now: number): Json {
  const at = new Date(now).toISOString();
  return {
    description,
    mode: "test",
    previous_attributes: previous,
    created_at: at,
    pending_urls: [],
    completed_urls: [],
    updated_at: at,
    id: easyPostId("evt"),
    user_id: "user_sandbox",
    status: "pending",
    object: "Event",
    result,
  };
}

export function errorBody(code: string, message: string, errors: unknown[] = []): Json {
  return { error: { code, message, errors } };
}
