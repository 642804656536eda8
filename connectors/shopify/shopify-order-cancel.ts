import { err, ok } from "../../core/shared/result.js";
import { describeUserErrors, type AdminGraphqlClient, type ShopifyUserError } from "./admin-graphql-client.js";
import { ORDER_CANCEL_MUTATION, ORDER_CANCEL_STATE_QUERY } from "./graphql-documents.js";
import type { CancelOrderInput, ConnectorResult } from "./shopify-connector-types.js";
import { fromApiFailure } from "./shopify-connector-paging.js";

/** Cancels an order in Shopify; cancelling an already-cancelled order is a retry, not an error. */

export async function cancelOrder(client: AdminGraphqlClient, input: CancelOrderInput): Promise<ConnectorResult<{ jobId: string | null; alreadyCancelled: boolean }>> {
  const current = await client.request<{ order: { id: string; cancelledAt: string | null } | null }>(ORDER_CANCEL_STATE_QUERY, {
    orderId: input.orderId,
  });
  if (!current.ok) return fromApiFailure(current);
  if (!current.data.order) return err("not_found", `order ${input.orderId} not found`);
  // Cancelling twice is a retry, not a mistake (rule 5).
  if (current.data.order.cancelledAt) return ok({ jobId: null, alreadyCancelled: true });

  type Data = { orderCancel: { job: { id: string; done: boolean } | null; orderCancelUserErrors: ShopifyUserError[] } | null };
  const result = await client.request<Data>(ORDER_CANCEL_MUTATION, {
    orderId: input.orderId,
    reason: input.reason,
    restock: input.restock,
    // Refunds are a merchant decision taken in Shopify; cancelling from Switchyard never moves money.
    refundMethod: { originalPaymentMethodsRefund: false },
    notifyCustomer: input.notifyCustomer ?? false,
    staffNote: input.staffNote ?? null,
  });
  if (!result.ok) return fromApiFailure(result);
  const payload = result.data.orderCancel;
  if (!payload) return err("user_errors", "orderCancel returned null");
  if (payload.orderCancelUserErrors.length > 0) {
    const notFound = payload.orderCancelUserErrors.some((e) => e.code === "NOT_FOUND");
    return err(notFound ? "not_found" : "user_errors", describeUserErrors(payload.orderCancelUserErrors));
  }
  return ok({ jobId: payload.job?.id ?? null, alreadyCancelled: false });
}
