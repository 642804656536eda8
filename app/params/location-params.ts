import { z } from "zod";

const blankToNull = (value: unknown) => (typeof value === "string" && value.trim() === "" ? null : value);
const checkbox = z.preprocess((value) => value === "on" || value === "true", z.boolean());

const optionalText = (max: number) => z.preprocess(blankToNull, z.string().trim().max(max).nullable());

const optionalNumberIn = (min: number, max: number, what: string) =>
  z.preprocess(
    blankToNull,
    z.coerce
      .number({ error: `${what} must be a number` })
      .min(min, `${what} must be between ${min} and ${max}`)
      .max(max, `${what} must be between ${min} and ${max}`)
      .nullable(),
  );

/** The location form as posted; field names match LocationSettings so errors map one to one. */
export const locationFormSchema = z
  .object({
    name: z.string().trim().min(1, "Name is required").max(120, "Keep the name under 120 characters"),
    kind: z.enum(["warehouse", "store", "3pl"], { error: "Choose warehouse, store or 3PL" }),
    address1: z.string().trim().min(1, "Street address is required").max(255),
    address2: optionalText(255),
    city: z.string().trim().min(1, "City is required").max(120),
    region: optionalText(64),
    postalCode: optionalText(32),
    countryCode: z
      .string()
      .trim()
      .toUpperCase()
      .regex(/^[A-Z]{2}$/, "Use the two-letter country code (US, GB, DE...)"),
    latitude: optionalNumberIn(-90, 90, "Latitude"),
    longitude: optionalNumberIn(-180, 180, "Longitude"),
    canShip: checkbox,
    canPickup: checkbox,
    canCurbside: checkbox,
    dailyCapacity: z.preprocess(
      blankToNull,
      z.coerce
        .number({ error: "Daily capacity must be a whole number" })
        .int("Daily capacity must be a whole number")
        .min(0, "Daily capacity cannot be negative")
        .max(1_000_000)
        .nullable(),
    ),
    priority: z.coerce
      .number({ error: "Priority must be a whole number" })
      .int("Priority must be a whole number")
      .min(0, "Priority cannot be negative")
      .max(10_000, "Priority must be at most 10000"),
    active: checkbox,
  })
  // Distance routing needs both coordinates; one alone would silently place the location wrong.
  .refine((form) => (form.latitude === null) === (form.longitude === null), {
    error: "Give both latitude and longitude, or neither",
    path: ["longitude"],
  })
  .refine((form) => form.canShip || form.canPickup || form.canCurbside || !form.active, {
    error: "An active location needs at least one capability",
    path: ["canShip"],
  });
export type LocationForm = z.infer<typeof locationFormSchema>;
export type LocationFieldErrors = Partial<Record<keyof LocationForm | "form", string>>;

export function locationFieldErrors(error: z.ZodError): LocationFieldErrors {
  const errors: LocationFieldErrors = {};
  for (const issue of error.issues) {
    const field = issue.path[0] as keyof LocationForm | undefined;
    if (field && !errors[field]) errors[field] = issue.message;
  }
  return errors;
}

export const locationIdParamSchema = z.object({ id: z.union([z.literal("new"), z.guid("not a location id")]) });
