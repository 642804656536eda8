import { gmt, toDecimal, type WooSandboxOrder, type WooSandboxProduct, type WooSandboxState, type WooSandboxVariation } from "./woo-sandbox-state.js";

/** The JSON WooCommerce's REST API v3 returns for each resource (docs-v3 response examples). */

export function orderJson(order: WooSandboxOrder, state: WooSandboxState, baseUrl: string) {
  const lineTotal = (l: WooSandboxOrder["lines"][number]) => l.priceMinor * l.quantity;
  const subtotal = order.lines.reduce((s, l) => s + lineTotal(l), 0);
  const tax = order.lines.reduce((s, l) => s + l.taxMinor, 0);
  return {
    id: order.id,
    parent_id: 0,
    number: String(order.id),
    order_key: `wc_order_${order.id.toString(36)}`,
    created_via: "checkout",
    version: "9.4.0",
    status: order.status,
    currency: order.currency,
    date_created: gmt(order.createdAt),
    date_created_gmt: gmt(order.createdAt),
    date_modified: gmt(order.modifiedAt),
    date_modified_gmt: gmt(order.modifiedAt),
    discount_total: "0.00",
    discount_tax: "0.00",
    shipping_total: toDecimal(order.shippingMinor),
    shipping_tax: "0.00",
    cart_tax: toDecimal(tax),
    total: toDecimal(subtotal + tax + order.shippingMinor),
    total_tax: toDecimal(tax),
    prices_include_tax: false,
    customer_id: order.customerId,
    customer_note: "",
    billing: order.billing,
    shipping: { ...order.shipping, email: undefined },
    payment_method: "stripe",
    payment_method_title: "Credit card",
    transaction_id: `ch_${order.id}`,
    date_paid_gmt: order.status === "pending" ? null : gmt(order.createdAt),
    date_completed_gmt: order.status === "completed" ? gmt(order.modifiedAt) : null,
    meta_data: [],
    line_items: order.lines.map((l) => ({
      id: l.id,
      name: l.name,
      product_id: l.productId,
      variation_id: l.variationId,
      quantity: l.quantity,
      tax_class: "",
      subtotal: toDecimal(lineTotal(l)),
      subtotal_tax: toDecimal(l.taxMinor),
      total: toDecimal(lineTotal(l)),
      total_tax: toDecimal(l.taxMinor),
      taxes: [],
      meta_data: [],
      sku: l.sku,
      price: l.priceMinor / 100,
    })),
    tax_lines: [],
    shipping_lines: [{ id: order.id * 10 + 1, method_title: order.shippingMinor ? "Flat Rate" : "Free shipping", method_id: order.shippingMinor ? "flat_rate" : "free_shipping", total: toDecimal(order.shippingMinor), total_tax: "0.00", taxes: [], meta_data: [] }],
    fee_lines: [],
    coupon_lines: [],
    refunds: [],
    _links: { self: [{ href: `${baseUrl}/wp-json/wc/v3/orders/${order.id}` }], collection: [{ href: `${baseUrl}/wp-json/wc/v3/orders` }] },
    ...(state.currency ? {} : {}),
  };
}

export function productJson(p: WooSandboxProduct, baseUrl: string) {
  return {
    id: p.id,
    name: p.name,
    slug: p.name.toLowerCase().replace(/[^a-z0-9]+/g, "-"),
    type: p.type,
    status: "publish",
    sku: p.sku,
    price: toDecimal(p.priceMinor),
    regular_price: toDecimal(p.priceMinor),
    date_modified_gmt: gmt(p.modifiedAt),
    manage_stock: p.manageStock,
    stock_quantity: p.stockQuantity,
    stock_status: stockStatus(p.manageStock, p.stockQuantity),
    parent_id: 0,
    variations: p.variationIds,
    _links: { self: [{ href: `${baseUrl}/wp-json/wc/v3/products/${p.id}` }] },
  };
}

export function variationJson(v: WooSandboxVariation, baseUrl: string) {
  return {
    id: v.id,
    sku: v.sku,
    price: toDecimal(v.priceMinor),
    regular_price: toDecimal(v.priceMinor),
    date_modified_gmt: gmt(v.modifiedAt),
    manage_stock: v.manageStock,
    stock_quantity: v.stockQuantity,
    stock_status: stockStatus(v.manageStock, v.stockQuantity),
    attributes: v.attributes.map((a, i) => ({ id: i + 1, name: a.name, option: a.option })),
    _links: { self: [{ href: `${baseUrl}/wp-json/wc/v3/products/${v.parentId}/variations/${v.id}` }], up: [{ href: `${baseUrl}/wp-json/wc/v3/products/${v.parentId}` }] },
  };
}

/** What `products/<variation id>` answers: a product-shaped variation with its parent. */
export function variationAsProductJson(v: WooSandboxVariation, parent: WooSandboxProduct | undefined, baseUrl: string) {
  return {
    ...variationJson(v, baseUrl),
    name: `${parent?.name ?? "Variation"} - ${v.attributes.map((a) => a.option).join(", ")}`,
    type: "variation",
    parent_id: v.parentId,
    variations: [],
  };
}

function stockStatus(manage: boolean, quantity: number | null): string {
  return !manage || quantity === null || quantity > 0 ? "instock" : "outofstock";
}
