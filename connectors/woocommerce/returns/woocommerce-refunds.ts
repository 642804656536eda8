import { minorUnitsToDecimal } from "../../../core/shared/decimal-money.js";
import type { ChannelCallResult } from "../../../core/ports/channel-connector-port.js";
import type { ChannelRefundRequest, ChannelReturns } from "../../../core/ports/channel-returns-port.js";
import type { WooClient } from "../woocommerce-client.js";

/**
 * A refund written to WooCommerce when a return of a Woo order is refunded in Switchyard:
 * `POST /orders/{id}/refunds` with `api_refund: true` (the payment gateway pays the customer back)
 * and `api_restock: false` — the units come back through our ledger at inspection, so Woo must not
 * restock them a second time. WooCommerce has no idempotency key, so the RMA number goes into the
 * refund's meta data and a retried job first lists the order's refunds: one already carrying it
 * is the refund, not a reason to pay again.
 */

export const WOO_REFUND_META_KEY = "_switchyard_rma";

export interface WooRefundBody {
  amount: string;
  reason: string;
  api_refund: true;
  api_restock: false;
  line_items: { id: number; quantity: number; refund_total: number }[];
  meta_data: { key: string; value: string }[];
}

/** The request body, built from our refund (line totals in the currency's decimals, without tax). */
export function wooRefundBody(request: ChannelRefundRequest): WooRefundBody {
  return {
    amount: minorUnitsToDecimal(request.amountMinor, request.currency),
    reason: `${request.reference}: ${request.reason}`,
    api_refund: true,
    api_restock: false,
    line_items: request.lines.map((line) => ({
      id: Number(line.externalLineId),
      quantity: line.quantity,
      refund_total: Number(minorUnitsToDecimal(line.amountMinor, request.currency)),
    })),
    meta_data: [{ key: WOO_REFUND_META_KEY, value: request.reference }],
  };
}

interface WooRefund {
  id?: number;
  meta_data?: { key?: string; value?: unknown }[];
}

export async function refundWooOrder(client: WooClient, request: ChannelRefundRequest): Promise<ChannelCallResult<{ reference: string; alreadyDone: boolean }>> {
  const orderId = Number(request.externalOrderId);
  if (!Number.isInteger(orderId) || orderId <= 0) return { ok: false, reason: "rejected", detail: `"${request.externalOrderId}" is not a WooCommerce order id` };
  if (request.lines.some((line) => !/^\d+$/.test(line.externalLineId))) return { ok: false, reason: "rejected", detail: "a refunded line has no WooCommerce line item id" };
  const existing = await client.get<WooRefund[]>(`orders/${orderId}/refunds`, { per_page: 100 });
  if (!existing.ok) return existing;
  const done = (Array.isArray(existing.value.data) ? existing.value.data : []).find((refund) =>
    refund.meta_data?.some((meta) => meta.key === WOO_REFUND_META_KEY && meta.value === request.reference),
  );
  if (done?.id !== undefined) return { ok: true, value: { reference: String(done.id), alreadyDone: true } };
  const created = await client.post<WooRefund>(`orders/${orderId}/refunds`, wooRefundBody(request));
  if (!created.ok) return created;
  if (typeof created.value.data?.id !== "number") return { ok: false, reason: "rejected", detail: "WooCommerce answered the refund without an id" };
  return { ok: true, value: { reference: String(created.value.data.id), alreadyDone: false } };
}

/** The `returns` capability of a WooCommerce connection: Woo keeps no returns of its own, only refunds. */
export function wooCommerceReturns(withClient: <T>(run: (client: WooClient) => Promise<ChannelCallResult<T>>) => Promise<ChannelCallResult<T>>): ChannelReturns {
  return { refund: (request) => withClient((client) => refundWooOrder(client, request)) };
}
