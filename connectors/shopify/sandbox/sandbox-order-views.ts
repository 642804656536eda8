import { minorUnitsToDecimal } from "../../../core/shared/decimal-money.js";
import type { SandboxFulfillment, SandboxFulfillmentOrder, SandboxLineItem, SandboxOrder, SandboxState } from "./sandbox-state.js";
import { locationView, variantView } from "./sandbox-catalogue-views.js";
import { orderTransactions, returnView } from "./sandbox-return-views.js";
import { connection, moneyBag, moneyV2, type Args, type SandboxContext } from "./sandbox-view-helpers.js";

/** GraphQL views of orders: totals, addresses, line items, customers, fulfillment orders and fulfillments. */

export interface OrderTotals {
  subtotal: number;
  lineItemsTotal: number;
  shipping: number;
  tax: number;
  discounts: number;
  total: number;
}

/** The same arithmetic Shopify shows: subtotal after line discounts, then shipping and tax. */
export function orderTotals(o: SandboxOrder): OrderTotals {
  const lineItemsTotal = o.lineItems.reduce((s, l) => s + l.priceMinor * l.quantity, 0);
  const discounts = o.lineItems.reduce((s, l) => s + l.discountMinor, 0);
  const tax = o.lineItems.reduce((s, l) => s + l.taxMinor, 0);
  const shipping = o.shippingLines.reduce((s, l) => s + l.priceMinor, 0);
  const subtotal = lineItemsTotal - discounts;
  return { subtotal, lineItemsTotal, shipping, tax, discounts, total: subtotal + shipping + tax };
}

function mailingAddressView(a: SandboxOrder["shippingAddress"], id: string) {
  return {
    __typename: "MailingAddress",
    id,
    name: `${a.firstName} ${a.lastName}`,
    firstName: a.firstName,
    lastName: a.lastName,
    company: a.company,
    address1: a.address1,
    address2: a.address2,
    city: a.city,
    province: a.province,
    provinceCode: a.provinceCode,
    zip: a.zip,
    country: a.country,
    countryCode: a.countryCode,
    countryCodeV2: a.countryCode,
    phone: a.phone,
    latitude: a.latitude,
    longitude: a.longitude,
    coordinatesValidated: a.latitude !== null,
    formatted: [a.address1, `${a.city} ${a.provinceCode} ${a.zip}`, a.country],
    formattedArea: `${a.city} ${a.provinceCode}, ${a.country}`,
  };
}

export function lineItemView(l: SandboxLineItem, o: SandboxOrder, ctx: SandboxContext): Record<string, unknown> {
  const { state } = ctx;
  const c = o.currency;
  const unfulfilled = state.fulfillmentOrders
    .filter((fo) => fo.orderId === o.id && fo.status !== "CANCELLED")
    .flatMap((fo) => fo.lineItems)
    .filter((fl) => fl.lineItemId === l.id)
    .reduce((s, fl) => s + fl.remainingQuantity, 0);
  return {
    __typename: "LineItem",
    id: l.id,
    sku: l.sku,
    title: l.title,
    name: l.variantTitle ? `${l.title} - ${l.variantTitle}` : l.title,
    variantTitle: l.variantTitle,
    quantity: l.quantity,
    currentQuantity: o.cancelledAt ? 0 : l.quantity,
    unfulfilledQuantity: unfulfilled,
    requiresShipping: true,
    isGiftCard: false,
    taxable: true,
    originalUnitPriceSet: moneyBag(l.priceMinor, c),
    discountedUnitPriceSet: moneyBag(Math.round((l.priceMinor * l.quantity - l.discountMinor) / l.quantity), c),
    originalTotalSet: moneyBag(l.priceMinor * l.quantity, c),
    totalDiscountSet: moneyBag(l.discountMinor, c),
    discountAllocations:
      l.discountMinor > 0 ? [{ allocatedAmountSet: moneyBag(l.discountMinor, c), allocatedAmount: moneyV2(l.discountMinor, c) }] : [],
    taxLines: () =>
      l.taxMinor > 0
        ? [{ title: "Sales tax", rate: l.taxRate, ratePercentage: l.taxRate * 100, priceSet: moneyBag(l.taxMinor, c), price: minorUnitsToDecimal(l.taxMinor, c), channelLiable: false, source: "Shopify" }]
        : [],
    variant: () => {
      const v = state.variants.find((x) => x.id === l.variantId);
      return v ? variantView(v, ctx) : null;
    },
  };
}

function customerView(o: SandboxOrder) {
  const c = o.customer;
  return {
    __typename: "Customer",
    id: c.id,
    legacyResourceId: String(c.legacyId),
    firstName: c.firstName,
    lastName: c.lastName,
    displayName: `${c.firstName} ${c.lastName}`,
    email: c.email,
    phone: c.phone,
    defaultEmailAddress: { emailAddress: c.email, marketingState: "NOT_SUBSCRIBED", marketingUnsubscribeUrl: "https://example.com/unsubscribe" },
    defaultPhoneNumber: c.phone ? { phoneNumber: c.phone, marketingState: "NOT_SUBSCRIBED" } : null,
  };
}

function displayFulfillmentStatus(o: SandboxOrder, state: SandboxState): string {
  const lines = state.fulfillmentOrders.filter((fo) => fo.orderId === o.id && fo.status !== "CANCELLED").flatMap((fo) => fo.lineItems);
  const total = lines.reduce((s, l) => s + l.totalQuantity, 0);
  const remaining = lines.reduce((s, l) => s + l.remainingQuantity, 0);
  if (total === 0 || remaining === total) return "UNFULFILLED";
  return remaining === 0 ? "FULFILLED" : "PARTIALLY_FULFILLED";
}

export function orderView(o: SandboxOrder, ctx: SandboxContext): Record<string, unknown> {
  const { state } = ctx;
  const t = orderTotals(o);
  const c = o.currency;
  const risky = o.riskLevel !== "LOW";
  return {
    __typename: "Order",
    id: o.id,
    legacyResourceId: String(o.legacyId),
    name: o.name,
    number: o.number,
    createdAt: o.createdAt,
    processedAt: o.createdAt,
    updatedAt: o.updatedAt,
    cancelledAt: o.cancelledAt,
    cancelReason: o.cancelReason,
    closed: false,
    confirmed: true,
    test: false,
    currencyCode: c,
    presentmentCurrencyCode: c,
    displayFinancialStatus: o.financialStatus,
    displayFulfillmentStatus: displayFulfillmentStatus(o, state),
    email: o.email,
    phone: o.phone,
    note: o.note,
    tags: [...o.tags].sort(),
    customer: customerView(o),
    shippingAddress: mailingAddressView(o.shippingAddress, `gid://shopify/MailingAddress/${o.legacyId}1?model_name=Address`),
    billingAddress: mailingAddressView(o.billingAddress, `gid://shopify/MailingAddress/${o.legacyId}2?model_name=Address`),
    lineItems: (args: Args) => connection(o.lineItems, args, ctx, (l) => lineItemView(l, o, ctx)),
    shippingLines: (args: Args) =>
      connection(o.shippingLines, args, ctx, (s) => ({
        __typename: "ShippingLine",
        id: s.id,
        title: s.title,
        code: s.code,
        source: "shopify",
        custom: false,
        isRemoved: false,
        carrierIdentifier: null,
        originalPriceSet: moneyBag(s.priceMinor, c),
        discountedPriceSet: moneyBag(s.priceMinor, c),
        currentDiscountedPriceSet: moneyBag(s.priceMinor, c),
        taxLines: [],
        discountAllocations: [],
      })),
    subtotalPriceSet: moneyBag(t.subtotal, c),
    currentSubtotalPriceSet: moneyBag(t.subtotal, c),
    totalShippingPriceSet: moneyBag(t.shipping, c),
    totalTaxSet: moneyBag(t.tax, c),
    currentTotalTaxSet: moneyBag(t.tax, c),
    totalDiscountsSet: moneyBag(t.discounts, c),
    currentTotalDiscountsSet: moneyBag(t.discounts, c),
    totalPriceSet: moneyBag(t.total, c),
    currentTotalPriceSet: moneyBag(t.total, c),
    originalTotalPriceSet: moneyBag(t.total, c),
    risk: {
      recommendation: o.riskLevel === "HIGH" ? "CANCEL" : risky ? "INVESTIGATE" : "ACCEPT",
      assessments: [
        {
          riskLevel: o.riskLevel,
          provider: null,
          facts: risky
            ? [{ description: "Shipping address is far from the IP location", sentiment: "NEGATIVE" }]
            : [{ description: "Card verification passed", sentiment: "POSITIVE" }],
        },
      ],
    },
    fulfillmentOrders: (args: Args) =>
      connection(state.fulfillmentOrders.filter((fo) => fo.orderId === o.id), args, ctx, (fo) => fulfillmentOrderView(fo, ctx)),
    fulfillments: () => state.fulfillments.filter((f) => f.orderId === o.id).map((f) => fulfillmentView(f)),
    returns: (args: Args) => connection(state.returns.filter((r) => r.orderId === o.id), args, ctx, (r) => returnView(r, ctx)),
    transactions: (args: Args) => orderTransactions(o, state).slice(0, typeof args.first === "number" ? args.first : undefined),
  };
}

export function fulfillmentOrderView(fo: SandboxFulfillmentOrder, ctx: SandboxContext): Record<string, unknown> {
  const { state } = ctx;
  const order = state.orders.find((o) => o.id === fo.orderId)!;
  const location = state.locations.find((l) => l.id === fo.locationId)!;
  return {
    __typename: "FulfillmentOrder",
    id: fo.id,
    status: fo.status,
    requestStatus: "UNSUBMITTED",
    supportedActions: fo.status === "OPEN" || fo.status === "IN_PROGRESS" ? [{ action: "CREATE_FULFILLMENT" }] : [],
    order: () => orderView(order, ctx),
    assignedLocation: {
      name: location.name,
      address1: location.address.address1,
      address2: location.address.address2,
      city: location.address.city,
      province: location.address.provinceCode,
      zip: location.address.zip,
      countryCode: location.address.countryCode,
      phone: location.address.phone,
      location: () => locationView(location, ctx),
    },
    lineItems: (args: Args) =>
      connection(fo.lineItems, args, ctx, (fl) => {
        const line = order.lineItems.find((l) => l.id === fl.lineItemId)!;
        return {
          __typename: "FulfillmentOrderLineItem",
          id: fl.id,
          sku: line.sku,
          totalQuantity: fl.totalQuantity,
          remainingQuantity: fl.remainingQuantity,
          lineItem: () => lineItemView(line, order, ctx),
        };
      }),
  };
}

export function fulfillmentView(f: SandboxFulfillment): Record<string, unknown> {
  return {
    __typename: "Fulfillment",
    id: f.id,
    status: f.status,
    createdAt: f.createdAt,
    updatedAt: f.createdAt,
    trackingInfo: (args: Args) => (typeof args.first === "number" ? f.trackingInfo.slice(0, args.first) : f.trackingInfo),
  };
}
