import { z } from "zod";

/**
 * What the order promised the customer about speed, read from the shipping method the customer
 * chose at checkout ("Standard Shipping", "Express", "Overnight"). Rules are tried in order;
 * the first whose pattern matches the method's title or code wins.
 */

export const deliveryPromiseRuleSchema = z.object({
  /** Case-insensitive regular expression over "<title> <code>". */
  pattern: z.string().min(1),
  maxBusinessDays: z.number().int().positive().max(60),
  label: z.string().min(1),
});
export type DeliveryPromiseRule = z.infer<typeof deliveryPromiseRuleSchema>;

export interface DeliveryPromise {
  /** The slowest transit the customer was promised, in business days. */
  readonly maxBusinessDays: number;
  /** What a person reads: "Express (2 business days)". */
  readonly label: string;
  /** The shipping method it was read from, if the order had one. */
  readonly shippingMethod: string | null;
}

export const DEFAULT_DELIVERY_PROMISE_RULES: readonly DeliveryPromiseRule[] = [
  { pattern: "overnight|next[ -]?day|priority overnight", maxBusinessDays: 1, label: "Overnight" },
  { pattern: "2[ -]?day|two[ -]?day|express|expedited", maxBusinessDays: 2, label: "Express" },
  { pattern: "3[ -]?day|three[ -]?day", maxBusinessDays: 3, label: "Three-day" },
];

export function deliveryPromiseFor(
  shippingMethod: string | null,
  rules: readonly DeliveryPromiseRule[],
  standard: { maxBusinessDays: number; label: string },
): DeliveryPromise {
  const text = shippingMethod?.trim() ?? "";
  const rule = text ? rules.find((r) => new RegExp(r.pattern, "i").test(text)) : undefined;
  const chosen = rule ?? standard;
  return {
    maxBusinessDays: chosen.maxBusinessDays,
    label: `${chosen.label} (${chosen.maxBusinessDays} business day${chosen.maxBusinessDays === 1 ? "" : "s"})`,
    shippingMethod: text || null,
  };
}
