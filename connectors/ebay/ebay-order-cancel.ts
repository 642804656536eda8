import { err, ok } from "../../core/shared/result.js";
import type { CancelOrderRequest, ChannelCallResult } from "../../core/ports/channel-connector-port.js";
import type { EbaySession } from "./ebay-client.js";

/**
 * Cancels an eBay order for the seller with the Post-Order API: `POST /post-order/v2/cancellation`
 * initiates a cancellation on behalf of the seller (a seller's reason, the legacy order id, whether
 * and when the buyer paid, so eBay refunds), after `check_eligibility` says the order can still be
 * cancelled (not shipped, within eBay's window). Post-Order acts on the whole order, as Switchyard
 * cancels it. Before anything, the order is read (Fulfillment API): one already cancelled, or with
 * a cancellation the seller already asked for (a retry of this job), is not asked again.
 */

/** CancelReasonEnum values a seller may give. */
const SELLER_CANCEL_REASONS = {
  out_of_stock: "OUT_OF_STOCK_OR_CANNOT_FULFILL",
  customer_request: "BUYER_ASKED_CANCEL",
  fraud: "OUT_OF_STOCK_OR_CANNOT_FULFILL",
  other: "OUT_OF_STOCK_OR_CANNOT_FULFILL",
} as const satisfies Record<CancelOrderRequest["reason"], string>;

interface FulfillmentOrder {
  orderId?: string;
  legacyOrderId?: string;
  /** NOT_STARTED, IN_PROGRESS (some lines shipped) or FULFILLED. */
  orderFulfillmentStatus?: string;
  creationDate?: string;
  orderPaymentStatus?: string;
  paymentSummary?: { payments?: { paymentDate?: string; paymentStatus?: string }[] };
  cancelStatus?: { cancelState?: string; cancelRequests?: { cancelInitiator?: string; cancelRequestState?: string }[] };
}

interface EligibilityAnswer {
  eligible?: boolean;
  failureReason?: string[];
}

/** What the merchant reads when eBay will not cancel a shipped order, and what to do instead. */
function shippedRefusal(orderId: string, detail: string): string {
  return `eBay will not cancel order ${orderId}: it has already shipped (${detail}). A shipped eBay order cannot be cancelled; refund it through a return instead`;
}

export async function cancelEbayOrder(session: EbaySession, request: CancelOrderRequest): Promise<ChannelCallResult<{ alreadyCancelled: boolean }>> {
  const order = await session.call((api) => api.sell.fulfillment.getOrder(request.orderExternalId) as Promise<FulfillmentOrder>);
  if (!order.ok) return order;
  const status = order.value.cancelStatus;
  if (status?.cancelState === "CANCELED") return ok({ alreadyCancelled: true });
  const askedBySeller = (status?.cancelRequests ?? []).some((r) => r.cancelInitiator === "SELLER" && r.cancelRequestState !== "REJECTED");
  if (askedBySeller) return ok({ alreadyCancelled: true });

  // eBay refuses to cancel an order with a shipped line: said plainly, without asking it.
  const fulfillment = order.value.orderFulfillmentStatus;
  if (fulfillment === "FULFILLED" || fulfillment === "IN_PROGRESS") return err("rejected", shippedRefusal(request.orderExternalId, `fulfillment status ${fulfillment}`));

  const legacyOrderId = order.value.legacyOrderId ?? order.value.orderId ?? request.orderExternalId;
  const eligibility = await session.call((api) => api.postOrder.cancellation.checkCancellationEligibility(legacyOrderId) as Promise<EligibilityAnswer>);
  if (!eligibility.ok) return eligibility;
  if (eligibility.value.eligible !== true) return err("rejected", ineligibleDetail(request.orderExternalId, eligibility.value));

  const paid = order.value.orderPaymentStatus === "PAID" || order.value.orderPaymentStatus === "PARTIALLY_REFUNDED";
  // Managed payments are taken at checkout: the order's creation is the payment when no payment date is listed.
  const paidAt = order.value.paymentSummary?.payments?.find((p) => p.paymentDate)?.paymentDate ?? order.value.creationDate;
  const created = await session.call(
    (api) =>
      api.postOrder.cancellation.createCancellation({
        legacyOrderId,
        cancelReason: SELLER_CANCEL_REASONS[request.reason],
        buyerPaid: paid,
        ...(paid && paidAt ? { buyerPaidDate: { value: paidAt } } : {}),
      }) as Promise<{ cancelId?: string; orderEligibilityResult?: EligibilityAnswer }>,
  );
  if (!created.ok) return created;
  if (!created.value?.cancelId) {
    // Not eligible after all (shipped meanwhile): eBay answers why instead of a cancelId.
    const result = created.value?.orderEligibilityResult;
    return err("rejected", result ? ineligibleDetail(request.orderExternalId, result) : `eBay created no cancellation for order ${request.orderExternalId}`);
  }
  return ok({ alreadyCancelled: false });
}

/** Why eBay will not cancel, in eBay's words, with what a refused line usually means. */
function ineligibleDetail(orderId: string, answer: EligibilityAnswer): string {
  const reasons = answer.failureReason?.join(", ") || "no reason given";
  const lines = answer.failureReason?.includes("ITEM_LEVEL_ELIGIBILITY_FAILURE") ? "; a line failed eBay's check, as a shipped line does: refund it through a return instead" : "";
  return `eBay says order ${orderId} can no longer be cancelled (${reasons})${lines}`;
}
