import type { RateQuote } from "../ports/carrier-gateway-port.js";
import { err, ok } from "../shared/result.js";
import type { RatePassOver, RateShoppingContext, RateShoppingOutcome, RateShoppingStrategy } from "./rate-shopping-strategy.js";

/**
 * The default: among allowed carriers, the cheapest service whose transit estimate is within
 * the promise. A rate without an estimate cannot be shown to keep the promise, so it loses to
 * any that can. Ties go to the faster service, then to carrier and service name, so the same
 * quotes always give the same label.
 */
export class CheapestMeetingPromiseStrategy implements RateShoppingStrategy {
  readonly name = "cheapest-meeting-promise";

  choose(quotes: readonly RateQuote[], context: RateShoppingContext): RateShoppingOutcome {
    if (quotes.length === 0) return err("no_rates", "the carrier returned no rates for this parcel and route");
    const allow = new Set(context.carriers.allow.map(normalise));
    const deny = new Set(context.carriers.deny.map(normalise));
    const currency = quotes[0]!.currency;
    const passedOver: { quote: RateQuote; reason: RatePassOver }[] = [];
    const allowed: RateQuote[] = [];
    for (const quote of quotes) {
      const carrier = normalise(quote.carrier);
      if (allow.size > 0 && !allow.has(carrier)) passedOver.push({ quote, reason: "carrier_not_allowed" });
      else if (deny.has(carrier)) passedOver.push({ quote, reason: "carrier_denied" });
      // Amounts in different currencies cannot be compared honestly; the first quote's wins.
      else if (quote.currency !== currency) passedOver.push({ quote, reason: "currency_mismatch" });
      else allowed.push(quote);
    }
    if (allowed.length === 0) {
      return err("no_allowed_carrier", `no rate from an allowed carrier (offered: ${carriersOf(quotes)})`);
    }
    const limit = context.promise.maxBusinessDays;
    const inTime: RateQuote[] = [];
    for (const quote of allowed) {
      if (quote.deliveryDays === undefined) passedOver.push({ quote, reason: "no_transit_estimate" });
      else if (quote.deliveryDays > limit) passedOver.push({ quote, reason: "too_slow" });
      else inTime.push(quote);
    }
    if (inTime.length === 0) {
      const fastest = Math.min(...allowed.map((q) => q.deliveryDays ?? Number.POSITIVE_INFINITY));
      return err(
        "promise_unmeetable",
        `promised ${context.promise.label}; the fastest allowed service takes ${Number.isFinite(fastest) ? `${fastest} days` : "an unknown time"}`,
      );
    }
    const [chosen, ...dearer] = [...inTime].sort(
      (a, b) =>
        a.amountMinor - b.amountMinor ||
        a.deliveryDays! - b.deliveryDays! ||
        a.carrier.localeCompare(b.carrier) ||
        a.service.localeCompare(b.service),
    ) as [RateQuote, ...RateQuote[]];
    for (const quote of dearer) passedOver.push({ quote, reason: "dearer" });
    const explanation =
      `${chosen.carrier} ${chosen.service}: cheapest of ${inTime.length} service${inTime.length === 1 ? "" : "s"} ` +
      `arriving within ${context.promise.label}` +
      (passedOver.length > inTime.length - 1 ? `; ${passedOver.length - (inTime.length - 1)} passed over (slower or excluded carrier)` : "");
    return ok({ chosen, passedOver, explanation });
  }
}

function normalise(carrier: string): string {
  return carrier.trim().toLowerCase();
}

function carriersOf(quotes: readonly RateQuote[]): string {
  return [...new Set(quotes.map((q) => q.carrier))].sort().join(", ");
}
