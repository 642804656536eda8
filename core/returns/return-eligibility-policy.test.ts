import { describe, expect, it } from "vitest";
import { DefaultReturnEligibilityPolicy, type ReturnLineFacts, type ReturnRequestFacts } from "./return-eligibility-policy";
import { returnRulesSchema } from "./return-rules";

const policy = new DefaultReturnEligibilityPolicy();
const deliveredAt = new Date("2026-11-01T12:00:00Z");
const line = (overrides: Partial<ReturnLineFacts> = {}): ReturnLineFacts => ({
  orderLineId: "line-1",
  title: "Linen shirt",
  productTags: [],
  unitNetMinor: 4_000,
  deliveredQuantity: 2,
  alreadyReturningQuantity: 0,
  requestedQuantity: 1,
  reason: "size_too_small",
  ...overrides,
});
const request = (overrides: Partial<ReturnRequestFacts> = {}): ReturnRequestFacts => ({
  now: new Date("2026-11-10T12:00:00Z"),
  orderTags: [],
  fulfilledAt: new Date("2026-10-29T12:00:00Z"),
  deliveredAt,
  resolution: "refund",
  lines: [line()],
  ...overrides,
});
const rules = (input: Parameters<typeof returnRulesSchema.parse>[0] = {}) => returnRulesSchema.parse(input);

describe("return eligibility", () => {
  it("accepts a line inside the window and refunds its net value", () => {
    const quote = policy.quote(request(), rules());
    expect(quote.acceptable).toBe(true);
    expect(quote.payoutMinor).toBe(4_000);
    expect(quote.lines[0]).toMatchObject({ accepted: true, quantity: 1, valueMinor: 4_000 });
  });

  it.each([
    ["window closed 30 days after delivery", request({ now: new Date("2026-12-02T12:00:01Z") }), rules(), "window_closed"],
    ["final sale by order tag", request({ orderTags: ["Final-Sale"] }), rules(), "final_sale"],
    ["final sale by product tag", request({ lines: [line({ productTags: ["final-sale"] })] }), rules(), "final_sale"],
    ["non-returnable product", request({ lines: [line({ productTags: ["non-returnable"] })] }), rules(), "not_returnable"],
    ["not delivered yet", request({ deliveredAt: undefined, fulfilledAt: undefined }), rules(), "not_delivered_yet"],
    ["more than delivered", request({ lines: [line({ requestedQuantity: 3 })] }), rules(), "more_than_left_to_return"],
    ["already returning all", request({ lines: [line({ alreadyReturningQuantity: 2 })] }), rules(), "nothing_left_to_return"],
    ["exchange without stock", request({ resolution: "exchange", lines: [line({ exchangeAvailable: 0 })] }), rules(), "exchange_out_of_stock"],
    ["exchange switched off", request({ resolution: "exchange", lines: [line({ exchangeAvailable: 5 })] }), rules({ allowExchanges: false }), "exchange_not_offered"],
    ["store credit switched off", request({ resolution: "store_credit" }), rules({ allowStoreCredit: false }), "store_credit_not_offered"],
  ] as const)("refuses: %s", (_name, facts, shopRules, refusal) => {
    const quote = policy.quote(facts, shopRules);
    expect(quote.acceptable).toBe(false);
    expect(quote.payoutMinor).toBe(0);
    expect(quote.lines[0]).toMatchObject({ accepted: false, refusal });
    expect((quote.lines[0] as { explanation: string }).explanation.length).toBeGreaterThan(10);
  });

  it("gives tagged products their own, longer window", () => {
    const late = request({ now: new Date("2026-12-20T00:00:00Z"), lines: [line({ productTags: ["holiday"] })] });
    expect(policy.quote(late, rules()).acceptable).toBe(false);
    expect(policy.quote(late, rules({ windowDaysByProductTag: { holiday: 60 } })).acceptable).toBe(true);
  });

  it("counts the window from fulfillment when the shop says so", () => {
    const facts = request({ now: new Date("2026-11-29T13:00:00Z") });
    expect(policy.quote(facts, rules({ windowStartsAt: "delivery" })).acceptable).toBe(true);
    expect(policy.quote(facts, rules({ windowStartsAt: "fulfillment" })).acceptable).toBe(false);
  });

  it("takes the restocking fee and the label from a refund, but not from an exchange or store credit", () => {
    const shopRules = rules({ restockingFeeBps: 1_000, returnShippingFeeMinor: 500 });
    const refund = policy.quote(request(), shopRules);
    expect(refund).toMatchObject({ restockingFeeMinor: 400, returnShippingFeeMinor: 500, payoutMinor: 3_100 });
    const credit = policy.quote(request({ resolution: "store_credit" }), shopRules);
    expect(credit).toMatchObject({ restockingFeeMinor: 0, returnShippingFeeMinor: 0, payoutMinor: 4_000 });
    const exchange = policy.quote(request({ resolution: "exchange", lines: [line({ exchangeAvailable: 1 })] }), shopRules);
    expect(exchange).toMatchObject({ acceptable: true, restockingFeeMinor: 0, payoutMinor: 0 });
  });

  it("charges no fee when the reason is the merchant's mistake", () => {
    const quote = policy.quote(request({ lines: [line({ reason: "defective" })] }), rules({ restockingFeeBps: 1_000, returnShippingFeeMinor: 500 }));
    expect(quote).toMatchObject({ restockingFeeMinor: 0, returnShippingFeeMinor: 0, payoutMinor: 4_000 });
  });

  it("adds the store-credit bonus", () => {
    expect(policy.quote(request({ resolution: "store_credit" }), rules({ storeCreditBonusBps: 1_000 }))).toMatchObject({
      storeCreditBonusMinor: 400,
      payoutMinor: 4_400,
    });
  });

  it("lets the customer keep an item worth less than the threshold, with no label fee", () => {
    const quote = policy.quote(request(), rules({ keepItemBelowMinor: 5_000, returnShippingFeeMinor: 500 }));
    expect(quote).toMatchObject({ keepItem: true, returnShippingFeeMinor: 0, payoutMinor: 4_000 });
    expect(policy.quote(request(), rules({ keepItemBelowMinor: 4_000 })).keepItem).toBe(false);
  });

  it("is all or nothing: one refused line refuses the request", () => {
    const quote = policy.quote(request({ lines: [line(), line({ orderLineId: "line-2", productTags: ["final-sale"] })] }), rules());
    expect(quote.acceptable).toBe(false);
    expect(quote.lines.map((l) => l.accepted)).toEqual([true, false]);
  });

  it("never refunds more than the items are worth", () => {
    const quote = policy.quote(request({ lines: [line({ unitNetMinor: 300 })] }), rules({ returnShippingFeeMinor: 900 }));
    expect(quote.payoutMinor).toBe(0);
  });
});
