import { MERCHANT_FAULT_REASONS, type ReturnReason, type ReturnResolution, type ReturnRules } from "./return-rules.js";

/**
 * Decides what a return request may contain and what it costs, before anything is stored: the
 * same answer is shown to the customer ("what you will get") and kept with the RMA as the
 * reason for the merchant. Pure: every fact comes in, nothing is looked up.
 */

export const LINE_REFUSALS = [
  "not_delivered_yet",
  "window_closed",
  "final_sale",
  "not_returnable",
  "nothing_left_to_return",
  "more_than_left_to_return",
  "exchange_out_of_stock",
  "exchange_not_offered",
  "store_credit_not_offered",
] as const;
export type LineRefusal = (typeof LINE_REFUSALS)[number];

export interface ReturnLineFacts {
  readonly orderLineId: string;
  readonly title: string;
  readonly productTags: readonly string[];
  /** Net price of one unit after discounts, in the order's minor units. */
  readonly unitNetMinor: number;
  /** Units that reached the customer (shipped, not refunded). */
  readonly deliveredQuantity: number;
  /** Units already in an active return of this line. */
  readonly alreadyReturningQuantity: number;
  readonly requestedQuantity: number;
  readonly reason: ReturnReason;
  /** For an exchange: units of the wanted variant available to sell now. */
  readonly exchangeAvailable?: number;
}

export interface ReturnRequestFacts {
  readonly now: Date;
  readonly orderTags: readonly string[];
  readonly fulfilledAt?: Date;
  readonly deliveredAt?: Date;
  readonly resolution: ReturnResolution;
  readonly lines: readonly ReturnLineFacts[];
}

export type LineDecision =
  | { readonly orderLineId: string; readonly accepted: true; readonly quantity: number; readonly valueMinor: number; readonly explanation: string }
  | { readonly orderLineId: string; readonly accepted: false; readonly refusal: LineRefusal; readonly explanation: string };

export interface ReturnQuote {
  readonly lines: readonly LineDecision[];
  /** True when every requested line is accepted: a request is all or nothing, so nobody is surprised. */
  readonly acceptable: boolean;
  readonly itemsValueMinor: number;
  readonly restockingFeeMinor: number;
  readonly returnShippingFeeMinor: number;
  readonly storeCreditBonusMinor: number;
  /** What the customer gets back: money for a refund, credit for store credit, 0 for an even exchange. */
  readonly payoutMinor: number;
  /** The customer keeps the item; no label is issued. */
  readonly keepItem: boolean;
  readonly explanation: readonly string[];
}

export interface ReturnEligibilityPolicy {
  quote(facts: ReturnRequestFacts, rules: ReturnRules): ReturnQuote;
}

const DAY_MS = 86_400_000;

export class DefaultReturnEligibilityPolicy implements ReturnEligibilityPolicy {
  quote(facts: ReturnRequestFacts, rules: ReturnRules): ReturnQuote {
    const decisions = facts.lines.map((line) => decideLine(line, facts, rules));
    const accepted = decisions.filter((d): d is Extract<LineDecision, { accepted: true }> => d.accepted);
    const acceptable = decisions.length > 0 && accepted.length === decisions.length;
    const itemsValueMinor = accepted.reduce((sum, d) => sum + d.valueMinor, 0);
    const merchantFault = facts.lines.every((line) => MERCHANT_FAULT_REASONS.includes(line.reason));
    const explanation: string[] = [];

    const isRefund = facts.resolution === "refund";
    const restockingFeeMinor =
      isRefund && !merchantFault ? Math.round((itemsValueMinor * rules.restockingFeeBps) / 10_000) : 0;
    if (restockingFeeMinor > 0) explanation.push(`Restocking fee of ${rules.restockingFeeBps / 100}% on refunds.`);

    const keepItem = acceptable && rules.keepItemBelowMinor > 0 && itemsValueMinor < rules.keepItemBelowMinor && facts.resolution !== "exchange";
    if (keepItem) explanation.push("The items are worth less than a return label: keep them, no need to send them back.");

    const returnShippingFeeMinor =
      isRefund && !merchantFault && !keepItem ? Math.min(rules.returnShippingFeeMinor, itemsValueMinor - restockingFeeMinor) : 0;
    if (returnShippingFeeMinor > 0) explanation.push("The return label is paid from the refund.");
    if (merchantFault) explanation.push("No fees: the reason given is our mistake.");

    const storeCreditBonusMinor =
      facts.resolution === "store_credit" ? Math.round((itemsValueMinor * rules.storeCreditBonusBps) / 10_000) : 0;
    if (storeCreditBonusMinor > 0) explanation.push(`Store credit earns a ${rules.storeCreditBonusBps / 100}% bonus.`);
    if (facts.resolution === "exchange") explanation.push("Exchange: the new item is set aside for you now and ships when the return is approved.");

    const payoutMinor =
      facts.resolution === "exchange" ? 0 : itemsValueMinor - restockingFeeMinor - returnShippingFeeMinor + storeCreditBonusMinor;
    return {
      lines: decisions,
      acceptable,
      itemsValueMinor,
      restockingFeeMinor,
      returnShippingFeeMinor,
      storeCreditBonusMinor,
      payoutMinor: acceptable ? payoutMinor : 0,
      keepItem,
      explanation,
    };
  }
}

function decideLine(line: ReturnLineFacts, facts: ReturnRequestFacts, rules: ReturnRules): LineDecision {
  const refuse = (refusal: LineRefusal, explanation: string): LineDecision => ({
    orderLineId: line.orderLineId,
    accepted: false,
    refusal,
    explanation,
  });
  const tags = new Set([...facts.orderTags, ...line.productTags].map((t) => t.toLowerCase()));
  if (rules.finalSaleTags.some((t) => tags.has(t.toLowerCase()))) return refuse("final_sale", `${line.title} was sold as final sale.`);
  if (rules.nonReturnableProductTags.some((t) => line.productTags.map((p) => p.toLowerCase()).includes(t.toLowerCase()))) {
    return refuse("not_returnable", `${line.title} cannot be returned.`);
  }

  const start = rules.windowStartsAt === "delivery" ? facts.deliveredAt ?? facts.fulfilledAt : facts.fulfilledAt;
  if (!start || line.deliveredQuantity <= 0) return refuse("not_delivered_yet", `${line.title} has not been delivered yet.`);
  const windowDays = windowFor(line, rules);
  const deadline = new Date(start.getTime() + windowDays * DAY_MS);
  if (facts.now.getTime() > deadline.getTime()) {
    return refuse("window_closed", `The ${windowDays}-day return window for ${line.title} closed on ${deadline.toISOString().slice(0, 10)}.`);
  }

  const left = line.deliveredQuantity - line.alreadyReturningQuantity;
  if (left <= 0) return refuse("nothing_left_to_return", `Every delivered ${line.title} is already being returned.`);
  if (line.requestedQuantity > left) {
    return refuse("more_than_left_to_return", `Only ${left} of ${line.title} can still be returned.`);
  }
  if (facts.resolution === "exchange") {
    if (!rules.allowExchanges) return refuse("exchange_not_offered", "Exchanges are not offered.");
    if ((line.exchangeAvailable ?? 0) < line.requestedQuantity) {
      return refuse("exchange_out_of_stock", `The item you want instead of ${line.title} is out of stock.`);
    }
  }
  if (facts.resolution === "store_credit" && !rules.allowStoreCredit) return refuse("store_credit_not_offered", "Store credit is not offered.");

  return {
    orderLineId: line.orderLineId,
    accepted: true,
    quantity: line.requestedQuantity,
    valueMinor: line.unitNetMinor * line.requestedQuantity,
    explanation: `${line.requestedQuantity} × ${line.title} within the ${windowDays}-day window (until ${deadline.toISOString().slice(0, 10)}).`,
  };
}

function windowFor(line: ReturnLineFacts, rules: ReturnRules): number {
  const specific = line.productTags
    .map((t) => rules.windowDaysByProductTag[t] ?? rules.windowDaysByProductTag[t.toLowerCase()])
    .filter((d): d is number => d !== undefined);
  return specific.length > 0 ? Math.max(...specific) : rules.windowDays;
}
