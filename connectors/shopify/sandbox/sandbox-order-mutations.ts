import { randomUUID } from "node:crypto";
import { findLevel } from "./sandbox-state.js";
import { iso, type Args, type SandboxContext } from "./sandbox-view-helpers.js";

/** orderCancel: cancels open fulfillment orders, releases (and optionally restocks) committed stock. */

export function orderCancel(args: Args, ctx: SandboxContext) {
  const { state } = ctx;
  const order = state.orders.find((o) => o.id === args.orderId);
  const fail = (code: string, message: string, field: string[] | null) => ({
    job: null,
    orderCancelUserErrors: [{ field, message, code }],
    userErrors: [{ field, message }],
  });
  if (!order) return fail("NOT_FOUND", "Order does not exist.", ["orderId"]);
  if (order.cancelledAt) return fail("INVALID", "Order has already been cancelled.", ["orderId"]);
  const refund = args.refundMethod as { originalPaymentMethodsRefund?: boolean | null } | null | undefined;
  const at = iso(ctx);
  for (const fo of state.fulfillmentOrders.filter((x) => x.orderId === order.id)) {
    if (fo.status === "CLOSED" || fo.status === "CANCELLED") continue;
    for (const fl of fo.lineItems) {
      const line = order.lineItems.find((l) => l.id === fl.lineItemId)!;
      const variant = state.variants.find((v) => v.id === line.variantId);
      const level = variant ? findLevel(state, variant.inventoryItemId, fo.locationId) : undefined;
      if (level && fl.remainingQuantity > 0) {
        level.committed = Math.max(0, level.committed - fl.remainingQuantity);
        // Without restock the units leave the shelf count too (written off, not resellable).
        if (args.restock === true) level.available += fl.remainingQuantity;
        level.updatedAt = at;
      }
      fl.remainingQuantity = 0;
    }
    fo.status = "CANCELLED";
  }
  order.cancelledAt = at;
  order.cancelReason = String(args.reason);
  order.updatedAt = at;
  if (refund?.originalPaymentMethodsRefund === true && (order.financialStatus === "PAID" || order.financialStatus === "PARTIALLY_PAID")) {
    order.financialStatus = "REFUNDED";
  } else if (order.financialStatus === "AUTHORIZED" || order.financialStatus === "PENDING") {
    order.financialStatus = "VOIDED";
  }
  return { job: { __typename: "Job", id: `gid://shopify/Job/${randomUUID()}`, done: true }, orderCancelUserErrors: [], userErrors: [] };
}
