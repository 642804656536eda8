import { describe, expect, it } from "vitest";
import type { RateQuote } from "../ports/carrier-gateway-port";
import { CheapestMeetingPromiseStrategy } from "./cheapest-meeting-promise-strategy";
import { deliveryPromiseFor, DEFAULT_DELIVERY_PROMISE_RULES } from "./delivery-promise";
import type { CarrierLists } from "./rate-shopping-strategy";

function quote(carrier: string, service: string, amountMinor: number, deliveryDays?: number, currency = "USD"): RateQuote {
  return { providerShipmentId: "shp_1", rateId: `rate_${carrier}_${service}`, carrier, service, amountMinor, currency, ...(deliveryDays === undefined ? {} : { deliveryDays }) };
}

const QUOTES = [
  quote("USPS", "Express", 5120, 2),
  quote("USPS", "Priority", 1101, 2),
  quote("USPS", "GroundAdvantage", 820, 3),
  quote("UPS", "Ground", 790, 5),
  quote("UPS", "NextDayAir", 4200, 1),
  quote("FedEx", "FEDEX_2_DAY", 1100, 2),
];

const strategy = new CheapestMeetingPromiseStrategy();
const open: CarrierLists = { allow: [], deny: [] };
const promise = (days: number) => ({ maxBusinessDays: days, label: `${days}-day`, shippingMethod: null });

describe("cheapest service meeting the promise", () => {
  it.each([
    // [promise days, carriers, expected carrier/service]
    [5, open, "UPS Ground"],
    [3, open, "USPS GroundAdvantage"],
    [2, open, "FedEx FEDEX_2_DAY"],
    [1, open, "UPS NextDayAir"],
    [5, { allow: ["usps"], deny: [] }, "USPS GroundAdvantage"],
    [5, { allow: [], deny: ["UPS"] }, "USPS GroundAdvantage"],
    [2, { allow: ["USPS", "UPS"], deny: [] }, "USPS Priority"],
    [2, { allow: ["USPS", "FedEx"], deny: ["fedex"] }, "USPS Priority"],
  ] as const)("promise %i days, carriers %j -> %s", (days, carriers, expected) => {
    const decision = strategy.choose(QUOTES, { promise: promise(days), carriers });
    expect(decision.ok).toBe(true);
    if (!decision.ok) return;
    expect(`${decision.value.chosen.carrier} ${decision.value.chosen.service}`).toBe(expected);
    // Every other quote is accounted for with a reason.
    expect(decision.value.passedOver).toHaveLength(QUOTES.length - 1);
  });

  it("says why each quote lost", () => {
    const decision = strategy.choose(QUOTES, { promise: promise(2), carriers: { allow: ["USPS", "UPS"], deny: ["UPS"] } });
    if (!decision.ok) throw new Error(decision.reason);
    const reasons = Object.fromEntries(decision.value.passedOver.map((p) => [`${p.quote.carrier} ${p.quote.service}`, p.reason]));
    expect(reasons).toEqual({
      "UPS Ground": "carrier_denied",
      "UPS NextDayAir": "carrier_denied",
      "USPS GroundAdvantage": "too_slow",
      "USPS Express": "dearer",
      "FedEx FEDEX_2_DAY": "carrier_not_allowed",
    });
    expect(decision.value.chosen.service).toBe("Priority");
    expect(decision.value.explanation).toContain("USPS Priority");
  });

  it("prefers the faster service at the same price, then names, so the choice is stable", () => {
    const tied = [quote("B", "Slow", 500, 3), quote("A", "Fast", 500, 1), quote("C", "Fast", 500, 1)];
    const decision = strategy.choose(tied, { promise: promise(5), carriers: open });
    expect(decision.ok && `${decision.value.chosen.carrier} ${decision.value.chosen.service}`).toBe("A Fast");
    const reversed = strategy.choose([...tied].reverse(), { promise: promise(5), carriers: open });
    expect(reversed.ok && reversed.value.chosen.carrier).toBe("A");
  });

  it("passes over a rate with no transit estimate: it cannot be shown to keep the promise", () => {
    const decision = strategy.choose([quote("X", "Cheap", 100), quote("Y", "Known", 900, 4)], { promise: promise(5), carriers: open });
    expect(decision.ok && decision.value.chosen.carrier).toBe("Y");
  });

  it("refuses with a reason when nothing fits", () => {
    expect(strategy.choose([], { promise: promise(5), carriers: open })).toMatchObject({ ok: false, reason: "no_rates" });
    expect(strategy.choose(QUOTES, { promise: promise(5), carriers: { allow: ["DHL"], deny: [] } })).toMatchObject({
      ok: false,
      reason: "no_allowed_carrier",
    });
    const tooSlow = strategy.choose([quote("USPS", "GroundAdvantage", 820, 3)], { promise: promise(1), carriers: open });
    expect(tooSlow).toMatchObject({ ok: false, reason: "promise_unmeetable" });
    expect(!tooSlow.ok && tooSlow.detail).toContain("3 days");
  });

  it("never compares amounts across currencies", () => {
    const decision = strategy.choose([quote("USPS", "Priority", 1000, 2), quote("CanadaPost", "Xpress", 10, 2, "CAD")], {
      promise: promise(5),
      carriers: open,
    });
    expect(decision.ok && decision.value.chosen.carrier).toBe("USPS");
  });
});

describe("delivery promise from the checkout's shipping method", () => {
  const standard = { maxBusinessDays: 5, label: "Standard" };
  it.each([
    ["Standard Shipping", 5],
    ["Express Shipping", 2],
    ["Expedited", 2],
    ["2-Day Air", 2],
    ["Overnight", 1],
    ["Next Day", 1],
    ["UPS 3 Day Select", 3],
    [null, 5],
    ["", 5],
  ] as const)("%s -> %i days", (method, days) => {
    expect(deliveryPromiseFor(method, DEFAULT_DELIVERY_PROMISE_RULES, standard).maxBusinessDays).toBe(days);
  });
});
