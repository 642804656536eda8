import { z } from "zod";

/**
 * The parts of EasyPost's objects Switchyard reads, shaped on the official documentation's
 * responses (../shared/specs/easypost/responses). Everything the SDK hands back is parsed
 * through these before it is trusted; unknown fields pass through untouched.
 */

const nullableString = z.string().nullable().optional();

export const easyPostRateSchema = z.looseObject({
  id: z.string().min(1),
  carrier: z.string().min(1),
  service: z.string().min(1),
  rate: z.union([z.string(), z.number()]),
  currency: z.string().length(3),
  delivery_days: z.number().int().nonnegative().nullable().optional(),
  est_delivery_days: z.number().int().nonnegative().nullable().optional(),
  delivery_date: nullableString,
  shipment_id: z.string().nullable().optional(),
});
export type EasyPostRate = z.infer<typeof easyPostRateSchema>;

export const easyPostPostageLabelSchema = z.looseObject({
  label_url: z.url(),
  label_pdf_url: z.url().nullable().optional(),
  label_file_type: nullableString,
});

export const easyPostTrackerSchema = z.looseObject({
  id: z.string().min(1),
  tracking_code: z.string().min(1),
  status: z.string().min(1),
  status_detail: nullableString,
  carrier: z.string().min(1),
  shipment_id: nullableString,
  est_delivery_date: nullableString,
  public_url: nullableString,
  updated_at: nullableString,
});
export type EasyPostTracker = z.infer<typeof easyPostTrackerSchema>;

export const easyPostShipmentSchema = z.looseObject({
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
  messages: z.array(z.looseObject({ carrier: nullableString, message: z.union([z.string(), z.unknown()]).optional(), type: nullableString })).default([]),
});
export type EasyPostShipment = z.infer<typeof easyPostShipmentSchema>;

const verificationErrorSchema = z.looseObject({ code: nullableString, field: nullableString, message: z.string() });
const verificationSchema = z.looseObject({ success: z.boolean(), errors: z.array(verificationErrorSchema).default([]) });

export const easyPostAddressSchema = z.looseObject({
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
  verifications: z.looseObject({ delivery: verificationSchema.optional(), zip4: verificationSchema.optional() }).default({}),
});
export type EasyPostAddress = z.infer<typeof easyPostAddressSchema>;

/** A webhook Event: `description` names what happened, `result` carries the object. */
export const easyPostEventSchema = z.looseObject({
  id: z.string().min(1),
  object: z.literal("Event"),
  description: z.string().min(1),
  mode: z.string().optional(),
  created_at: z.string().optional(),
  updated_at: z.string().optional(),
  previous_attributes: z.record(z.string(), z.unknown()).nullable().optional(),
  result: z.record(z.string(), z.unknown()),
});
export type EasyPostEvent = z.infer<typeof easyPostEventSchema>;
