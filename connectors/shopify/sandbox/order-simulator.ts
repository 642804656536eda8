import { FIRST_NAMES, LAST_NAMES, US_ADDRESSES } from "./us-addresses.js";
import {
  findLevel,
  gid,
  takeId,
  type SandboxAddress,
  type SandboxFinancialStatus,
  type SandboxLineItem,
  type SandboxOrder,
  type SandboxState,
} from "./sandbox-state.js";

/**
 * Creates a plausible order the way a storefront checkout would: lines from the seeded
 * variants, a real US address, tax and shipping, stock committed at one location and a
 * fulfillment order assigned there. The random source is injectable so tests can reproduce an
 * order exactly.
 */
export interface SimulateOrderOptions {
  /** Explicit lines; otherwise 1-3 random in-stock variants with quantity 1-2. */
  lines?: { sku: string; quantity: number }[];
  financialStatus?: SandboxFinancialStatus;
  riskLevel?: "LOW" | "MEDIUM" | "HIGH";
  /** Defaults to Math.random; pass a seeded generator for reproducible orders. */
  random?: () => number;
  tags?: string[];
  note?: string;
}

const SALES_TAX_RATE = 0.0725;
const FREE_SHIPPING_FROM_MINOR = 10_000;
const STANDARD_SHIPPING_MINOR = 799;

export function simulateOrderInState(state: SandboxState, now: () => number, options: SimulateOrderOptions = {}): SandboxOrder {
  const random = options.random ?? Math.random;
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length) % list.length]!;
  if (state.variants.length === 0) throw new Error("sandbox: simulateOrder needs seeded variants");

  const wanted =
    options.lines ??
    (() => {
      const inStock = state.variants.filter((v) => state.inventoryLevels.some((l) => l.inventoryItemId === v.inventoryItemId && l.available > 0));
      const pool = [...(inStock.length > 0 ? inStock : state.variants)];
      const count = Math.min(pool.length, 1 + Math.floor(random() * 3));
      const chosen = [];
      for (let i = 0; i < count; i++) chosen.push(pool.splice(Math.floor(random() * pool.length), 1)[0]!);
      return chosen.map((v) => ({ sku: v.sku, quantity: 1 + Math.floor(random() * 2) }));
    })();

  const legacyId = takeId(state);
  const at = new Date(now()).toISOString();
  const lineItems: SandboxLineItem[] = wanted.map((w) => {
    const variant = state.variants.find((v) => v.sku === w.sku);
    if (!variant) throw new Error(`sandbox: simulateOrder got unknown sku "${w.sku}"`);
    const product = state.products.find((p) => p.id === variant.productId)!;
    const lineLegacyId = takeId(state);
    return {
      id: gid("LineItem", lineLegacyId),
      legacyId: lineLegacyId,
      variantId: variant.id,
      productId: product.id,
      sku: variant.sku,
      title: product.title,
      variantTitle: variant.title === product.title ? null : variant.title,
      quantity: w.quantity,
      priceMinor: variant.priceMinor,
      discountMinor: 0,
      taxMinor: Math.round(variant.priceMinor * w.quantity * SALES_TAX_RATE),
      taxRate: SALES_TAX_RATE,
    };
  });
  const merchandise = lineItems.reduce((s, l) => s + l.priceMinor * l.quantity, 0);
  const shippingLegacyId = takeId(state);
  const first = pick(FIRST_NAMES);
  const last = pick(LAST_NAMES);
  const place = pick(US_ADDRESSES);
  const address: SandboxAddress = {
    firstName: first,
    lastName: last,
    company: null,
    ...place,
    address2: null,
    country: "United States",
    countryCode: "US",
    phone: `+1555${String(Math.floor(random() * 10_000_000)).padStart(7, "0")}`,
  };
  const customerLegacyId = takeId(state);
  const number = state.nextOrderNumber++;
  const email = `${first}.${last}.${number}@example.com`.toLowerCase();
  const order: SandboxOrder = {
    id: gid("Order", legacyId),
    legacyId,
    number,
    name: `#${number}`,
    createdAt: at,
    updatedAt: at,
    cancelledAt: null,
    cancelReason: null,
    currency: state.currency,
    financialStatus: options.financialStatus ?? "PAID",
    email,
    phone: null,
    note: options.note ?? null,
    tags: options.tags ?? [],
    customer: { id: gid("Customer", customerLegacyId), legacyId: customerLegacyId, firstName: first, lastName: last, email, phone: address.phone },
    shippingAddress: address,
    billingAddress: { ...address },
    lineItems,
    shippingLines: [
      {
        id: gid("ShippingLine", shippingLegacyId),
        legacyId: shippingLegacyId,
        title: "Standard Shipping",
        code: "STANDARD",
        priceMinor: merchandise >= FREE_SHIPPING_FROM_MINOR ? 0 : STANDARD_SHIPPING_MINOR,
      },
    ],
    riskLevel: options.riskLevel ?? "LOW",
  };
  state.orders.push(order);

  // Shopify assigns the order to a location that can ship it and commits the stock there.
  const location =
    state.locations.find((loc) =>
      lineItems.every((l) => {
        const v = state.variants.find((x) => x.id === l.variantId)!;
        return (findLevel(state, v.inventoryItemId, loc.id)?.available ?? 0) >= l.quantity;
      }),
    ) ?? state.locations[0]!;
  for (const l of lineItems) {
    const v = state.variants.find((x) => x.id === l.variantId)!;
    const level = findLevel(state, v.inventoryItemId, location.id);
    if (level) {
      level.available -= l.quantity;
      level.committed += l.quantity;
      level.updatedAt = at;
    }
  }
  state.fulfillmentOrders.push({
    id: gid("FulfillmentOrder", takeId(state)),
    orderId: order.id,
    locationId: location.id,
    status: "OPEN",
    lineItems: lineItems.map((l) => ({ id: gid("FulfillmentOrderLineItem", takeId(state)), lineItemId: l.id, totalQuantity: l.quantity, remainingQuantity: l.quantity })),
  });
  return order;
}
