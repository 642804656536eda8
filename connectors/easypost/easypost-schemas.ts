import { z } from "zod";

/**
 * The parts of EasyPost's objects Switchyard reads, shaped on the official documentation's
 * responses (../shared/specs/easypost/responses). Everything the SDK hands back is parsed
 * through these before it is trusted; unknown fields pass through untouched.
 */

const nullableString = z.string().nullable().optional();

export const easyPostRateSchema = z
  .object({
    id: z.string().min(1),
    carrier: z.string().min(1),
    service: z.string().min(1),
    rate: z.union([z.string(), z.number()]),
    currency: z.string().length(3),
    delivery_days: z.number().int().nonnegative().nullable().optional(),
    est_delivery_days: z.number().int().nonnegative().nullable().optional(),
    delivery_date: nullableString,
    shipment_id: z.string().nullable().optional(),
  })
  .passthrough();
export type EasyPostRate = z.infer<typeof easyPostRateSchema>;

export const easyPostPostageLabelSchema = z
  .object({
    label_url: z.string().url(),
    label_pdf_url: z.string().url().nullable().optional(),
    label_file_type: nullableString,
  })
  .passthrough();

export const easyPostTrackerSchema = z
  .object({
    id: z.string().min(1),
    tracking_code: z.string().min(1),
    status: z.string().min(1),
    status_detail: nullableString,
    carrier: z.string().min(1),
    shipment_id: nullableString,
    est_delivery_date: nullableString,
    public_url: nullableString,
    updated_at: nullableString,
  })
  .passthrough();
export type EasyPostTracker = z.infer<typeof easyPostTrackerSchema>;

export const easyPostShipmentSchema = z
  .object({
    id: z.string().min(1),
    object: z.literal("Shipment").optional(),
    reference: nullableString,
    status: nullableString,
    tracking_code: nullableString,
    rates: z.array(easyPostRateSchema).default([]),
    selected_rate: easyPostRateSchema.nullable().optional(),
    postage_label: easyPostPostageLabelSchema.nullable().optional(),
    tracker: easyPostTrackerSchema.nullable().optional(),
    refund_status: nullableString,
    messages: z.array(z.object({ carrier: nullableString, message: z.union([z.string(), z.unknown()]).optional(), type: nullableString }).passthrough()).default([]),
  })
  .passthrough();
export type EasyPostShipment = z.infer<typeof easyPostShipmentSchema>;

const verificationErrorSchema = z.object({ code: nullableString, field: nullableString, message: z.string() }).passthrough();
const verificationSchema = z
  .object({ success: z.boolean(), errors: z.array(verificationErrorSchema).default([]) })
  .passthrough();

export const easyPostAddressSchema = z
  .object({
    id: z.string().min(1),
    name: nullableString,
    company: nullableString,
    street1: nullableString,
    street2: nullableString,
    city: nullableString,
    state: nullableString,
    zip: nullableString,
    country: nullableString,
    phone: nullableString,
    verifications: z
      .object({ delivery: verificationSchema.optional(), zip4: verificationSchema.optional() })
      .passthrough()
      .default({}),
  })
  .passthrough();
export type EasyPostAddress = z.infer<typeof easyPostAddressSchema>;

/** A webhook Event: `description` names what happened, `result` carries the object. */
export const easyPostEventSchema = z
  .object({
    id: z.string().min(1),
    object: z.literal("Event"),
    description: z.string().min(1),
    mode: z.string().optional(),
    created_at: z.string().optional(),
    updated_at: z.string().optional(),
    previous_attributes: z.record(z.unknown()).nullable().optional(),
    result: z.record(z.unknown()),
  })
  .passthrough();
export type EasyPostEvent = z.infer<typeof easyPostEventSchema>;
