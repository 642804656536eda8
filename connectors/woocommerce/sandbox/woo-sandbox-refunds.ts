import { gmt, toDecimal, type WooSandboxOrder, type WooSandboxState } from "./woo-sandbox-state.js";

/**
 * The sandbox's order refunds (`/orders/{id}/refunds`, docs-v3 "Refunds"): POST creates one from
 * `amount` (a decimal string that takes precedence over the lines), `line_items` [{id, quantity,
 * refund_total}], `reason`, `meta_data`, `api_refund` (the sandbox's gateway always supports
 * refunds) and `api_restock` (default true: the refunded quantities go back into the products'
 * stock, which is why Switchyard sends false). A refund over what is left to refund is refused as
 * WooCommerce refuses it. GET lists them newest first.
 */

export interface WooSandboxRefund {
  id: number;
  orderId: number;
  createdAt: number;
  amountMinor: number;
  reason: string;
  refundedPayment: boolean;
  restocked: boolean;
  lines: { lineId: number; quantity: number; totalMinor: number }[];
  meta: { id: number; key: string; value: string }[];
}

type Answer = { status: number; json: unknown };

const refundsByState = new WeakMap<WooSandboxState, WooSandboxRefund[]>();

/** Every refund the sandbox made, oldest first (tests look inside). */
export function sandboxRefunds(state: WooSandboxState): WooSandboxRefund[] {
  let list = refundsByState.get(state);
  if (!list) refundsByState.set(state, (list = []));
  return list;
}

const orderTotal = (order: WooSandboxOrder) => order.lines.reduce((s, l) => s + l.priceMinor * l.quantity + l.taxMinor, 0) + order.shippingMinor;

function refundJson(refund: WooSandboxRefund, order: WooSandboxOrder, baseUrl: string) {
  return {
    id: refund.id,
    date_created: gmt(refund.createdAt),
    date_created_gmt: gmt(refund.createdAt),
    amount: toDecimal(refund.amountMinor),
    reason: refund.reason,
    refunded_by: 1,
    refunded_payment: refund.refundedPayment,
    meta_data: refund.meta,
    line_items: refund.lines.map((l) => {
      const line = order.lines.find((x) => x.id === l.lineId)!;
      return {
        id: refund.id * 10 + l.lineId,
        name: line.name,
        product_id: line.productId,
        variation_id: line.variationId,
        quantity: -l.quantity,
        tax_class: "",
        subtotal: toDecimal(-l.totalMinor),
        subtotal_tax: "0.00",
        total: toDecimal(-l.totalMinor),
        total_tax: "0.00",
        taxes: [],
        meta_data: [{ id: refund.id * 100 + l.lineId, key: "_refunded_item_id", value: String(l.lineId) }],
        sku: line.sku,
        price: -line.priceMinor / 100,
      };
    }),
    _links: { self: [{ href: `${baseUrl}/wp-json/wc/v3/orders/${order.id}/refunds/${refund.id}` }], collection: [{ href: `${baseUrl}/wp-json/wc/v3/orders/${order.id}/refunds` }], up: [{ href: `${baseUrl}/wp-json/wc/v3/orders/${order.id}` }] },
  };
}

/** Handles orders/{id}/refunds; undefined for any other path. */
export function wooRefundsRoute(state: WooSandboxState, deps: { now: () => number; baseUrl: string }, method: string, path: string, body: unknown): Answer | undefined {
  const m = /^orders\/(\d+)\/refunds$/.exec(path);
  if (!m) return undefined;
  const order = state.orders.get(Number(m[1]));
  if (!order) return { status: 404, json: { code: "woocommerce_rest_order_invalid_id", message: "Invalid order ID.", data: { status: 404 } } };
  const refunds = sandboxRefunds(state).filter((r) => r.orderId === order.id);
  if (method === "GET") return { status: 200, json: [...refunds].reverse().map((r) => refundJson(r, order, deps.baseUrl)) };
  if (method !== "POST") return { status: 404, json: { code: "rest_no_route", message: "No route was found matching the URL and request method.", data: { status: 404 } } };

  const b = (body ?? {}) as { amount?: unknown; reason?: unknown; api_refund?: unknown; api_restock?: unknown; line_items?: unknown; meta_data?: unknown };
  const refuse = (message: string): Answer => ({ status: 400, json: { code: "woocommerce_rest_cannot_create_order_refund", message, data: { status: 400 } } });
  const lines: WooSandboxRefund["lines"] = [];
  for (const raw of Array.isArray(b.line_items) ? b.line_items : []) {
    const item = raw as { id?: unknown; quantity?: unknown; refund_total?: unknown };
    const line = order.lines.find((l) => l.id === Number(item.id));
    if (!line) return refuse(`Invalid line item ID ${String(item.id)}.`);
    const quantity = Number(item.quantity ?? 0);
    const totalMinor = Math.round(Number(item.refund_total ?? 0) * 100);
    if (!Number.isInteger(quantity) || quantity < 0 || quantity > line.quantity || !Number.isFinite(totalMinor) || totalMinor < 0) return refuse("Invalid refund line item.");
    lines.push({ lineId: line.id, quantity, totalMinor });
  }
  let amountMinor: number;
  if (b.amount !== undefined) {
    if (typeof b.amount !== "string" || !/^\d+(\.\d{1,2})?$/.test(b.amount)) return { status: 400, json: { code: "rest_invalid_param", message: "Invalid parameter(s): amount", data: { status: 400, params: { amount: "amount is not of type string." } } } };
    amountMinor = Math.round(Number(b.amount) * 100);
  } else {
    amountMinor = lines.reduce((s, l) => s + l.totalMinor, 0);
  }
  if (amountMinor <= 0) return refuse("Refund amount must be greater than zero.");
  const already = refunds.reduce((s, r) => s + r.amountMinor, 0);
  if (already + amountMinor > orderTotal(order)) return refuse("Invalid refund amount.");
  const restock = b.api_restock !== false;
  if (restock) {
    for (const l of lines) {
      const line = order.lines.find((x) => x.id === l.lineId)!;
      const product = line.variationId ? state.variations.get(line.variationId) : state.products.get(line.productId);
      if (product?.manageStock && product.stockQuantity !== null) product.stockQuantity += l.quantity;
    }
  }
  const meta = (Array.isArray(b.meta_data) ? b.meta_data : [])
    .map((raw) => raw as { key?: unknown; value?: unknown })
    .filter((entry) => typeof entry.key === "string")
    .map((entry) => ({ id: state.nextId++, key: entry.key as string, value: String(entry.value ?? "") }));
  const refund: WooSandboxRefund = {
    id: state.nextId++,
    orderId: order.id,
    createdAt: deps.now(),
    amountMinor,
    reason: typeof b.reason === "string" ? b.reason : "",
    refundedPayment: b.api_refund !== false,
    restocked: restock,
    lines,
    meta,
  };
  sandboxRefunds(state).push(refund);
  order.modifiedAt = deps.now();
  return { status: 201, json: refundJson(refund, order, deps.baseUrl) };
}
