import { z } from "zod";
import { incomingReturnsToSellSchema } from "../inventory/incoming-returns.js";

/**
 * A shop's return rules: the settings a merchant edits on the returns settings page. Defaults
 * follow what merchants most often publish (30 days from delivery, final sale excluded,
 * exchanges free, refunds paying for the label).
 */

export const RETURN_REASONS = [
  "size_too_small",
  "size_too_large",
  "unwanted",
  "not_as_described",
  "wrong_item",
  "defective",
  "style",
  "color",
  "other",
] as const;
export type ReturnReason = (typeof RETURN_REASONS)[number];

/** Readable labels, shown to the customer and the merchant (Shopify's return reason definitions). */
export const RETURN_REASON_LABELS: { readonly [R in ReturnReason]: string } = {
  size_too_small: "Size was too small",
  size_too_large: "Size was too large",
  unwanted: "Customer changed their mind",
  not_as_described: "Item not as described",
  wrong_item: "Received the wrong item",
  defective: "Damaged or defective",
  style: "Style",
  color: "Color",
  other: "Other",
};

/** Reasons that are the merchant's fault: the customer pays no fee for them. */
export const MERCHANT_FAULT_REASONS: readonly ReturnReason[] = ["not_as_described", "wrong_item", "defective"];

export const RETURN_RESOLUTIONS = ["refund", "store_credit", "exchange"] as const;
export type ReturnResolution = (typeof RETURN_RESOLUTIONS)[number];

const tag = z.string().trim().min(1).max(255);
const days = z.number().int().min(0).max(3650);
const minor = z.number().int().min(0).max(100_000_000_00);

export const returnRulesSchema = z.object({
  windowDays: days.default(30),
  /** Delivery is fairer to the customer; fulfillment is what a channel without tracking knows. */
  windowStartsAt: z.enum(["delivery", "fulfillment"]).default("delivery"),
  /** Longer or shorter windows for some products, by product tag; the longest that applies wins. */
  windowDaysByProductTag: z.record(tag, days).default({}),
  /** Order or product tags that make a line final sale. */
  finalSaleTags: z.array(tag).max(100).default(["final-sale"]),
  nonReturnableProductTags: z.array(tag).max(100).default(["non-returnable"]),
  /** Kept from refunds (not from exchanges or store credit), in basis points of the line value. */
  restockingFeeBps: z.number().int().min(0).max(10_000).default(0),
  /** What a refund pays toward the return label; exchanges and merchant-fault reasons pay none. */
  returnShippingFeeMinor: minor.default(0),
  /** Returns worth less than this are refunded without the item coming back. 0 turns it off. */
  keepItemBelowMinor: minor.default(0),
  /** Extra store credit, in basis points, for choosing credit over a refund. */
  storeCreditBonusBps: z.number().int().min(0).max(10_000).default(0),
  allowExchanges: z.boolean().default(true),
  allowStoreCredit: z.boolean().default(true),
  /** Per channel, the share of returns on their way back offered for sale before they arrive (off by default). */
  incomingReturnsToSell: incomingReturnsToSellSchema,
});
export type ReturnRules = z.infer<typeof returnRulesSchema>;
export type ReturnRulesInput = z.input<typeof returnRulesSchema>;

export const DEFAULT_RETURN_RULES: ReturnRules = returnRulesSchema.parse({});
