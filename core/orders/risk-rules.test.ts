import { describe, expect, it } from "vitest";
import { DEFAULT_RISK_RULE_SETTINGS, assessRiskRules, riskRuleSettingsSchema, type RiskFacts } from "./risk-rules.js";

const calm: RiskFacts = {
  totalMinor: 5_000,
  currency: "USD",
  financialStatus: "paid",
  billingCountry: "US",
  shippingCountry: "US",
  priorOrders: 3,
  priorAverageMinor: 4_000,
  ordersWithEmailInWindow: 1,
  ordersToAddressInWindow: 1,
};

describe("assessRiskRules", () => {
  it("finds nothing on an ordinary paid order", () => {
    expect(assessRiskRules(calm, DEFAULT_RISK_RULE_SETTINGS)).toEqual([]);
  });

  it("fires each rule at its threshold and names the hold", () => {
    const rules = (facts: Partial<RiskFacts>) => assessRiskRules({ ...calm, ...facts }, DEFAULT_RISK_RULE_SETTINGS).map((f) => `${f.rule}:${f.hold}`);
    expect(rules({ billingCountry: "GB" })).toEqual(["country_mismatch:risk"]);
    expect(rules({ totalMinor: 20_000 })).toEqual([]); // exactly 5×: at the limit, not above it
    expect(rules({ totalMinor: 20_001 })).toEqual(["value_above_history:risk"]);
    expect(rules({ totalMinor: 90_000, priorOrders: 1 })).toEqual([]); // too little history to compare
    expect(rules({ ordersWithEmailInWindow: 5 })).toEqual([]);
    expect(rules({ ordersWithEmailInWindow: 6 })).toEqual(["email_velocity:risk"]);
    expect(rules({ ordersToAddressInWindow: 9 })).toEqual(["address_velocity:risk"]);
    expect(rules({ financialStatus: "pending" })).toEqual(["payment_status:payment"]);
    expect(rules({ financialStatus: "declined", billingCountry: "FR" })).toEqual(["country_mismatch:risk", "payment_status:payment"]);
    expect(rules({ financialStatus: "authorized" })).toEqual([]);
  });

  it("says why in words a merchant can act on", () => {
    const [finding] = assessRiskRules({ ...calm, totalMinor: 40_000 }, DEFAULT_RISK_RULE_SETTINGS);
    expect(finding!.reason).toBe("order value is 10.0× the customer's average over 3 earlier orders (limit 5×)");
  });

  it("switches rules off and validates thresholds", () => {
    const off = { ...DEFAULT_RISK_RULE_SETTINGS, countryMismatch: { enabled: false }, payment: { enabled: false, holdWhen: [] } };
    expect(assessRiskRules({ ...calm, billingCountry: "GB", financialStatus: "declined" }, off)).toEqual([]);
    expect(riskRuleSettingsSchema.safeParse({ ...DEFAULT_RISK_RULE_SETTINGS, valueAboveHistory: { enabled: true, multiple: 0, minPriorOrders: 1 } }).success).toBe(false);
  });
});
