import { GraphQLError, type GraphQLResolveInfo } from "graphql";
import { decimalToMinorUnits, minorUnitsToDecimal } from "../../../core/shared/decimal-money.js";
import { idempotencyKeyOf } from "./sandbox-inventory-mutations.js";
import { gid, legacyIdOf, takeId, type SandboxOrder, type SandboxReturn, type SandboxReturnStatus, type SandboxState } from "./sandbox-state.js";
import { orderFulfillmentLineItems, refundedMinor, returnableQuantity, returnView, returnWebhookPayload } from "./sandbox-return-views.js";
import { orderTotals } from "./sandbox-order-views.js";
import { iso, type Args, type SandboxContext } from "./sandbox-view-helpers.js";

/**
 * The return mutations of 2026-04 over the sandbox's state, with Shopify's state rules (a
 * request is approved or declined only while REQUESTED, processed only while OPEN and only up
 * to what is unprocessed, refunds never above what was paid) and the returns/* webhooks each
 * one causes, queued in the outbox for the server to send after it answered.
 */

type UserError = { field: string[] | null; message: string; code: string | null };
const fail = (message: string, field: string[] | null, code: string) => ({ return: null, userErrors: [{ field, message, code }] as UserError[] });

interface ReturnLineInput {
  fulfillmentLineItemId: string;
  quantity: number;
  returnReasonDefinitionId?: string | null;
  customerNote?: string | null;
  returnReasonNote?: string | null;
}

function emit(state: SandboxState, topic: string, r: SandboxReturn): void {
  state.outbox.push({ topic, payload: returnWebhookPayload(r, state) });
}

function openReverseFulfillmentOrder(state: SandboxState, r: SandboxReturn): void {
  r.reverseFulfillmentOrder = {
    id: gid("ReverseFulfillmentOrder", takeId(state)),
    status: "OPEN",
    lines: r.lines.map((l) => ({ id: gid("ReverseFulfillmentOrderLineItem", takeId(state)), returnLineId: l.id })),
    deliveries: [],
  };
}

/** returnRequest (REQUESTED, awaiting the merchant) and returnCreate (OPEN at once). */
export function placeReturn(state: SandboxState, ctx: SandboxContext, input: { orderId: string; returnLineItems: ReturnLineInput[]; exchangeLineItems?: { variantId?: string | null; quantity: number }[] | null; returnShippingFee?: { amount: { amount: string; currencyCode: string } } | null }, status: SandboxReturnStatus, field: string) {
  const order = state.orders.find((o) => o.id === input.orderId);
  if (!order) return fail("Order does not exist.", [field, "orderId"], "NOT_FOUND");
  if (input.returnLineItems.length === 0) return fail("Return line items can't be blank.", [field, "returnLineItems"], "BLANK");
  const flis = orderFulfillmentLineItems(state, order.id);
  const asked = new Map<string, number>();
  for (const [i, line] of input.returnLineItems.entries()) {
    const fli = flis.find((f) => f.id === line.fulfillmentLineItemId);
    if (!fli) return fail("Fulfillment line item does not exist.", [field, "returnLineItems", String(i), "fulfillmentLineItemId"], "NOT_FOUND");
    if (line.quantity <= 0) return fail("Quantity must be greater than 0.", [field, "returnLineItems", String(i), "quantity"], "GREATER_THAN");
    const total = (asked.get(fli.id) ?? 0) + line.quantity;
    if (total > returnableQuantity(state, fli)) return fail("Quantity is not available for return.", [field, "returnLineItems", String(i), "quantity"], "INVALID");
    asked.set(fli.id, total);
    if (line.returnReasonDefinitionId && !state.returnReasonDefinitions.some((d) => d.id === line.returnReasonDefinitionId)) {
      return fail("Return reason definition does not exist.", [field, "returnLineItems", String(i), "returnReasonDefinitionId"], "NOT_FOUND");
    }
  }
  const exchanges = input.exchangeLineItems ?? [];
  for (const [i, x] of exchanges.entries()) {
    if (!x.variantId || !state.variants.some((v) => v.id === x.variantId)) return fail("Variant does not exist.", [field, "exchangeLineItems", String(i), "variantId"], "NOT_FOUND");
  }
  let shippingFeeMinor = 0;
  if (input.returnShippingFee) {
    const fee = decimalToMinorUnits(input.returnShippingFee.amount.amount, input.returnShippingFee.amount.currencyCode);
    if (!fee.ok) return fail("Return shipping fee is invalid.", [field, "returnShippingFee"], "INVALID");
    shippingFeeMinor = fee.value;
  }
  const at = iso(ctx);
  const r: SandboxReturn = {
    id: gid("Return", takeId(state)),
    orderId: order.id,
    name: `${order.name}-R${state.returns.filter((x) => x.orderId === order.id).length + 1}`,
    status,
    createdAt: at,
    closedAt: null,
    requestApprovedAt: status === "OPEN" ? at : null,
    decline: null,
    lines: input.returnLineItems.map((line) => ({
      id: gid("ReturnLineItem", takeId(state)),
      fulfillmentLineItemId: line.fulfillmentLineItemId,
      lineItemId: flis.find((f) => f.id === line.fulfillmentLineItemId)!.lineItemId,
      quantity: line.quantity,
      processedQuantity: 0,
      reasonDefinitionId: line.returnReasonDefinitionId ?? null,
      note: line.customerNote ?? line.returnReasonNote ?? null,
      disposition: null,
    })),
    exchangeLines: exchanges.map((x) => ({ id: gid("ExchangeLineItem", takeId(state)), variantId: x.variantId!, quantity: x.quantity, processedQuantity: 0 })),
    returnShippingFeeMinor: shippingFeeMinor,
    reverseFulfillmentOrder: null,
  };
  if (status === "OPEN") openReverseFulfillmentOrder(state, r);
  state.returns.push(r);
  order.updatedAt = at;
  emit(state, status === "OPEN" ? "returns/approve" : "returns/request", r);
  return { return: returnView(r, ctx), userErrors: [] };
}

function findReturn(state: SandboxState, id: unknown) {
  return state.returns.find((r) => r.id === id);
}

/** The merchant's and the app's state changes of a return: the same rules whoever asks. */
export function changeReturnStatus(state: SandboxState, ctx: SandboxContext, id: unknown, change: "approve" | "decline" | "cancel" | "close" | "reopen", decline?: { reason: string; note: string | null }) {
  const r = findReturn(state, id);
  if (!r) return fail("Return does not exist.", ["id"], "NOT_FOUND");
  const at = iso(ctx);
  const invalid = (message: string) => fail(message, ["id"], "INVALID_STATE");
  switch (change) {
    case "approve":
      if (r.status !== "REQUESTED") return invalid("Return is not approvable. Only returns with status REQUESTED can be approved.");
      r.status = "OPEN";
      r.requestApprovedAt = at;
      openReverseFulfillmentOrder(state, r);
      emit(state, "returns/approve", r);
      break;
    case "decline":
      if (r.status !== "REQUESTED") return invalid("Return is not declinable. Only returns with status REQUESTED can be declined.");
      r.status = "DECLINED";
      r.decline = decline ?? { reason: "OTHER", note: null };
      emit(state, "returns/decline", r);
      break;
    case "cancel":
      if (r.status !== "REQUESTED" && r.status !== "OPEN") return invalid("Return is not cancelable.");
      if (r.lines.some((l) => l.processedQuantity > 0)) return invalid("Return can't be canceled once items are processed.");
      r.status = "CANCELED";
      if (r.reverseFulfillmentOrder) r.reverseFulfillmentOrder.status = "CANCELED";
      emit(state, "returns/cancel", r);
      break;
    case "close":
      if (r.status !== "OPEN") return invalid("Return is not closable. Only returns with status OPEN can be closed.");
      r.status = "CLOSED";
      r.closedAt = at;
      if (r.reverseFulfillmentOrder) r.reverseFulfillmentOrder.status = "CLOSED";
      emit(state, "returns/close", r);
      break;
    case "reopen":
      if (r.status !== "CLOSED") return invalid("Return is not reopenable. Only returns with status CLOSED can be reopened.");
      r.status = "OPEN";
      r.closedAt = null;
      if (r.reverseFulfillmentOrder) r.reverseFulfillmentOrder.status = "OPEN";
      emit(state, "returns/reopen", r);
      break;
  }
  state.orders.find((o) => o.id === r.orderId)!.updatedAt = at;
  return { return: returnView(r, ctx), userErrors: [] };
}

export function reverseDeliveryCreateWithShipping(args: Args, ctx: SandboxContext) {
  const { state } = ctx;
  const r = state.returns.find((x) => x.reverseFulfillmentOrder?.id === args.reverseFulfillmentOrderId);
  const failure = (message: string, code: string) => ({ reverseDelivery: null, userErrors: [{ field: ["reverseFulfillmentOrderId"], message, code }] });
  if (!r || !r.reverseFulfillmentOrder) return failure("Reverse fulfillment order does not exist.", "NOT_FOUND");
  if (r.reverseFulfillmentOrder.status !== "OPEN") return failure("Reverse fulfillment order is not open.", "INVALID_STATE");
  const tracking = args.trackingInput as { number?: string | null; url?: string | null } | null | undefined;
  const label = args.labelInput as { fileUrl: string } | null | undefined;
  const delivery = { id: gid("ReverseDelivery", takeId(state)), trackingNumber: tracking?.number ?? null, trackingUrl: tracking?.url ?? null, labelUrl: label?.fileUrl ?? null, createdAt: iso(ctx) };
  r.reverseFulfillmentOrder.deliveries.push(delivery);
  const view = returnView(r, ctx) as { reverseFulfillmentOrders: (a: Args) => { nodes: { reverseDeliveries: (a: Args) => { nodes: unknown[] } }[] } };
  const deliveries = view.reverseFulfillmentOrders({ first: 1 }).nodes[0]!.reverseDeliveries({ first: 50 }).nodes;
  return { reverseDelivery: deliveries[deliveries.length - 1], userErrors: [] };
}

type MoneyInput = { amount: string; currencyCode: string };

/** Checks a refund against what the order paid and records it; a message when it cannot be taken. */
function takeRefund(state: SandboxState, order: SandboxOrder, input: { transactions: { parentId: string; amount: MoneyInput }[]; storeCredit: MoneyInput | null }): { amountMinor: number; storeCreditMinor: number } | string {
  let amountMinor = 0;
  for (const t of input.transactions) {
    if (t.parentId !== gid("OrderTransaction", order.legacyId)) return `Parent transaction ${t.parentId} does not belong to this order.`;
    const minor = decimalToMinorUnits(t.amount.amount, t.amount.currencyCode);
    if (!minor.ok || minor.value <= 0) return "Transaction amount is invalid.";
    amountMinor += minor.value;
  }
  if (amountMinor > orderTotals(order).total - refundedMinor(state, order.id)) return "Refund amount exceeds the refundable amount.";
  let storeCreditMinor = 0;
  if (input.storeCredit) {
    const minor = decimalToMinorUnits(input.storeCredit.amount, input.storeCredit.currencyCode);
    if (!minor.ok || minor.value <= 0) return "Store credit amount is invalid.";
    storeCreditMinor = minor.value;
  }
  return { amountMinor, storeCreditMinor };
}

function recordRefund(state: SandboxState, ctx: SandboxContext, order: SandboxOrder, returnId: string | null, money: { amountMinor: number; storeCreditMinor: number }, lines: { lineItemId: string; quantity: number }[]) {
  const refund = { id: gid("Refund", takeId(state)), orderId: order.id, returnId, ...money, lines, createdAt: iso(ctx) };
  state.refunds.push(refund);
  if (money.amountMinor > 0) order.financialStatus = refundedMinor(state, order.id) >= orderTotals(order).total ? "REFUNDED" : "PARTIALLY_REFUNDED";
  state.outbox.push({
    topic: "refunds/create",
    payload: {
      id: legacyIdOf(refund.id),
      admin_graphql_api_id: refund.id,
      order_id: order.legacyId,
      note: null,
      restock: false,
      transactions: money.amountMinor > 0 ? [{ kind: "refund", status: "success", amount: minorUnitsToDecimal(money.amountMinor, order.currency), currency: order.currency }] : [],
      refund_line_items: lines.map((l) => ({ line_item_id: legacyIdOf(l.lineItemId), quantity: l.quantity, restock_type: "no_restock" })),
    },
  });
  return refund;
}

export function returnProcess(args: Args, ctx: SandboxContext) {
  const { state } = ctx;
  const input = args.input as {
    returnId: string;
    returnLineItems?: { id: string; quantity: number; dispositions?: { reverseFulfillmentOrderLineItemId: string; quantity: number; dispositionType: string; locationId?: string | null }[] | null }[] | null;
    exchangeLineItems?: { id: string; quantity: number }[] | null;
    financialTransfer?: { issueRefund?: { orderTransactions: { parentId: string; transactionAmount: MoneyInput }[]; refundMethods?: { storeCreditRefund?: { amount: MoneyInput } | null }[] | null } | null } | null;
  };
  const r = findReturn(state, input.returnId);
  if (!r) return fail("Return does not exist.", ["input", "returnId"], "NOT_FOUND");
  if (r.status !== "OPEN") return fail("Return must be open to be processed.", ["input", "returnId"], "INVALID_STATE");
  const order = state.orders.find((o) => o.id === r.orderId)!;
  const lines = input.returnLineItems ?? [];
  for (const [i, l] of lines.entries()) {
    const line = r.lines.find((x) => x.id === l.id);
    if (!line) return fail("Return line item does not exist.", ["input", "returnLineItems", String(i), "id"], "NOT_FOUND");
    if (l.quantity <= 0 || l.quantity > line.quantity - line.processedQuantity) return fail("Quantity exceeds the unprocessed quantity.", ["input", "returnLineItems", String(i), "quantity"], "INVALID");
    for (const d of l.dispositions ?? []) {
      const rfoLine = r.reverseFulfillmentOrder?.lines.find((x) => x.id === d.reverseFulfillmentOrderLineItemId);
      if (!rfoLine || rfoLine.returnLineId !== line.id) return fail("Reverse fulfillment order line item does not match the return line item.", ["input", "returnLineItems", String(i), "dispositions"], "INVALID");
    }
  }
  for (const [i, x] of (input.exchangeLineItems ?? []).entries()) {
    const line = r.exchangeLines.find((e) => e.id === x.id);
    if (!line) return fail("Exchange line item does not exist.", ["input", "exchangeLineItems", String(i), "id"], "NOT_FOUND");
    if (x.quantity <= 0 || x.quantity > line.quantity - line.processedQuantity) return fail("Quantity exceeds the unprocessed quantity.", ["input", "exchangeLineItems", String(i), "quantity"], "INVALID");
  }
  const refund = input.financialTransfer?.issueRefund;
  let money = { amountMinor: 0, storeCreditMinor: 0 };
  if (refund) {
    const storeCredit = refund.refundMethods?.find((m) => m.storeCreditRefund)?.storeCreditRefund?.amount ?? null;
    const taken = takeRefund(state, order, { transactions: refund.orderTransactions.map((t) => ({ parentId: t.parentId, amount: t.transactionAmount })), storeCredit });
    if (typeof taken === "string") return fail(taken, ["input", "financialTransfer"], "INVALID");
    money = taken;
  }
  for (const l of lines) {
    const line = r.lines.find((x) => x.id === l.id)!;
    line.processedQuantity += l.quantity;
    const d = l.dispositions?.[0];
    if (d) line.disposition = { type: d.dispositionType, locationId: d.locationId ?? null };
  }
  for (const x of input.exchangeLineItems ?? []) r.exchangeLines.find((e) => e.id === x.id)!.processedQuantity += x.quantity;
  if (refund) recordRefund(state, ctx, order, r.id, money, lines.map((l) => ({ lineItemId: r.lines.find((x) => x.id === l.id)!.lineItemId, quantity: l.quantity })));
  emit(state, "returns/process", r);
  return { return: returnView(r, ctx), userErrors: [] };
}

/** refundCreate: 2026-04 requires `@idempotent(key:)`; the same key and input answer the first refund again. */
export function refundCreate(args: Args, ctx: SandboxContext, info: GraphQLResolveInfo) {
  const { state } = ctx;
  const key = idempotencyKeyOf(info);
  if (!key || key.trim() === "") throw new GraphQLError("The @idempotent directive is required for this mutation.", { extensions: { code: "BAD_REQUEST" } });
  const input = args.input as {
    orderId: string;
    refundLineItems?: { lineItemId: string; quantity: number }[] | null;
    transactions?: { parentId?: string | null; amount: string; kind: string; gateway: string }[] | null;
    refundMethods?: { storeCreditRefund?: { amount: MoneyInput } | null }[] | null;
  };
  const fingerprint = JSON.stringify(input);
  const previous = state.idempotency.get(`refundCreate:${key}`);
  if (previous) {
    if (previous.fingerprint === fingerprint) return previous.response;
    return { refund: null, order: null, userErrors: [{ field: null, message: "The idempotency key was already used with different parameters." }] };
  }
  const order = state.orders.find((o) => o.id === input.orderId);
  if (!order) return { refund: null, order: null, userErrors: [{ field: ["input", "orderId"], message: "Order does not exist." }] };
  for (const l of input.refundLineItems ?? []) {
    const line = order.lineItems.find((x) => x.id === l.lineItemId);
    if (!line || l.quantity <= 0 || l.quantity > line.quantity) return { refund: null, order: null, userErrors: [{ field: ["input", "refundLineItems"], message: "Line item quantity is invalid." }] };
  }
  const storeCredit = input.refundMethods?.find((m) => m.storeCreditRefund)?.storeCreditRefund?.amount ?? null;
  const taken = takeRefund(state, order, {
    transactions: (input.transactions ?? []).map((t) => ({ parentId: t.parentId ?? "", amount: { amount: t.amount, currencyCode: order.currency } })),
    storeCredit,
  });
  if (typeof taken === "string") return { refund: null, order: null, userErrors: [{ field: ["input", "transactions"], message: taken }] };
  const refund = recordRefund(state, ctx, order, null, taken, (input.refundLineItems ?? []).map((l) => ({ lineItemId: l.lineItemId, quantity: l.quantity })));
  const response = {
    refund: { __typename: "Refund", id: refund.id, createdAt: refund.createdAt, note: null, totalRefundedSet: { shopMoney: { amount: minorUnitsToDecimal(taken.amountMinor, order.currency), currencyCode: order.currency }, presentmentMoney: { amount: minorUnitsToDecimal(taken.amountMinor, order.currency), currencyCode: order.currency } } },
    order: null,
    userErrors: [],
  };
  state.idempotency.set(`refundCreate:${key}`, { fingerprint, response });
  return response;
}

export function returnMutationFields(ctx: SandboxContext): Record<string, unknown> {
  const { state } = ctx;
  return {
    returnRequest: (args: Args) => placeReturn(state, ctx, args.input as never, "REQUESTED", "input"),
    returnCreate: (args: Args) => placeReturn(state, ctx, args.returnInput as never, "OPEN", "returnInput"),
    returnApproveRequest: (args: Args) => changeReturnStatus(state, ctx, (args.input as { id: string }).id, "approve"),
    returnDeclineRequest: (args: Args) => {
      const input = args.input as { id: string; declineReason: string; declineNote?: string | null };
      return changeReturnStatus(state, ctx, input.id, "decline", { reason: input.declineReason, note: input.declineNote ?? null });
    },
    returnCancel: (args: Args) => changeReturnStatus(state, ctx, args.id, "cancel"),
    returnClose: (args: Args) => changeReturnStatus(state, ctx, args.id, "close"),
    returnReopen: (args: Args) => changeReturnStatus(state, ctx, args.id, "reopen"),
    reverseDeliveryCreateWithShipping: (args: Args) => reverseDeliveryCreateWithShipping(args, ctx),
    returnProcess: (args: Args) => returnProcess(args, ctx),
    refundCreate: (args: Args, _c: unknown, info: GraphQLResolveInfo) => refundCreate(args, ctx, info),
  };
}
