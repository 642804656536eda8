import { z } from "zod";
import { DEFAULT_RATE_CARD, rateCardSchema } from "./label-estimate.js";

/**
 * The merchant's routing rules, stored per shop and edited on the routing page. Every rule
 * turns one property of a plan into cost-equivalent minor units (weight × measure); a plan's
 * score is their sum, and the rule order breaks ties (the first rule that differs decides).
 * A weight of zero switches a rule off.
 */
export const ROUTING_RULES = ["label_cost", "delivery_days", "split_penalty", "location_priority", "distance"] as const;
export type RoutingRule = (typeof ROUTING_RULES)[number];

export const ROUTING_RULE_INFO: { readonly [R in RoutingRule]: { readonly label: string; readonly unit: string } } = {
  label_cost: { label: "Estimated label cost", unit: "× estimated cost" },
  delivery_days: { label: "Delivery days", unit: "minor units per day of the slowest parcel" },
  split_penalty: { label: "Split penalty", unit: "minor units per extra shipment" },
  location_priority: { label: "Location priority", unit: "minor units per rank below the first" },
  distance: { label: "Distance", unit: "minor units per 100 km per shipment" },
};

export const routingSettingsSchema = z
  .object({
    rules: z
      .array(z.object({ rule: z.enum(ROUTING_RULES), weight: z.number().min(0).max(100_000) }))
      .length(ROUTING_RULES.length),
    /** Use one location whenever one can serve the whole order, even if a split scores lower. */
    preferSingleLocation: z.boolean(),
    /** Exact search runs while it visits at most this many location sets; beyond, a bounded heuristic. */
    exactSearchBudget: z.number().int().min(0).max(1_000_000),
    /** Improvement passes of the heuristic. */
    heuristicPasses: z.number().int().min(0).max(50),
    rateCard: rateCardSchema,
  })
  .refine((settings) => new Set(settings.rules.map((r) => r.rule)).size === ROUTING_RULES.length, {
    error: "each rule appears exactly once",
    path: ["rules"],
  });
export type RoutingSettings = z.infer<typeof routingSettingsSchema>;

export const DEFAULT_ROUTING_SETTINGS: RoutingSettings = {
  rules: [
    { rule: "label_cost", weight: 1 },
    { rule: "split_penalty", weight: 400 },
    { rule: "delivery_days", weight: 75 },
    { rule: "location_priority", weight: 25 },
    { rule: "distance", weight: 0 },
  ],
  preferSingleLocation: true,
  exactSearchBudget: 4_000,
  heuristicPasses: 6,
  rateCard: DEFAULT_RATE_CARD,
};

export function ruleWeight(settings: RoutingSettings, rule: RoutingRule): number {
  return settings.rules.find((entry) => entry.rule === rule)?.weight ?? 0;
}
