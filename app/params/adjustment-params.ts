import { z } from "zod";
import { MAX_STOCK_QUANTITY } from "../../core/shared/input-bounds";

const emptyToUndefined = (value: unknown) => (typeof value === "string" && value.trim() === "" ? undefined : value);

const quantity = z.preprocess(
  emptyToUndefined,
  z.coerce
    // Coercion turns a blank field into NaN before it is checked, so a blank reads "Enter a whole number" too.
    .number({ error: "Enter a whole number" })
    .int("Enter a whole number")
    .min(-MAX_STOCK_QUANTITY, `Enter at most ${MAX_STOCK_QUANTITY.toLocaleString("en-US")} units`)
    .max(MAX_STOCK_QUANTITY, `Enter at most ${MAX_STOCK_QUANTITY.toLocaleString("en-US")} units`),
);

const common = {
  locationId: z.guid("Choose a location"),
  reason: z.preprocess(
    emptyToUndefined,
    z.string({ error: (issue) => (issue.input === undefined ? "Say why stock changes (count, damage, found...)" : undefined) }).trim().min(3, "Give a reason of at least 3 characters").max(500),
  ),
};

/** The adjustment form: either a change (+/-) or a counted figure to set on hand to. */
export const adjustmentFormSchema = z.discriminatedUnion("mode", [
  z.object({
    mode: z.literal("delta"),
    quantity: quantity.refine((value) => value !== 0, "A change of 0 changes nothing"),
    ...common,
  }),
  z.object({ mode: z.literal("set"), quantity: quantity.refine((value) => value >= 0, "On hand cannot be negative"), ...common }),
]);
export type AdjustmentForm = z.infer<typeof adjustmentFormSchema>;

export type AdjustmentFieldErrors = Partial<Record<"mode" | "quantity" | "locationId" | "reason", string>>;

export function adjustmentFieldErrors(error: z.ZodError): AdjustmentFieldErrors {
  const errors: AdjustmentFieldErrors = {};
  for (const issue of error.issues) {
    const field = issue.path[0];
    if ((field === "mode" || field === "quantity" || field === "locationId" || field === "reason") && !errors[field]) {
      errors[field] = issue.message;
    }
  }
  return errors;
}
