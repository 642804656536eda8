import { z } from "zod";
import { isoCurrencySchema } from "../shared/iso-4217-currencies";

/**
 * The one shape every channel's order is mapped into before it touches the ledger.
 * Money is always integer minor units (cents) in the order's currency, so no float
 * rounding ever reaches a total.
 */

export const CHANNELS = ["shopify", "amazon", "ebay", "woocommerce"] as const;
export const channelSchema = z.enum(CHANNELS);
export type Channel = z.infer<typeof channelSchema>;

export const FINANCIAL_STATUSES = [
  "pending",
  "authorized",
  "paid",
  "partially_paid",
  "partially_refunded",
  "refunded",
  "voided",
  "declined",
] as const;
export const financialStatusSchema = z.enum(FINANCIAL_STATUSES);
export type FinancialStatus = z.infer<typeof financialStatusSchema>;

export const RISK_LEVELS = ["low", "medium", "high"] as const;
export const riskLevelSchema = z.enum(RISK_LEVELS);
export type RiskLevel = z.infer<typeof riskLevelSchema>;

const minor = z.number().int();
const nonNegativeMinor = minor.nonnegative();

export const postalAddressSchema = z.object({
  name: z.string().trim().min(1).max(255),
  company: z.string().max(255).optional(),
  line1: z.string().trim().min(1).max(255),
  line2: z.string().max(255).optional(),
  city: z.string().trim().min(1).max(255),
  /** ISO 3166-2 subdivision code without the country prefix, e.g. "CA" or "NY". */
  region: z.string().max(64).optional(),
  postalCode: z.string().max(32).optional(),
  /** ISO 3166-1 alpha-2. */
  countryCode: z.string().length(2).toUpperCase(),
  phone: z.string().max(64).optional(),
  latitude: z.number().min(-90).max(90).optional(),
  longitude: z.number().min(-180).max(180).optional(),
});
export type PostalAddress = z.infer<typeof postalAddressSchema>;

export const customerSchema = z.object({
  externalId: z.string().max(255).optional(),
  email: z.email().max(320).optional(),
  name: z.string().max(255).optional(),
  phone: z.string().max(64).optional(),
});
export type Customer = z.infer<typeof customerSchema>;

/** Blank or whitespace-only means "no value": channels send "" for a missing SKU. */
const optionalTrimmed = (max: number) =>
  z.preprocess(
    (value) => (typeof value === "string" && value.trim() === "" ? undefined : value ?? undefined),
    z.string().trim().max(max).optional(),
  );

export const unifiedOrderLineSchema = z.object({
  /** The channel's id for this line; stable across redeliveries. */
  externalLineId: z.string().min(1).max(255),
  /**
   * The merchant's SKU as the channel sent it, when it sent one. Many channels do not require
   * SKUs (Shopify sends ""), so a line without one is normal and is matched by
   * `channelVariantRef` instead, or kept unmatched for the merchant to map.
   */
  sku: optionalTrimmed(255),
  /**
   * The channel's own identity of what was sold, matched first against the `external_variant_ref`
   * the channel's catalogue import stores on `channel_listings` (and against remembered line
   * mappings). Each connector documents what it puts here: Shopify the ProductVariant GID,
   * Amazon the seller SKU, eBay the item id (with its variation SKU), WooCommerce the product
   * or variation id.
   */
  channelVariantRef: optionalTrimmed(255),
  /**
   * False for lines that hold no stock (gift cards, lines that need no shipping, custom items
   * with no variant): captured and shown on the order, never reserved, never "unmatched".
   */
  carriesStock: z.boolean().default(true),
  title: z.string().max(500),
  /**
   * Units still ordered: what the channel says is left after edits and removals (Shopify
   * `current_quantity`), so 0 when a line was removed. Units already fulfilled by the channel
   * are included here and counted in `fulfilledQuantity`.
   */
  quantity: z.number().int().nonnegative().max(100_000),
  /**
   * Units of `quantity` the channel already fulfilled itself (an imported, partly shipped
   * order): they left the building, so only quantity − fulfilledQuantity is reserved.
   */
  fulfilledQuantity: z.number().int().nonnegative().max(100_000).default(0),
  unitPriceMinor: nonNegativeMinor,
  discountMinor: nonNegativeMinor.default(0),
  taxMinor: nonNegativeMinor.default(0),
});
export type UnifiedOrderLine = z.infer<typeof unifiedOrderLineSchema>;

/** Units of a line that still need stock held for them. */
export function unitsToReserve(line: Pick<UnifiedOrderLine, "quantity" | "fulfilledQuantity" | "carriesStock">): number {
  if (!line.carriesStock) return 0;
  return Math.max(0, line.quantity - line.fulfilledQuantity);
}

export const shippingLineSchema = z.object({
  title: z.string().max(255),
  code: z.string().max(255).optional(),
  priceMinor: nonNegativeMinor,
});
export type ShippingLine = z.infer<typeof shippingLineSchema>;

export const riskSchema = z.object({
  level: riskLevelSchema,
  reasons: z.array(z.string().max(1000)).max(50).default([]),
});
export type Risk = z.infer<typeof riskSchema>;

export const unifiedOrderSchema = z.object({
  channel: channelSchema,
  /** The channel's own id (Shopify GID, Amazon order id, eBay orderId, Woo id). */
  externalId: z.string().trim().min(1).max(255),
  /** The number a person reads: "#1001", "113-1234567-1234567". */
  number: z.string().trim().min(1).max(255),
  placedAt: z.coerce.date(),
  /** When the channel last changed the order; older updates never overwrite newer ones. */
  sourceUpdatedAt: z.coerce.date(),
  currency: isoCurrencySchema,
  financialStatus: financialStatusSchema,
  cancelled: z.boolean().default(false),
  customer: customerSchema.default({}),
  shippingAddress: postalAddressSchema.optional(),
  billingAddress: postalAddressSchema.optional(),
  lines: z
    .array(unifiedOrderLineSchema)
    .max(1000)
    .refine((lines) => new Set(lines.map((line) => line.externalLineId)).size === lines.length, {
      error: "line ids must be unique within an order",
    }),
  shippingLines: z.array(shippingLineSchema).max(50).default([]),
  subtotalMinor: nonNegativeMinor,
  shippingMinor: nonNegativeMinor.default(0),
  taxMinor: nonNegativeMinor.default(0),
  discountMinor: nonNegativeMinor.default(0),
  totalMinor: nonNegativeMinor,
  risk: riskSchema.optional(),
  tags: z.array(z.string().max(255)).max(250).default([]),
  note: z.string().max(5000).optional(),
});
/** The parsed, validated order (defaults applied). */
export type UnifiedOrder = z.infer<typeof unifiedOrderSchema>;
/** What a mapper may hand in before defaults are applied. */
export type UnifiedOrderInput = z.input<typeof unifiedOrderSchema>;
