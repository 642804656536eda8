import { z } from "zod";

// Imported by the fulfilment form in the browser too: keep server-only modules out of this file.

/** Carriers the manual fulfilment form offers; the value is what the channel is told. */
export const FULFILMENT_CARRIERS = ["USPS", "UPS", "FedEx", "DHL Express", "Other"] as const;

const optionalText = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (typeof value === "string" && value.trim() === "" ? undefined : value), schema.optional());

/**
 * The "Mark as fulfilled" form: one carrier and tracking number for the whole order. Spaces
 * inside a tracking number are dropped (people paste them grouped), nothing else is rewritten.
 */
export const fulfilOrderFormSchema = z.object({
  intent: z.literal("fulfil"),
  carrier: z.enum(FULFILMENT_CARRIERS, { error: "Choose a carrier" }),
  trackingNumber: z
    .string({ error: (issue) => (issue.input === undefined ? "Enter the tracking number" : undefined) })
    .transform((value) => value.replace(/\s+/g, ""))
    .pipe(
      z
        .string()
        .min(1, "Enter the tracking number")
        .max(64, "A tracking number has at most 64 characters")
        .regex(/^[A-Za-z0-9-]+$/, "Use only letters, digits and dashes"),
    ),
  // Piped so the length is checked first and its message is the one shown for an overlong value.
  trackingUrl: optionalText(
    z
      .string()
      .trim()
      .max(500, "The tracking URL is too long")
      .pipe(
        z.url("Enter a full URL, starting with https://").refine((value) => /^https?:\/\//i.test(value), "Enter a full URL, starting with https://"),
      ),
  ),
});
export type FulfilOrderForm = z.infer<typeof fulfilOrderFormSchema>;
export type FulfilOrderFieldErrors = Partial<Record<"carrier" | "trackingNumber" | "trackingUrl", string>>;

/** The first message per field, ready to show under each input. */
export function fulfilOrderFieldErrors(error: z.ZodError): FulfilOrderFieldErrors {
  const fieldErrors: FulfilOrderFieldErrors = {};
  for (const issue of error.issues) {
    const field = issue.path[0];
    if ((field === "carrier" || field === "trackingNumber" || field === "trackingUrl") && !fieldErrors[field]) fieldErrors[field] = issue.message;
  }
  return fieldErrors;
}
