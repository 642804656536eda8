import { minorUnitsToDecimal } from "../../../core/shared/decimal-money.js";
import { orderTotals } from "./sandbox-resolvers.js";
import type { SandboxAddress, SandboxOrder, SandboxState } from "./sandbox-state.js";

/**
 * Renders a sandbox order as the REST JSON Shopify posts for orders/create and orders/updated
 * (snake_case, decimal strings, `*_set` money bags), so the app's webhook route and mapper are
 * exercised with the documented shape rather than with the GraphQL one.
 */
export function orderWebhookPayload(order: SandboxOrder, state: SandboxState): Record<string, unknown> {
  const c = order.currency;
  const money = (minor: number) => minorUnitsToDecimal(minor, c);
  const set = (minor: number) => ({
    shop_money: { amount: money(minor), currency_code: c },
    presentment_money: { amount: money(minor), currency_code: c },
  });
  const t = orderTotals(order);
  const fulfilled = state.fulfillmentOrders
    .filter((fo) => fo.orderId === order.id)
    .flatMap((fo) => fo.lineItems)
    .every((l) => l.remainingQuantity === 0);

  return {
    id: order.legacyId,
    admin_graphql_api_id: order.id,
    app_id: null,
    browser_ip: "192.0.2.44",
    buyer_accepts_marketing: false,
    cancel_reason: order.cancelReason?.toLowerCase() ?? null,
    cancelled_at: order.cancelledAt,
    closed_at: null,
    confirmation_number: `SB${order.legacyId.toString(36).toUpperCase().slice(-7)}`,
    confirmed: true,
    contact_email: order.email,
    created_at: order.createdAt,
    currency: c,
    current_subtotal_price: money(t.subtotal),
    current_subtotal_price_set: set(t.subtotal),
    current_total_discounts: money(t.discounts),
    current_total_price: money(t.total),
    current_total_tax: money(t.tax),
    customer_locale: "en",
    discount_codes: [],
    email: order.email,
    estimated_taxes: false,
    financial_status: order.financialStatus.toLowerCase(),
    fulfillment_status: order.lineItems.length > 0 && fulfilled && !order.cancelledAt ? "fulfilled" : null,
    name: order.name,
    note: order.note,
    note_attributes: [],
    number: order.number - 1000,
    order_number: order.number,
    payment_gateway_names: ["bogus"],
    phone: order.phone,
    presentment_currency: c,
    processed_at: order.createdAt,
    source_name: "web",
    subtotal_price: money(t.subtotal),
    subtotal_price_set: set(t.subtotal),
    tags: order.tags.join(", "),
    tax_lines: t.tax > 0 ? [{ price: money(t.tax), rate: order.lineItems[0]?.taxRate ?? 0, title: "Sales tax", price_set: set(t.tax), channel_liable: false }] : [],
    taxes_included: false,
    test: false,
    total_discounts: money(t.discounts),
    total_discounts_set: set(t.discounts),
    total_line_items_price: money(t.lineItemsTotal),
    total_line_items_price_set: set(t.lineItemsTotal),
    total_outstanding: order.financialStatus === "PAID" ? money(0) : money(t.total),
    total_price: money(t.total),
    total_price_set: set(t.total),
    total_shipping_price_set: set(t.shipping),
    total_tax: money(t.tax),
    total_tax_set: set(t.tax),
    total_tip_received: money(0),
    total_weight: 0,
    updated_at: order.updatedAt,
    user_id: null,
    billing_address: restAddress(order.billingAddress),
    shipping_address: restAddress(order.shippingAddress),
    customer: {
      id: order.customer.legacyId,
      email: order.customer.email,
      first_name: order.customer.firstName,
      last_name: order.customer.lastName,
      phone: order.customer.phone,
      state: "disabled",
      verified_email: true,
      tax_exempt: false,
      currency: c,
      admin_graphql_api_id: order.customer.id,
    },
    fulfillments: [],
    refunds: [],
    line_items: order.lineItems.map((l) => {
      const variant = state.variants.find((v) => v.id === l.variantId);
      return {
        id: l.legacyId,
        admin_graphql_api_id: l.id,
        current_quantity: order.cancelledAt ? 0 : l.quantity,
        fulfillable_quantity: l.quantity,
        fulfillment_service: "manual",
        fulfillment_status: null,
        gift_card: false,
        grams: 0,
        name: l.variantTitle ? `${l.title} - ${l.variantTitle}` : l.title,
        price: money(l.priceMinor),
        price_set: set(l.priceMinor),
        product_exists: true,
        product_id: variant ? Number(variant.productId.split("/").pop()) : null,
        properties: [],
        quantity: l.quantity,
        requires_shipping: true,
        sku: l.sku,
        taxable: true,
        title: l.title,
        total_discount: money(0),
        total_discount_set: set(0),
        variant_id: variant?.legacyId ?? null,
        variant_inventory_management: "shopify",
        variant_title: l.variantTitle,
        vendor: "Switchyard Sandbox",
        tax_lines: l.taxMinor > 0 ? [{ channel_liable: false, price: money(l.taxMinor), price_set: set(l.taxMinor), rate: l.taxRate, title: "Sales tax" }] : [],
        duties: [],
        discount_allocations:
          l.discountMinor > 0 ? [{ amount: money(l.discountMinor), amount_set: set(l.discountMinor), discount_application_index: 0 }] : [],
      };
    }),
    shipping_lines: order.shippingLines.map((s) => ({
      id: s.legacyId,
      carrier_identifier: null,
      code: s.code,
      discounted_price: money(s.priceMinor),
      discounted_price_set: set(s.priceMinor),
      is_removed: false,
      phone: null,
      price: money(s.priceMinor),
      price_set: set(s.priceMinor),
      source: "shopify",
      title: s.title,
      tax_lines: [],
      discount_allocations: [],
    })),
  };
}

function restAddress(a: SandboxAddress) {
  return {
    first_name: a.firstName,
    last_name: a.lastName,
    name: `${a.firstName} ${a.lastName}`,
    company: a.company,
    address1: a.address1,
    address2: a.address2,
    city: a.city,
    province: a.province,
    province_code: a.provinceCode,
    zip: a.zip,
    country: a.country,
    country_code: a.countryCode,
    phone: a.phone,
    latitude: a.latitude,
    longitude: a.longitude,
  };
}
