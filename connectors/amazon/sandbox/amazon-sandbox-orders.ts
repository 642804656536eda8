import { randomInt } from "node:crypto";
import { decimalToMinorUnits, minorUnitsToDecimal } from "../../../core/shared/decimal-money.js";
import { setListingQuantity, type AmazonSandboxState, type SandboxAddress, type SandboxOrder, type SandboxOrderItem } from "./amazon-sandbox-state.js";

/**
 * Orders in the sandbox: generated from the listings (Amazon takes the units off the listing's
 * quantity when the order is placed), moved from PENDING to UNSHIPPED when payment is
 * authorised, shipped by confirmShipment and cancelled by an order acknowledgement feed; and
 * rendered in the Orders API 2026-01-01 shape with only the data sets asked for.
 */

const ADDRESSES: readonly SandboxAddress[] = [
  { name: "Jordan Smith", addressLine1: "410 Terry Ave N", city: "Seattle", stateOrRegion: "WA", postalCode: "98109", countryCode: "US", phone: "+1 206-555-0100" },
  { name: "Priya Patel", addressLine1: "1 Market St", addressLine2: "Apt 12", city: "San Francisco", stateOrRegion: "CA", postalCode: "94105", countryCode: "US" },
  { name: "Luis Garcia", addressLine1: "233 S Wacker Dr", city: "Chicago", stateOrRegion: "IL", postalCode: "60606", countryCode: "US" },
  { name: "Emma Johnson", addressLine1: "20 W 34th St", city: "New York", stateOrRegion: "NY", postalCode: "10001", countryCode: "US", phone: "+1 212-555-0199" },
  { name: "Noah Williams", addressLine1: "600 Congress Ave", city: "Austin", stateOrRegion: "TX", postalCode: "78701", countryCode: "US" },
  { name: "Ava Brown", addressLine1: "1000 Vin Scully Ave", city: "Los Angeles", stateOrRegion: "CA", postalCode: "90012", countryCode: "US" },
];

export interface GenerateOrderOptions {
  /** Which listings and how many; default one or two random listings in stock. */
  items?: readonly { sku: string; quantity: number }[];
  /** PENDING orders carry no buyer, address or proceeds until authorised. */
  status?: "PENDING" | "UNSHIPPED";
  /** How long a PENDING order stays pending; default 0 (authorised on the next read). */
  pendingMs?: number;
}

export function amazonOrderId(): string {
  const digits = (n: number) => Array.from({ length: n }, () => randomInt(10)).join("");
  return `${randomInt(100, 1000)}-${digits(7)}-${digits(7)}`;
}

/** Places an order; undefined when no listing has stock (Amazon would not sell it). */
export function generateOrder(state: AmazonSandboxState, now: number, options: GenerateOrderOptions = {}): SandboxOrder | undefined {
  const picks = options.items ?? randomPicks(state);
  if (picks.length === 0) return undefined;
  const items: SandboxOrderItem[] = [];
  for (const [index, pick] of picks.entries()) {
    const listing = state.listings.get(pick.sku);
    if (!listing || pick.quantity <= 0 || listing.quantity < pick.quantity) return undefined;
    const unit = decimalToMinorUnits(listing.price, state.currency);
    const unitMinor = unit.ok ? unit.value : 0;
    items.push({
      orderItemId: `${Date.now() % 1_000_000}${String(randomInt(10_000_000)).padStart(7, "0")}${index}`,
      sku: listing.sku,
      asin: listing.asin,
      title: listing.title,
      quantityOrdered: pick.quantity,
      quantityShipped: 0,
      unitPrice: { amount: listing.price, currencyCode: state.currency },
      // 8 % sales tax, rounded to the minor unit, so totals exercise the tax breakdown.
      tax: { amount: minorUnitsToDecimal(Math.round(unitMinor * pick.quantity * 0.08), state.currency), currencyCode: state.currency },
      shipping: { amount: minorUnitsToDecimal(index === 0 ? 499 : 0, state.currency), currencyCode: state.currency },
      cancelled: false,
    });
  }
  for (const item of items) {
    const listing = state.listings.get(item.sku)!;
    setListingQuantity(state, item.sku, listing.quantity - item.quantityOrdered, now, "order");
  }
  const at = new Date(now).toISOString();
  const address = ADDRESSES[randomInt(ADDRESSES.length)]!;
  const status = options.status ?? "UNSHIPPED";
  const order: SandboxOrder = {
    orderId: uniqueOrderId(state),
    createdTime: at,
    lastUpdatedTime: at,
    status,
    ...(status === "PENDING" ? { authorizeAt: new Date(now + (options.pendingMs ?? 0)).toISOString() } : {}),
    buyer: { buyerName: address.name, buyerEmail: `${address.name.toLowerCase().replace(/\W+/g, ".")}@marketplace.amazon.com` },
    address,
    serviceLevel: randomInt(5) === 0 ? "EXPEDITED" : "STANDARD",
    items,
    packages: [],
  };
  state.orders.set(order.orderId, order);
  return order;
}

function uniqueOrderId(state: AmazonSandboxState): string {
  for (;;) {
    const id = amazonOrderId();
    if (!state.orders.has(id)) return id;
  }
}

function randomPicks(state: AmazonSandboxState): { sku: string; quantity: number }[] {
  const inStock = [...state.listings.values()].filter((l) => l.quantity > 0);
  if (inStock.length === 0) return [];
  const count = Math.min(inStock.length, 1 + (randomInt(3) === 0 ? 1 : 0));
  const picks: { sku: string; quantity: number }[] = [];
  while (picks.length < count) {
    const listing = inStock[randomInt(inStock.length)]!;
    if (picks.some((p) => p.sku === listing.sku)) continue;
    picks.push({ sku: listing.sku, quantity: Math.min(listing.quantity, 1 + (randomInt(4) === 0 ? 1 : 0)) });
  }
  return picks;
}

/** Pending orders whose authorisation time has come become UNSHIPPED, as Amazon moves them. */
export function authorizeDueOrders(state: AmazonSandboxState, now: number): void {
  for (const order of state.orders.values()) {
    if (order.status !== "PENDING" || !order.authorizeAt || Date.parse(order.authorizeAt) > now) continue;
    order.status = "UNSHIPPED";
    // The change happened when it was due, even if nobody looked until later.
    order.lastUpdatedTime = laterIso(order.lastUpdatedTime, Date.parse(order.authorizeAt));
    delete order.authorizeAt;
  }
}

/** lastUpdatedTime must move forward even when two changes fall in the same millisecond. */
export function laterIso(previous: string, now: number): string {
  return new Date(Math.max(now, Date.parse(previous) + 1)).toISOString();
}

export type ConfirmShipmentOutcome = { ok: true } | { ok: false; status: 400 | 404; code: string; message: string };

export function confirmShipment(
  state: AmazonSandboxState,
  orderId: string,
  detail: { packageReferenceId: string; carrierCode: string; carrierName?: string; shippingMethod?: string; trackingNumber: string; shipDate: string; orderItems: { orderItemId: string; quantity: number }[] },
  now: number,
): ConfirmShipmentOutcome {
  const order = state.orders.get(orderId);
  if (!order) return { ok: false, status: 404, code: "NotFound", message: `Order ${orderId} not found` };
  if (order.status !== "UNSHIPPED" && order.status !== "PARTIALLY_SHIPPED") {
    return { ok: false, status: 400, code: "InvalidInput", message: `Order ${orderId} is ${order.status} and cannot be confirmed` };
  }
  if (order.packages.some((p) => p.packageReferenceId === detail.packageReferenceId)) {
    return { ok: false, status: 400, code: "InvalidInput", message: `packageReferenceId ${detail.packageReferenceId} is already used on order ${orderId}` };
  }
  for (const line of detail.orderItems) {
    const item = order.items.find((i) => i.orderItemId === line.orderItemId);
    if (!item) return { ok: false, status: 400, code: "InvalidInput", message: `orderItemId ${line.orderItemId} is not on order ${orderId}` };
    if (line.quantity <= 0 || line.quantity > item.quantityOrdered - item.quantityShipped) {
      return { ok: false, status: 400, code: "InvalidInput", message: `quantity ${line.quantity} exceeds what is left to ship of ${line.orderItemId}` };
    }
  }
  for (const line of detail.orderItems) order.items.find((i) => i.orderItemId === line.orderItemId)!.quantityShipped += line.quantity;
  order.packages.push({
    packageReferenceId: detail.packageReferenceId,
    carrier: detail.carrierCode === "Other" ? (detail.carrierName ?? "Other") : detail.carrierCode,
    trackingNumber: detail.trackingNumber,
    shipTime: detail.shipDate,
    ...(detail.shippingMethod ? { shippingService: detail.shippingMethod } : {}),
    items: detail.orderItems.map((i) => ({ orderItemId: i.orderItemId, quantity: i.quantity })),
  });
  order.status = order.items.every((i) => i.cancelled || i.quantityShipped >= i.quantityOrdered) ? "SHIPPED" : "PARTIALLY_SHIPPED";
  order.lastUpdatedTime = laterIso(order.lastUpdatedTime, now);
  return { ok: true };
}

/** The seller refused the order (acknowledgement with StatusCode Failure): Amazon cancels it and restocks the listing. */
export function cancelOrder(state: AmazonSandboxState, orderId: string, reason: string, now: number): string | undefined {
  const order = state.orders.get(orderId);
  if (!order) return `order ${orderId} not found`;
  if (order.status === "CANCELLED") return undefined;
  if (order.status === "SHIPPED" || order.status === "PARTIALLY_SHIPPED") return `order ${orderId} has shipped items`;
  order.status = "CANCELLED";
  order.cancelReason = reason;
  for (const item of order.items) {
    item.cancelled = true;
    const listing = state.listings.get(item.sku);
    if (listing) setListingQuantity(state, item.sku, listing.quantity + item.quantityOrdered, now, "order");
  }
  order.lastUpdatedTime = laterIso(order.lastUpdatedTime, now);
  return undefined;
}

/** The order as searchOrders / getOrder render it, with only the requested data sets. */
export function orderView(order: SandboxOrder, state: AmazonSandboxState, included: ReadonlySet<string>): Record<string, unknown> {
  const pending = order.status === "PENDING";
  const money = (minor: number) => ({ amount: minorUnitsToDecimal(minor, state.currency), currencyCode: state.currency });
  const minorOf = (amount: string) => {
    const value = decimalToMinorUnits(amount, state.currency);
    return value.ok ? value.value : 0;
  };
  const active = order.items.filter((i) => !i.cancelled);
  const itemTotal = active.reduce((sum, i) => sum + minorOf(i.unitPrice.amount) * i.quantityOrdered, 0);
  const taxTotal = active.reduce((sum, i) => sum + minorOf(i.tax.amount), 0);
  const shippingTotal = active.reduce((sum, i) => sum + minorOf(i.shipping.amount), 0);
  return {
    orderId: order.orderId,
    createdTime: order.createdTime,
    lastUpdatedTime: order.lastUpdatedTime,
    salesChannel: { channelName: "AMAZON", marketplaceId: state.marketplaceId, marketplaceName: "Amazon.com" },
    // Amazon reveals the buyer, the address and the money only once payment is authorised.
    ...(included.has("BUYER") && !pending ? { buyer: order.buyer } : {}),
    ...(included.has("RECIPIENT") && !pending ? { recipient: { deliveryAddress: { ...order.address, addressType: "RESIDENTIAL" } } } : {}),
    ...(included.has("PROCEEDS") && !pending
      ? {
          proceeds: {
            grandTotal: money(itemTotal + taxTotal + shippingTotal),
            breakdowns: [
              { type: "ITEM", subtotal: money(itemTotal) },
              { type: "SHIPPING", subtotal: money(shippingTotal) },
              { type: "TAX", subtotal: money(taxTotal) },
            ],
          },
        }
      : {}),
    ...(included.has("FULFILLMENT")
      ? { fulfillment: { fulfillmentStatus: order.status, fulfilledBy: "MERCHANT", fulfillmentServiceLevel: order.serviceLevel } }
      : {}),
    orderItems: order.items.map((item) => ({
      orderItemId: item.orderItemId,
      quantityOrdered: item.cancelled ? 0 : item.quantityOrdered,
      product: {
        asin: item.asin,
        title: item.title,
        sellerSku: item.sku,
        condition: { conditionType: "NEW", conditionSubtype: "NEW" },
        price: { unitPrice: item.unitPrice },
      },
      ...(included.has("PROCEEDS") && !pending
        ? {
            proceeds: {
              proceedsTotal: money(item.cancelled ? 0 : minorOf(item.unitPrice.amount) * item.quantityOrdered + minorOf(item.tax.amount) + minorOf(item.shipping.amount)),
              breakdowns: [
                { type: "ITEM", subtotal: money(item.cancelled ? 0 : minorOf(item.unitPrice.amount) * item.quantityOrdered) },
                { type: "SHIPPING", subtotal: item.cancelled ? money(0) : item.shipping },
                { type: "TAX", subtotal: item.cancelled ? money(0) : item.tax },
              ],
            },
          }
        : {}),
      ...(included.has("FULFILLMENT")
        ? { fulfillment: { quantityFulfilled: item.quantityShipped, quantityUnfulfilled: item.cancelled ? 0 : item.quantityOrdered - item.quantityShipped } }
        : {}),
      ...(item.cancelled && order.cancelReason ? { cancellation: { cancellationExecution: { cancelledBy: "MERCHANT", cancelReason: order.cancelReason } } } : {}),
    })),
    ...(included.has("PACKAGES")
      ? {
          packages: order.packages.map((p) => ({
            packageReferenceId: p.packageReferenceId,
            createdTime: p.shipTime,
            carrier: p.carrier,
            shipTime: p.shipTime,
            ...(p.shippingService ? { shippingService: p.shippingService } : {}),
            trackingNumber: p.trackingNumber,
            packageItems: p.items,
          })),
        }
      : {}),
  };
}
