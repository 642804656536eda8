import { minorUnitsToDecimal } from "../../../core/shared/decimal-money.js";
import { gid, legacyIdOf, type SandboxFulfillment, type SandboxOrder, type SandboxReturn, type SandboxState } from "./sandbox-state.js";
import { fulfillmentView, lineItemView, orderTotals, orderView } from "./sandbox-order-views.js";
import { connection, moneyBag, type Args, type SandboxContext } from "./sandbox-view-helpers.js";

/**
 * Returns as the Admin API shows them (Return, ReturnLineItem, ReverseFulfillmentOrder,
 * returnable fulfillments, order transactions) and as returns/* webhooks carry them.
 */

export interface SandboxFulfillmentLineItem {
  id: string;
  fulfillmentId: string;
  lineItemId: string;
  quantity: number;
}

/** A fulfillment's lines by order line item; ids derived from the fulfillment, so they are stable. */
export function fulfillmentLineItems(state: SandboxState, f: SandboxFulfillment): SandboxFulfillmentLineItem[] {
  return f.lines.map((line, i) => {
    const foLine = state.fulfillmentOrders.flatMap((fo) => fo.lineItems).find((l) => l.id === line.fulfillmentOrderLineItemId)!;
    return { id: gid("FulfillmentLineItem", legacyIdOf(f.id) * 100 + i + 1), fulfillmentId: f.id, lineItemId: foLine.lineItemId, quantity: line.quantity };
  });
}

export function orderFulfillmentLineItems(state: SandboxState, orderId: string): SandboxFulfillmentLineItem[] {
  return state.fulfillments.filter((f) => f.orderId === orderId).flatMap((f) => fulfillmentLineItems(state, f));
}

/** Units of a fulfillment line item still returnable: shipped minus those on live returns. */
export function returnableQuantity(state: SandboxState, fli: SandboxFulfillmentLineItem): number {
  const onReturns = state.returns
    .filter((r) => r.status !== "DECLINED" && r.status !== "CANCELED")
    .flatMap((r) => r.lines)
    .filter((l) => l.fulfillmentLineItemId === fli.id)
    .reduce((sum, l) => sum + l.quantity, 0);
  return Math.max(0, fli.quantity - onReturns);
}

function fulfillmentLineItemView(fli: SandboxFulfillmentLineItem, order: SandboxOrder, ctx: SandboxContext) {
  const line = order.lineItems.find((l) => l.id === fli.lineItemId)!;
  const c = order.currency;
  return {
    __typename: "FulfillmentLineItem",
    id: fli.id,
    quantity: fli.quantity,
    lineItem: () => lineItemView(line, order, ctx),
    originalTotalSet: moneyBag(line.priceMinor * fli.quantity, c),
    discountedTotalSet: moneyBag(line.priceMinor * fli.quantity - Math.round((line.discountMinor * fli.quantity) / line.quantity), c),
  };
}

export function returnView(r: SandboxReturn, ctx: SandboxContext): Record<string, unknown> {
  const { state } = ctx;
  const order = state.orders.find((o) => o.id === r.orderId)!;
  const flis = orderFulfillmentLineItems(state, order.id);
  const fli = (id: string) => fulfillmentLineItemView(flis.find((f) => f.id === id)!, order, ctx);
  const definition = (id: string | null) => state.returnReasonDefinitions.find((d) => d.id === id) ?? null;
  const rfo = r.reverseFulfillmentOrder;
  return {
    __typename: "Return",
    id: r.id,
    name: r.name,
    status: r.status,
    createdAt: r.createdAt,
    closedAt: r.closedAt,
    requestApprovedAt: r.requestApprovedAt,
    totalQuantity: r.lines.reduce((sum, l) => sum + l.quantity, 0),
    decline: r.decline ? { reason: r.decline.reason, note: r.decline.note } : null,
    order: () => orderView(order, ctx),
    returnShippingFees: [],
    returnLineItems: (args: Args) =>
      connection(r.lines, args, ctx, (l) => ({
        __typename: "ReturnLineItem",
        id: l.id,
        quantity: l.quantity,
        processedQuantity: l.processedQuantity,
        unprocessedQuantity: l.quantity - l.processedQuantity,
        processableQuantity: r.status === "OPEN" ? l.quantity - l.processedQuantity : 0,
        refundableQuantity: l.quantity,
        refundedQuantity: 0,
        customerNote: l.note,
        returnReasonNote: l.note ?? "",
        returnReason: "UNKNOWN",
        returnReasonDefinition: definition(l.reasonDefinitionId),
        fulfillmentLineItem: () => fli(l.fulfillmentLineItemId),
      })),
    exchangeLineItems: (args: Args) =>
      connection(r.exchangeLines, args, ctx, (x) => ({
        __typename: "ExchangeLineItem",
        id: x.id,
        quantity: x.quantity,
        processedQuantity: x.processedQuantity,
        unprocessedQuantity: x.quantity - x.processedQuantity,
        processableQuantity: r.status === "OPEN" ? x.quantity - x.processedQuantity : 0,
        variantId: x.variantId,
        lineItems: null,
      })),
    reverseFulfillmentOrders: (args: Args) =>
      connection(rfo ? [rfo] : [], args, ctx, (o) => ({
        __typename: "ReverseFulfillmentOrder",
        id: o.id,
        status: o.status,
        order: () => orderView(order, ctx),
        lineItems: (a: Args) =>
          connection(o.lines, a, ctx, (line) => {
            const returnLine = r.lines.find((l) => l.id === line.returnLineId)!;
            return {
              __typename: "ReverseFulfillmentOrderLineItem",
              id: line.id,
              totalQuantity: returnLine.quantity,
              dispositions: returnLine.disposition ? [{ id: `${line.id}-d`, type: returnLine.disposition.type, quantity: returnLine.processedQuantity, location: null }] : [],
              fulfillmentLineItem: () => fli(returnLine.fulfillmentLineItemId),
            };
          }),
        reverseDeliveries: (a: Args) =>
          connection(o.deliveries, a, ctx, (d) => ({
            __typename: "ReverseDelivery",
            id: d.id,
            deliverable: {
              __typename: "ReverseDeliveryShippingDeliverable",
              tracking: { number: d.trackingNumber, url: d.trackingUrl, carrierName: null },
              label: d.labelUrl ? { publicFileUrl: d.labelUrl, createdAt: d.createdAt, updatedAt: d.createdAt } : null,
            },
          })),
      })),
  };
}

export function returnableFulfillmentsView(orderId: string, args: Args, ctx: SandboxContext) {
  const { state } = ctx;
  const order = state.orders.find((o) => o.id === orderId);
  if (!order) return connection([], args, ctx, (x: { id: string }) => x);
  const returnable = state.fulfillments
    .filter((f) => f.orderId === orderId)
    .map((f) => ({ f, lines: fulfillmentLineItems(state, f).map((fli) => ({ id: fli.id, fli, left: returnableQuantity(state, fli) })).filter((l) => l.left > 0) }))
    .filter((x) => x.lines.length > 0);
  return connection(
    returnable.map((x) => ({ id: gid("ReturnableFulfillment", legacyIdOf(x.f.id)), ...x })),
    args,
    ctx,
    (x) => ({
      __typename: "ReturnableFulfillment",
      id: x.id,
      fulfillment: fulfillmentView(x.f),
      returnableFulfillmentLineItems: (a: Args) =>
        connection(x.lines, a, ctx, (l) => ({ __typename: "ReturnableFulfillmentLineItem", quantity: l.left, fulfillmentLineItem: fulfillmentLineItemView(l.fli, order, ctx) })),
    }),
  );
}

/** The order's payment (one sale of its total when paid) and the refunds taken from it. */
export function orderTransactions(order: SandboxOrder, state: SandboxState) {
  const c = order.currency;
  const paid = order.financialStatus === "PAID" || order.financialStatus === "PARTIALLY_REFUNDED" || order.financialStatus === "REFUNDED";
  const sale = {
    __typename: "OrderTransaction",
    id: gid("OrderTransaction", order.legacyId),
    kind: "SALE",
    status: paid ? "SUCCESS" : "PENDING",
    gateway: "bogus",
    test: true,
    amountSet: moneyBag(orderTotals(order).total, c),
  };
  const refunds = state.refunds
    .filter((r) => r.orderId === order.id && r.amountMinor > 0)
    .map((r) => ({ __typename: "OrderTransaction", id: `${r.id.replace("Refund", "OrderTransaction")}`, kind: "REFUND", status: "SUCCESS", gateway: "bogus", test: true, amountSet: moneyBag(r.amountMinor, c) }));
  return [sale, ...refunds];
}

export function refundedMinor(state: SandboxState, orderId: string): number {
  return state.refunds.filter((r) => r.orderId === orderId).reduce((sum, r) => sum + r.amountMinor, 0);
}

// ---------- webhook payloads (REST shape: snake_case, numeric ids plus admin_graphql_api_id) ----------

const ref = (id: string) => ({ id: legacyIdOf(id), admin_graphql_api_id: id });

export function returnWebhookPayload(r: SandboxReturn, state: SandboxState): Record<string, unknown> {
  const order = state.orders.find((o) => o.id === r.orderId)!;
  const flis = orderFulfillmentLineItems(state, order.id);
  return {
    ...ref(r.id),
    name: r.name,
    status: r.status.toLowerCase(),
    order: ref(order.id),
    order_id: order.legacyId,
    total_return_line_items: r.lines.length,
    return_line_items: r.lines.map((l) => {
      const fli = flis.find((f) => f.id === l.fulfillmentLineItemId)!;
      const handle = state.returnReasonDefinitions.find((d) => d.id === l.reasonDefinitionId)?.handle;
      return {
        ...ref(l.id),
        fulfillment_line_item: { ...ref(fli.id), line_item: ref(fli.lineItemId) },
        quantity: l.quantity,
        processed_quantity: l.processedQuantity,
        return_reason: handle ? handle.replace(/-/g, "_") : "unknown",
        return_reason_note: l.note ?? "",
        customer_note: l.note,
        restocking_fee: null,
      };
    }),
    exchange_line_items: r.exchangeLines.map((x) => ({ ...ref(x.id), variant_id: legacyIdOf(x.variantId), quantity: x.quantity, processed_quantity: x.processedQuantity })),
    total_exchange_line_items: r.exchangeLines.length,
    return_shipping_fees: r.returnShippingFeeMinor > 0 ? [{ price: { shop_money: { amount: minorUnitsToDecimal(r.returnShippingFeeMinor, order.currency), currency_code: order.currency } } }] : [],
    decline: r.decline ? { reason: r.decline.reason.toLowerCase(), note: r.decline.note } : null,
  };
}
