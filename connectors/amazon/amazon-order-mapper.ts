import { err, ok, type Result } from "../../core/shared/result.js";
import {
  unifiedOrderSchema,
  type FinancialStatus,
  type PostalAddress,
  type UnifiedOrder,
  type UnifiedOrderInput,
} from "../../core/orders/unified-order.js";
import { decimalToMinorUnits } from "../../core/shared/decimal-money.js";
import { amazonOrderSchema, type AmazonFulfillmentStatus, type AmazonMoney, type AmazonOrder, type AmazonOrderItem } from "./amazon-order-schema.js";
import { marketplaceCurrency } from "./amazon-marketplaces.js";

/**
 * Maps an Orders API 2026-01-01 `Order` (items inline) into the unified order. The external id
 * is the Amazon order id and `sourceUpdatedAt` its `lastUpdatedTime`, so each poll of the same
 * order version maps to the same row and an older version never overwrites a newer one. Lines
 * are identified by `orderItemId`; the SellerSKU goes to `channelVariantRef`, the value the
 * catalogue import stores as the listing's external id. A payload that does not fit is a typed
 * failure with a readable reason and is kept by the caller (rule 8).
 */

export type AmazonOrderMapFailureReason = "invalid_payload" | "invalid_amount" | "mixed_currencies" | "no_items" | "invalid_unified_order";
export type AmazonOrderMapResult = Result<UnifiedOrder, AmazonOrderMapFailureReason>;

type LineInput = UnifiedOrderInput["lines"][number];

export function mapAmazonOrder(raw: unknown): AmazonOrderMapResult {
  const parsed = amazonOrderSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return err("invalid_payload", `Amazon order ${orderIdOf(raw)}: ${issue.path.join(".") || "(root)"} ${issue.message}`);
  }
  const order = parsed.data;

  const currency = orderCurrency(order);
  if (!currency.ok) return currency;
  const minor = (money: AmazonMoney | undefined): Result<number, "invalid_amount"> => {
    if (!money) return ok(0);
    const value = decimalToMinorUnits(money.amount, currency.value);
    return value.ok ? value : err("invalid_amount", `Amazon order ${order.orderId}: amount "${money.amount}" cannot be held in ${currency.value} (${value.detail ?? value.reason})`);
  };

  const status = order.fulfillment?.fulfillmentStatus;
  const tags = ["amazon", ...(order.fulfillment?.fulfilledBy === "AMAZON" ? ["amazon:fba"] : [])];
  const lines: LineInput[] = [];
  let subtotal = 0;
  let itemShipping = 0;
  let itemTax = 0;
  let itemDiscount = 0;
  let pricePending = false;
  for (const item of order.orderItems) {
    const price = unitPrice(item, minor);
    if (!price.ok) return price;
    if (price.value === undefined && item.quantityOrdered > 0) pricePending = true;
    const unit = price.value ?? 0;
    const tax = breakdownMinor(item.proceeds?.breakdowns, "TAX", minor);
    const discount = breakdownMinor(item.proceeds?.breakdowns, "DISCOUNT", minor);
    const shipping = breakdownMinor(item.proceeds?.breakdowns, "SHIPPING", minor);
    for (const value of [tax, discount, shipping]) if (!value.ok) return value;
    const sellerSku = item.product.sellerSku?.trim() || undefined;
    lines.push({
      externalLineId: item.orderItemId,
      ...(sellerSku ? { sku: sellerSku, channelVariantRef: sellerSku } : {}),
      title: (item.product.title ?? sellerSku ?? item.product.asin ?? item.orderItemId).slice(0, 500),
      // Amazon keeps cancelled items on the order with quantity 0: a line with nothing left to ship.
      quantity: item.quantityOrdered,
      fulfilledQuantity: Math.min(item.quantityOrdered, item.fulfillment?.quantityFulfilled ?? 0),
      unitPriceMinor: unit,
      discountMinor: Math.abs(unwrapped(discount)),
      taxMinor: Math.abs(unwrapped(tax)),
    });
    subtotal += unit * item.quantityOrdered;
    itemShipping += unwrapped(shipping);
    itemTax += Math.abs(unwrapped(tax));
    itemDiscount += Math.abs(unwrapped(discount));
  }
  if (lines.length === 0) return err("no_items", `Amazon order ${order.orderId} has no items`);
  if (pricePending) tags.push("amazon:price-pending");

  // Order-level breakdowns aggregate the items'; they win when present, items fill in otherwise.
  const orderShipping = breakdownMinor(order.proceeds?.breakdowns, "SHIPPING", minor);
  const orderTax = breakdownMinor(order.proceeds?.breakdowns, "TAX", minor);
  const orderDiscount = breakdownMinor(order.proceeds?.breakdowns, "DISCOUNT", minor);
  for (const value of [orderShipping, orderTax, orderDiscount]) if (!value.ok) return value;
  const hasOrderLevel = (type: string) => order.proceeds?.breakdowns?.some((b) => b.type === type) ?? false;
  const shippingMinor = Math.abs(hasOrderLevel("SHIPPING") ? unwrapped(orderShipping) : itemShipping);
  const taxMinor = Math.abs(hasOrderLevel("TAX") ? unwrapped(orderTax) : itemTax);
  const discountMinor = Math.abs(hasOrderLevel("DISCOUNT") ? unwrapped(orderDiscount) : itemDiscount);
  const grandTotal = minor(order.proceeds?.grandTotal);
  if (!grandTotal.ok) return grandTotal;
  const totalMinor = order.proceeds?.grandTotal ? grandTotal.value : subtotal + shippingMinor + taxMinor - discountMinor;

  const address = deliveryAddress(order);
  if (address.partial) tags.push("amazon:address-incomplete");

  const input: UnifiedOrderInput = {
    channel: "amazon",
    externalId: order.orderId,
    number: order.orderId,
    placedAt: new Date(order.createdTime),
    sourceUpdatedAt: new Date(order.lastUpdatedTime),
    currency: currency.value,
    financialStatus: financialStatusOf(status),
    cancelled: status === "CANCELLED",
    customer: {
      ...(order.buyer?.buyerName ? { name: order.buyer.buyerName } : {}),
      ...(order.buyer?.buyerEmail && /^[^@\s]+@[^@\s]+$/.test(order.buyer.buyerEmail) ? { email: order.buyer.buyerEmail } : {}),
    },
    ...(address.value ? { shippingAddress: address.value } : {}),
    lines,
    shippingLines:
      shippingMinor > 0 || order.fulfillment?.fulfillmentServiceLevel
        ? [{ title: serviceLevelTitle(order.fulfillment?.fulfillmentServiceLevel), ...(order.fulfillment?.fulfillmentServiceLevel ? { code: order.fulfillment.fulfillmentServiceLevel } : {}), priceMinor: shippingMinor }]
        : [],
    subtotalMinor: subtotal,
    shippingMinor,
    taxMinor,
    discountMinor,
    totalMinor,
    tags,
  };
  const unified = unifiedOrderSchema.safeParse(input);
  if (!unified.success) {
    const issue = unified.error.issues[0]!;
    return err("invalid_unified_order", `Amazon order ${order.orderId}: ${issue.path.join(".")} ${issue.message}`);
  }
  return ok(unified.data);
}

function orderIdOf(raw: unknown): string {
  const id = (raw as { orderId?: unknown } | null)?.orderId;
  return typeof id === "string" && id ? id : "(without orderId)";
}

function unwrapped(result: Result<number, string>): number {
  return result.ok ? result.value : 0;
}

/** Every amount on one order must be in one currency; with none at all the marketplace's is the order's. */
function orderCurrency(order: AmazonOrder): Result<string, "mixed_currencies" | "invalid_payload"> {
  const codes = new Set<string>();
  const add = (money: AmazonMoney | undefined) => money && codes.add(money.currencyCode.toUpperCase());
  add(order.proceeds?.grandTotal);
  order.proceeds?.breakdowns?.forEach((b) => add(b.subtotal));
  for (const item of order.orderItems) {
    add(item.product.price?.unitPrice);
    add(item.proceeds?.proceedsTotal);
    item.proceeds?.breakdowns?.forEach((b) => add(b.subtotal));
  }
  if (codes.size > 1) return err("mixed_currencies", `Amazon order ${order.orderId} mixes currencies ${[...codes].join(", ")}`);
  const [only] = codes;
  if (only) return ok(only);
  const fallback = marketplaceCurrency(order.salesChannel.marketplaceId);
  return fallback ? ok(fallback) : err("invalid_payload", `Amazon order ${order.orderId} has no amounts and an unknown marketplace ${order.salesChannel.marketplaceId ?? "(none)"}`);
}

/** The unit price, or undefined while Amazon has not priced the item yet (pending orders). */
function unitPrice(item: AmazonOrderItem, minor: (m: AmazonMoney | undefined) => Result<number, "invalid_amount">): Result<number | undefined, "invalid_amount"> {
  const unit = item.product.price?.unitPrice;
  if (unit) return minor(unit);
  const itemBreakdown = item.proceeds?.breakdowns?.find((b) => b.type === "ITEM");
  if (!itemBreakdown) return ok(undefined);
  const total = minor(itemBreakdown.subtotal);
  if (!total.ok) return total;
  // An item subtotal that does not divide by the quantity is not a unit price; do not invent one.
  return total.value % item.quantityOrdered === 0 ? ok(total.value / item.quantityOrdered) : ok(undefined);
}

function breakdownMinor(
  breakdowns: readonly { type: string; subtotal: AmazonMoney }[] | undefined,
  type: string,
  minor: (m: AmazonMoney | undefined) => Result<number, "invalid_amount">,
): Result<number, "invalid_amount"> {
  let sum = 0;
  for (const b of breakdowns ?? []) {
    if (b.type !== type) continue;
    const value = minor(b.subtotal);
    if (!value.ok) return value;
    sum += value.value;
  }
  return ok(sum);
}

function financialStatusOf(status: AmazonFulfillmentStatus | undefined): FinancialStatus {
  switch (status) {
    case "SHIPPED":
    case "PARTIALLY_SHIPPED":
      // Amazon charges the buyer when the seller confirms shipment.
      return "paid";
    case "UNSHIPPED":
      return "authorized";
    case "CANCELLED":
      return "voided";
    default:
      return "pending";
  }
}

function serviceLevelTitle(level: string | undefined): string {
  if (!level) return "Amazon shipping";
  return `Amazon ${level.charAt(0)}${level.slice(1).toLowerCase().replace(/_/g, " ")}`;
}

/**
 * The delivery address when it is complete enough to ship to. Pending orders carry none, and
 * without a Restricted Data Token Amazon hides name and street: then the order waits on an
 * address hold rather than being routed with half an address.
 */
function deliveryAddress(order: AmazonOrder): { value?: PostalAddress; partial: boolean } {
  const a = order.recipient?.deliveryAddress;
  if (!a) return { partial: false };
  const name = a.name?.trim() || order.buyer?.buyerName?.trim();
  const line1 = a.addressLine1?.trim();
  const city = a.city?.trim() || a.municipality?.trim() || a.districtOrCounty?.trim();
  const countryCode = a.countryCode?.trim().toUpperCase();
  if (!name || !line1 || !city || !countryCode || countryCode.length !== 2) return { partial: true };
  const line2 = [a.addressLine2, a.addressLine3].map((x) => x?.trim()).filter(Boolean).join(", ");
  return {
    partial: false,
    value: {
      name,
      ...(a.companyName?.trim() ? { company: a.companyName.trim() } : {}),
      line1,
      ...(line2 ? { line2 } : {}),
      city,
      ...(a.stateOrRegion?.trim() ? { region: a.stateOrRegion.trim() } : {}),
      ...(a.postalCode?.trim() ? { postalCode: a.postalCode.trim() } : {}),
      countryCode,
      ...(a.phone?.trim() ? { phone: a.phone.trim() } : {}),
    },
  };
}
