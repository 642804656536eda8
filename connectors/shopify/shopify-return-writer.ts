import { decimalToMinorUnits, minorUnitsToDecimal } from "../../core/shared/decimal-money.js";
import { ok } from "../../core/shared/result.js";
import type {
  ChannelCallResult,
  ChannelRefundMoney,
  ChannelReturnPlacement,
  ChannelReturnRequest,
  ChannelReturnView,
  ChannelReturnWriter,
  PlainRefundRequest,
  ProcessChannelReturnRequest,
} from "../../core/ports/channel-connector-port.js";
import { describeUserErrors, type AdminGraphqlClient, type ShopifyUserError } from "./admin-graphql-client.js";
import {
  ORDER_FOR_RETURN_QUERY,
  ORDER_RETURNS_QUERY,
  ORDER_TRANSACTIONS_QUERY,
  REFUND_CREATE_MUTATION,
  RETURN_APPROVE_REQUEST_MUTATION,
  RETURN_CANCEL_MUTATION,
  RETURN_CLOSE_MUTATION,
  RETURN_CREATE_MUTATION,
  RETURN_DECLINE_REQUEST_MUTATION,
  RETURN_PROCESS_MUTATION,
  RETURN_QUERY,
  RETURN_REASON_DEFINITIONS_QUERY,
  RETURN_REQUEST_MUTATION,
  RETURNABLE_FULFILLMENTS_QUERY,
  REVERSE_DELIVERY_CREATE_WITH_SHIPPING_MUTATION,
} from "./graphql-return-documents.js";
import { shopifyFailure } from "./shopify-failure-mapping.js";

/**
 * Shopify returns through the current Admin API (2026-04), in the port's vocabulary. Reads
 * before writes wherever Shopify offers no idempotency key (a return is approved only while it
 * is REQUESTED, processed only for what is unprocessed), and refundCreate carries the caller's
 * key as `@idempotent(key:)`. Failures go through shopify-failure-mapping.ts.
 */

interface ReturnNode {
  id: string;
  name: string;
  status: "REQUESTED" | "OPEN" | "DECLINED" | "CANCELED" | "CLOSED";
  returnLineItems: {
    pageInfo: { hasNextPage: boolean };
    nodes: { id: string; quantity: number; unprocessedQuantity: number; fulfillmentLineItem?: { id: string; lineItem: { id: string } } }[];
  };
  exchangeLineItems: { nodes: { id: string; quantity: number; unprocessedQuantity: number; variantId: string | null }[] };
  reverseFulfillmentOrders: {
    nodes: {
      id: string;
      status: "OPEN" | "CLOSED" | "CANCELED";
      lineItems: { nodes: { id: string; totalQuantity: number; fulfillmentLineItem: { id: string; lineItem: { id: string } } | null }[] };
      reverseDeliveries: { nodes: { id: string }[] };
    }[];
  };
}

type Payload = { return: ReturnNode | null; userErrors: ShopifyUserError[] } | null;

const STATUS: Record<ReturnNode["status"], ChannelReturnView["status"]> = {
  REQUESTED: "requested",
  OPEN: "open",
  DECLINED: "declined",
  CANCELED: "cancelled",
  CLOSED: "closed",
};

/** Shopify's return reason library handles for our reasons (looked up, never assumed to be ids). */
export function returnReasonHandle(reason: string): string {
  return reason.replace(/_/g, "-");
}

export function toReturnView(node: ReturnNode): ChannelReturnView {
  const reverseLines = node.reverseFulfillmentOrders.nodes.flatMap((rfo) => rfo.lineItems.nodes);
  return {
    externalId: node.id,
    name: node.name,
    status: STATUS[node.status],
    lines: node.returnLineItems.nodes.map((line) => ({
      id: line.id,
      externalLineId: line.fulfillmentLineItem?.lineItem.id ?? "",
      quantity: line.quantity,
      unprocessedQuantity: line.unprocessedQuantity,
      reverseLineId: reverseLines.find((r) => r.fulfillmentLineItem?.id === line.fulfillmentLineItem?.id)?.id ?? null,
    })),
    exchangeLines: node.exchangeLineItems.nodes.map((line) => ({ id: line.id, unprocessedQuantity: line.unprocessedQuantity })),
    reverseFulfillmentOrdersAwaitingDelivery: node.reverseFulfillmentOrders.nodes.filter((rfo) => rfo.status === "OPEN" && rfo.reverseDeliveries.nodes.length === 0).map((rfo) => rfo.id),
  };
}

function money(minor: number, currency: string) {
  return { amount: minorUnitsToDecimal(minor, currency), currencyCode: currency };
}

export class ShopifyReturnWriter implements ChannelReturnWriter {
  constructor(private readonly client: AdminGraphqlClient) {}

  async findReturn(returnExternalId: string): Promise<ChannelCallResult<ChannelReturnView | null>> {
    const read = await this.client.request<{ return: ReturnNode | null }>(RETURN_QUERY, { id: returnExternalId });
    if (!read.ok) return shopifyFailure(read.reason, read.detail);
    return ok(read.data.return ? toReturnView(read.data.return) : null);
  }

  async findOrderReturns(orderExternalId: string): Promise<ChannelCallResult<readonly ChannelReturnView[]>> {
    const read = await this.client.request<{ order: { returns: { nodes: { id: string }[] } } | null }>(ORDER_RETURNS_QUERY, { orderId: orderExternalId });
    if (!read.ok) return shopifyFailure(read.reason, read.detail);
    if (!read.data.order) return shopifyFailure("not_found", `order ${orderExternalId} not found`);
    const views: ChannelReturnView[] = [];
    for (const node of read.data.order.returns.nodes) {
      const view = await this.findReturn(node.id);
      if (!view.ok) return view;
      if (view.value) views.push(view.value);
    }
    return ok(views);
  }

  requestReturn(request: ChannelReturnRequest): Promise<ChannelCallResult<ChannelReturnPlacement>> {
    return this.place("request", request);
  }

  createReturn(request: ChannelReturnRequest): Promise<ChannelCallResult<ChannelReturnPlacement>> {
    return this.place("create", request);
  }

  approveReturn(returnExternalId: string): Promise<ChannelCallResult<ChannelReturnView>> {
    return this.mutate(RETURN_APPROVE_REQUEST_MUTATION, "returnApproveRequest", { input: { id: returnExternalId, notifyCustomer: true } });
  }

  declineReturn(returnExternalId: string, decline: { reason: "return_period_ended" | "final_sale" | "other"; note?: string }): Promise<ChannelCallResult<ChannelReturnView>> {
    return this.mutate(RETURN_DECLINE_REQUEST_MUTATION, "returnDeclineRequest", {
      input: { id: returnExternalId, declineReason: decline.reason.toUpperCase(), notifyCustomer: true, ...(decline.note ? { declineNote: decline.note.slice(0, 500) } : {}) },
    });
  }

  cancelReturn(returnExternalId: string): Promise<ChannelCallResult<ChannelReturnView>> {
    return this.mutate(RETURN_CANCEL_MUTATION, "returnCancel", { id: returnExternalId });
  }

  closeReturn(returnExternalId: string): Promise<ChannelCallResult<ChannelReturnView>> {
    return this.mutate(RETURN_CLOSE_MUTATION, "returnClose", { id: returnExternalId });
  }

  async attachLabel(request: { reverseFulfillmentOrderId: string; trackingNumber: string; trackingUrl?: string; labelUrl?: string; notifyCustomer: boolean }): Promise<ChannelCallResult<{ reverseDeliveryId: string }>> {
    type Data = { reverseDeliveryCreateWithShipping: { reverseDelivery: { id: string } | null; userErrors: ShopifyUserError[] } | null };
    const sent = await this.client.request<Data>(REVERSE_DELIVERY_CREATE_WITH_SHIPPING_MUTATION, {
      reverseFulfillmentOrderId: request.reverseFulfillmentOrderId,
      // Empty: one reverse delivery line per reverse fulfillment order line, whole quantities.
      reverseDeliveryLineItems: [],
      trackingInput: { number: request.trackingNumber, ...(request.trackingUrl ? { url: request.trackingUrl } : {}) },
      ...(request.labelUrl ? { labelInput: { fileUrl: request.labelUrl } } : {}),
      notifyCustomer: request.notifyCustomer,
    });
    if (!sent.ok) return shopifyFailure(sent.reason, sent.detail);
    const payload = sent.data.reverseDeliveryCreateWithShipping;
    if (!payload?.reverseDelivery || payload.userErrors.length > 0) return shopifyFailure("user_errors", describeUserErrors(payload?.userErrors ?? []) || "no reverse delivery returned");
    return ok({ reverseDeliveryId: payload.reverseDelivery.id });
  }

  async processReturn(request: ProcessChannelReturnRequest): Promise<ChannelCallResult<ChannelReturnView>> {
    const financialTransfer = await this.financialTransfer(request.orderExternalId, request.money);
    if (!financialTransfer.ok) return financialTransfer;
    return this.mutate(RETURN_PROCESS_MUTATION, "returnProcess", {
      input: {
        returnId: request.returnExternalId,
        returnLineItems: request.lines.map((line) => ({
          id: line.id,
          quantity: line.quantity,
          ...(line.disposition
            ? {
                dispositions: [
                  {
                    reverseFulfillmentOrderLineItemId: line.disposition.reverseLineId,
                    quantity: line.quantity,
                    dispositionType: line.disposition.kind.toUpperCase(),
                    ...(line.disposition.locationExternalId ? { locationId: line.disposition.locationExternalId } : {}),
                  },
                ],
              }
            : {}),
        })),
        exchangeLineItems: request.exchangeLines.map((line) => ({ id: line.id, quantity: line.quantity })),
        notifyCustomer: request.notifyCustomer,
        ...(request.note ? { note: request.note } : {}),
        ...(financialTransfer.value ? { financialTransfer: financialTransfer.value } : {}),
      },
    });
  }

  async refund(request: PlainRefundRequest): Promise<ChannelCallResult<{ refundId: string }>> {
    const input: Record<string, unknown> = {
      orderId: request.orderExternalId,
      notify: true,
      ...(request.note ? { note: request.note } : {}),
      // Stock is Switchyard's ledger's: Shopify is told nothing went back on its shelf.
      refundLineItems: request.lines.map((line) => ({ lineItemId: line.externalLineId, quantity: line.quantity, restockType: "NO_RESTOCK" })),
    };
    if (request.money.kind === "store_credit") {
      input.refundMethods = [{ storeCreditRefund: { amount: money(request.money.amountMinor, request.money.currency) } }];
    } else {
      const parents = await this.refundableTransactions(request.orderExternalId, request.money.amountMinor, request.money.currency);
      if (!parents.ok) return parents;
      input.transactions = parents.value.map((p) => ({
        orderId: request.orderExternalId,
        parentId: p.id,
        gateway: p.gateway,
        kind: "REFUND",
        amount: minorUnitsToDecimal(p.amountMinor, request.money.currency),
      }));
    }
    type Data = { refundCreate: { refund: { id: string } | null; userErrors: ShopifyUserError[] } | null };
    const sent = await this.client.request<Data>(REFUND_CREATE_MUTATION, { input, idempotencyKey: request.idempotencyKey });
    if (!sent.ok) return shopifyFailure(sent.reason, sent.detail);
    const payload = sent.data.refundCreate;
    if (!payload?.refund || payload.userErrors.length > 0) return shopifyFailure("user_errors", describeUserErrors(payload?.userErrors ?? []) || "refundCreate returned no refund");
    return ok({ refundId: payload.refund.id });
  }

  // ---------- internals ----------

  private async place(kind: "request" | "create", request: ChannelReturnRequest): Promise<ChannelCallResult<ChannelReturnPlacement>> {
    const order = await this.client.request<{ order: { id: string } | null }>(ORDER_FOR_RETURN_QUERY, { orderId: request.orderExternalId });
    if (!order.ok) return shopifyFailure(order.reason, order.detail);
    if (!order.data.order) return ok({ orderMissing: `Shopify does not have order ${request.orderExternalId}` });
    type Returnable = { returnableFulfillments: { nodes: { returnableFulfillmentLineItems: { nodes: { quantity: number; fulfillmentLineItem: { id: string; lineItem: { id: string } } }[] } }[] } };
    const returnable = await this.client.request<Returnable>(RETURNABLE_FULFILLMENTS_QUERY, { orderId: request.orderExternalId });
    if (!returnable.ok) return shopifyFailure(returnable.reason, returnable.detail);
    const available = returnable.data.returnableFulfillments.nodes.flatMap((f) => f.returnableFulfillmentLineItems.nodes).map((n) => ({ ...n, left: n.quantity }));

    // Each requested line is spread over the fulfillment line items that shipped it.
    const allocated: { fulfillmentLineItemId: string; quantity: number; reason: string; note?: string }[] = [];
    for (const line of request.lines) {
      let wanted = line.quantity;
      for (const candidate of available.filter((a) => a.fulfillmentLineItem.lineItem.id === line.externalLineId && a.left > 0)) {
        const take = Math.min(wanted, candidate.left);
        candidate.left -= take;
        wanted -= take;
        allocated.push({ fulfillmentLineItemId: candidate.fulfillmentLineItem.id, quantity: take, reason: line.reason, ...(line.note ? { note: line.note } : {}) });
        if (wanted === 0) break;
      }
      if (wanted > 0) return ok({ unmirrorable: `Shopify has ${line.quantity - wanted} returnable unit(s) of ${line.externalLineId}, ${line.quantity} asked (not fulfilled there, or already returned)` });
    }

    const handles = [...new Set(request.lines.map((l) => returnReasonHandle(l.reason)))];
    const reasons = await this.client.request<{ returnReasonDefinitions: { nodes: { id: string; handle: string; deleted: boolean }[] } }>(RETURN_REASON_DEFINITIONS_QUERY, { handles });
    if (!reasons.ok) return shopifyFailure(reasons.reason, reasons.detail);
    const reasonId = new Map(reasons.data.returnReasonDefinitions.nodes.filter((r) => !r.deleted).map((r) => [r.handle, r.id]));

    const fee = request.returnShippingFee && request.returnShippingFee.amountMinor > 0 ? { returnShippingFee: { amount: money(request.returnShippingFee.amountMinor, request.returnShippingFee.currency) } } : {};
    const lines = allocated.map((a) => {
      const definition = reasonId.get(returnReasonHandle(a.reason));
      // A shop without that reason in its library still gets the reason, in words.
      const words = definition ? a.note : [a.reason.replace(/_/g, " "), a.note].filter(Boolean).join(": ");
      return {
        fulfillmentLineItemId: a.fulfillmentLineItemId,
        quantity: a.quantity,
        ...(definition ? { returnReasonDefinitionId: definition } : {}),
        ...(words ? (kind === "request" ? { customerNote: words.slice(0, 300) } : { returnReasonNote: words.slice(0, 255) }) : {}),
      };
    });
    const placed =
      kind === "request"
        ? await this.mutate(RETURN_REQUEST_MUTATION, "returnRequest", { input: { orderId: request.orderExternalId, returnLineItems: lines, ...fee } })
        : await this.mutate(RETURN_CREATE_MUTATION, "returnCreate", {
            returnInput: {
              orderId: request.orderExternalId,
              returnLineItems: lines,
              ...(request.exchangeLines?.length ? { exchangeLineItems: request.exchangeLines.map((x) => ({ variantId: x.variantExternalId, quantity: x.quantity })) } : {}),
              ...fee,
            },
          });
    return placed.ok ? ok({ placed: placed.value }) : placed;
  }

  private async mutate(document: string, field: string, variables: Record<string, unknown>): Promise<ChannelCallResult<ChannelReturnView>> {
    const sent = await this.client.request<Record<string, Payload>>(document, variables);
    if (!sent.ok) return shopifyFailure(sent.reason, sent.detail);
    const payload = sent.data[field];
    if (!payload) return shopifyFailure("user_errors", `${field} returned null`);
    if (payload.userErrors.length > 0) {
      const notFound = payload.userErrors.some((e) => e.code === "NOT_FOUND");
      return shopifyFailure(notFound ? "not_found" : "user_errors", `${field}: ${describeUserErrors(payload.userErrors)}`);
    }
    if (!payload.return) return shopifyFailure("user_errors", `${field} returned no return`);
    return ok(toReturnView(payload.return));
  }

  /** How money leaves a returnProcess: back to the payments, as store credit, or not at all (exchanges). */
  private async financialTransfer(orderExternalId: string, payout: ChannelRefundMoney): Promise<ChannelCallResult<Record<string, unknown> | null>> {
    if (payout.kind === "none" || payout.amountMinor <= 0) return ok(null);
    if (payout.kind === "store_credit") {
      return ok({ issueRefund: { orderTransactions: [], refundMethods: [{ storeCreditRefund: { amount: money(payout.amountMinor, payout.currency) } }] } });
    }
    const parents = await this.refundableTransactions(orderExternalId, payout.amountMinor, payout.currency);
    if (!parents.ok) return parents;
    return ok({ issueRefund: { orderTransactions: parents.value.map((p) => ({ parentId: p.id, transactionAmount: money(p.amountMinor, payout.currency) })) } });
  }

  /** The order's captured payments that cover `amountMinor`, largest first. */
  private async refundableTransactions(orderExternalId: string, amountMinor: number, currency: string): Promise<ChannelCallResult<{ id: string; gateway: string; amountMinor: number }[]>> {
    type Tx = { id: string; kind: string; status: string; gateway: string | null; amountSet: { shopMoney: { amount: string; currencyCode: string } } };
    const read = await this.client.request<{ order: { transactions: Tx[] } | null }>(ORDER_TRANSACTIONS_QUERY, { orderId: orderExternalId });
    if (!read.ok) return shopifyFailure(read.reason, read.detail);
    if (!read.data.order) return shopifyFailure("not_found", `order ${orderExternalId} not found`);
    const captured = read.data.order.transactions
      .filter((t) => (t.kind === "SALE" || t.kind === "CAPTURE") && t.status === "SUCCESS")
      .map((t) => {
        const amount = decimalToMinorUnits(t.amountSet.shopMoney.amount, t.amountSet.shopMoney.currencyCode);
        return { id: t.id, gateway: t.gateway ?? "manual", amountMinor: amount.ok ? amount.value : 0 };
      })
      .sort((a, b) => b.amountMinor - a.amountMinor);
    const chosen: { id: string; gateway: string; amountMinor: number }[] = [];
    let left = amountMinor;
    for (const t of captured) {
      if (left === 0) break;
      const take = Math.min(left, t.amountMinor);
      if (take > 0) chosen.push({ ...t, amountMinor: take });
      left -= take;
    }
    if (left > 0) return shopifyFailure("user_errors", `order ${orderExternalId} has ${minorUnitsToDecimal(amountMinor - left, currency)} ${currency} of captured payments, ${minorUnitsToDecimal(amountMinor, currency)} to refund`);
    return ok(chosen);
  }
}
