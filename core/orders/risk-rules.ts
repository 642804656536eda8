import { z } from "zod";
import type { FinancialStatus } from "./unified-order.js";

/**
 * Switchyard's own risk and payment rules, beside the channel's risk signal: each rule has its
 * threshold in the config and, when it fires, names the hold it puts the order on and a reason
 * a merchant can act on. Pure: the caller gathers the customer's history.
 */

export const RISK_RULES = ["country_mismatch", "value_above_history", "email_velocity", "address_velocity", "payment_status"] as const;
export type RiskRule = (typeof RISK_RULES)[number];

export const riskRuleSettingsSchema = z.object({
  countryMismatch: z.object({ enabled: z.boolean() }),
  valueAboveHistory: z.object({
    enabled: z.boolean(),
    /** Fires when the order is more than this many times the customer's average order. */
    multiple: z.number().min(1).max(1000),
    /** Only customers with at least this many earlier orders have a history to compare with. */
    minPriorOrders: z.number().int().min(1).max(1000),
  }),
  velocity: z.object({
    enabled: z.boolean(),
    windowHours: z.number().int().min(1).max(24 * 30),
    /** Fires when more orders than this (including this one) share the email or address in the window. */
    maxOrdersPerEmail: z.number().int().min(1).max(10_000),
    maxOrdersPerAddress: z.number().int().min(1).max(10_000),
  }),
  payment: z.object({
    enabled: z.boolean(),
    /** Financial statuses that stop an order before it is routed. */
    holdWhen: z.array(z.enum(["pending", "authorized", "partially_paid", "declined", "voided", "refunded"])).max(6),
  }),
});
export type RiskRuleSettings = z.infer<typeof riskRuleSettingsSchema>;

export const DEFAULT_RISK_RULE_SETTINGS: RiskRuleSettings = {
  countryMismatch: { enabled: true },
  valueAboveHistory: { enabled: true, multiple: 5, minPriorOrders: 2 },
  velocity: { enabled: true, windowHours: 24, maxOrdersPerEmail: 5, maxOrdersPerAddress: 8 },
  payment: { enabled: true, holdWhen: ["pending", "declined", "voided"] },
};

export interface RiskFacts {
  readonly totalMinor: number;
  readonly currency: string;
  readonly financialStatus: FinancialStatus;
  readonly billingCountry?: string;
  readonly shippingCountry?: string;
  /** The same customer's earlier orders in this currency (by email). */
  readonly priorOrders: number;
  readonly priorAverageMinor: number;
  /** Orders in the velocity window, this one included. */
  readonly ordersWithEmailInWindow: number;
  readonly ordersToAddressInWindow: number;
}

export interface RiskFinding {
  readonly rule: RiskRule;
  readonly hold: "risk" | "payment";
  readonly reason: string;
}

export function assessRiskRules(facts: RiskFacts, settings: RiskRuleSettings): RiskFinding[] {
  const findings: RiskFinding[] = [];
  if (
    settings.countryMismatch.enabled &&
    facts.billingCountry !== undefined &&
    facts.shippingCountry !== undefined &&
    facts.billingCountry.toUpperCase() !== facts.shippingCountry.toUpperCase()
  ) {
    findings.push({ rule: "country_mismatch", hold: "risk", reason: `billing country ${facts.billingCountry} differs from shipping country ${facts.shippingCountry}` });
  }
  const value = settings.valueAboveHistory;
  if (value.enabled && facts.priorOrders >= value.minPriorOrders && facts.priorAverageMinor > 0) {
    const ratio = facts.totalMinor / facts.priorAverageMinor;
    if (ratio > value.multiple) {
      findings.push({
        rule: "value_above_history",
        hold: "risk",
        reason: `order value is ${ratio.toFixed(1)}× the customer's average over ${facts.priorOrders} earlier orders (limit ${value.multiple}×)`,
      });
    }
  }
  const velocity = settings.velocity;
  if (velocity.enabled && facts.ordersWithEmailInWindow > velocity.maxOrdersPerEmail) {
    findings.push({
      rule: "email_velocity",
      hold: "risk",
      reason: `${facts.ordersWithEmailInWindow} orders from this email in ${velocity.windowHours} h (limit ${velocity.maxOrdersPerEmail})`,
    });
  }
  if (velocity.enabled && facts.ordersToAddressInWindow > velocity.maxOrdersPerAddress) {
    findings.push({
      rule: "address_velocity",
      hold: "risk",
      reason: `${facts.ordersToAddressInWindow} orders to this address in ${velocity.windowHours} h (limit ${velocity.maxOrdersPerAddress})`,
    });
  }
  if (settings.payment.enabled && (settings.payment.holdWhen as readonly string[]).includes(facts.financialStatus)) {
    findings.push({ rule: "payment_status", hold: "payment", reason: `payment is ${facts.financialStatus}` });
  }
  return findings;
}
