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
  creationDate?: string;
  orderPaymentStatus?: string;
  paymentSummary?: { payments?: { paymentDate?: string; paymentStatus?: string }[] };
  cancelStatus?: { cancelState?: string; cancelRequests?: { cancelInitiator?: string; cancelRequestState?: string }[] };
}

interface EligibilityAnswer {
  eligible?: boolean;
  failureReason?: string[];
}

export async function cancelEbayOrder(session: EbaySession, request: CancelOrderRequest): Promise<ChannelCallResult<{ alreadyCancelled: boolean }>> {
  const order = await session.call((api) => api.sell.fulfillment.getOrder(request.orderExternalId) as Promise<FulfillmentOrder>);
  if (!order.ok) return order;
  const status = order.value.cancelStatus;
  if (status?.cancelState === "CANCELED") return ok({ alreadyCancelled: true });
  const askedBySeller = (status?.cancelRequests ?? []).some((r) => r.cancelInitiator === "SELLER" && r.cancelRequestState !== "REJECTED");
  if (askedBySeller) return ok({ alreadyCancelled: true });

  const legacyOrderId = order.value.legacyOrderId ?? order.value.orderId ?? request.orderExternalId;
  const eligibility = await session.call((api) => api.postOrder.cancellation.checkCancellationEligibility(legacyOrderId) as Promise<EligibilityAnswer>);
  if (!eligibility.ok) return eligibility;
  if (eligibility.value.eligible !== true) {
    const reasons = eligibility.value.failureReason?.join(", ") || "no reason given";
    return err("rejected", `eBay says order ${request.orderExternalId} can no longer be cancelled (${reasons})`);
  }

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
      }) as Promise<{ cancelId?: string }>,
  );
  if (!created.ok) return created;
  if (!created.value?.cancelId) return err("rejected", `eBay created no cancellation for order ${request.orderExternalId}`);
  return ok({ alreadyCancelled: false });
}
