import { decimalToMinorUnits } from "../../../core/shared/decimal-money.js";

/**
 * The sandbox shop's in-memory state. Money is kept in minor units like the rest of
 * Switchyard and rendered as Shopify's decimal strings only at the edges (GraphQL answers,
 * webhook bodies), so the sandbox cannot introduce float drift of its own.
 */

export interface SandboxAddress {
  firstName: string;
  lastName: string;
  company: string | null;
  address1: string;
  address2: string | null;
  city: string;
  province: string;
  provinceCode: string;
  zip: string;
  country: string;
  countryCode: string;
  phone: string | null;
  latitude: number | null;
  longitude: number | null;
}

export interface SandboxLocation {
  id: string;
  legacyId: number;
  name: string;
  isActive: boolean;
  fulfillsOnlineOrders: boolean;
  shipsInventory: boolean;
  address: Omit<SandboxAddress, "firstName" | "lastName" | "company">;
  createdAt: string;
  updatedAt: string;
}

export interface SandboxProduct {
  id: string;
  legacyId: number;
  title: string;
  status: "ACTIVE" | "ARCHIVED" | "DRAFT";
  createdAt: string;
  updatedAt: string;
}

export interface SandboxVariant {
  id: string;
  legacyId: number;
  productId: string;
  sku: string;
  title: string;
  priceMinor: number;
  position: number;
  inventoryItemId: string;
  createdAt: string;
  updatedAt: string;
}

export interface SandboxInventoryItem {
  id: string;
  legacyId: number;
  variantId: string;
  sku: string;
  tracked: boolean;
}

export interface SandboxInventoryLevel {
  id: string;
  inventoryItemId: string;
  locationId: string;
  available: number;
  /** Sold but not yet shipped; part of on_hand, not of available. */
  committed: number;
  updatedAt: string;
}

export interface SandboxLineItem {
  id: string;
  legacyId: number;
  variantId: string | null;
  productId: string | null;
  sku: string;
  title: string;
  variantTitle: string | null;
  quantity: number;
  priceMinor: number;
  discountMinor: number;
  taxMinor: number;
  taxRate: number;
}

export interface SandboxShippingLine {
  id: string;
  legacyId: number;
  title: string;
  code: string;
  priceMinor: number;
}

export interface SandboxCustomer {
  id: string;
  legacyId: number;
  firstName: string;
  lastName: string;
  email: string;
  phone: string | null;
}

export type SandboxFinancialStatus =
  | "PENDING"
  | "AUTHORIZED"
  | "PARTIALLY_PAID"
  | "PARTIALLY_REFUNDED"
  | "VOIDED"
  | "PAID"
  | "REFUNDED"
  | "EXPIRED";

export interface SandboxOrder {
  id: string;
  legacyId: number;
  number: number;
  name: string;
  createdAt: string;
  updatedAt: string;
  cancelledAt: string | null;
  cancelReason: string | null;
  currency: string;
  financialStatus: SandboxFinancialStatus;
  email: string;
  phone: string | null;
  note: string | null;
  tags: string[];
  customer: SandboxCustomer;
  shippingAddress: SandboxAddress;
  billingAddress: SandboxAddress;
  lineItems: SandboxLineItem[];
  shippingLines: SandboxShippingLine[];
  riskLevel: "LOW" | "MEDIUM" | "HIGH";
}

export interface SandboxFulfillmentOrderLine {
  id: string;
  lineItemId: string;
  totalQuantity: number;
  remainingQuantity: number;
}

export interface SandboxFulfillmentOrder {
  id: string;
  orderId: string;
  locationId: string;
  status: "OPEN" | "IN_PROGRESS" | "CLOSED" | "CANCELLED";
  lineItems: SandboxFulfillmentOrderLine[];
}

export interface SandboxFulfillment {
  id: string;
  orderId: string;
  status: "SUCCESS";
  createdAt: string;
  trackingInfo: { company: string | null; number: string | null; url: string | null }[];
  notifyCustomer: boolean;
  lines: { fulfillmentOrderLineItemId: string; quantity: number }[];
}

export type SandboxReturnStatus = "REQUESTED" | "OPEN" | "DECLINED" | "CANCELED" | "CLOSED";

export interface SandboxReturnLine {
  id: string;
  fulfillmentLineItemId: string;
  lineItemId: string;
  quantity: number;
  processedQuantity: number;
  reasonDefinitionId: string | null;
  /** The customer's note (returnRequest) or the reason note (returnCreate). */
  note: string | null;
  disposition: { type: string; locationId: string | null } | null;
}

/** A return with its reverse fulfillment order (made when it opens) and reverse deliveries. */
export interface SandboxReturn {
  id: string;
  orderId: string;
  name: string;
  status: SandboxReturnStatus;
  createdAt: string;
  closedAt: string | null;
  requestApprovedAt: string | null;
  decline: { reason: string; note: string | null } | null;
  lines: SandboxReturnLine[];
  exchangeLines: { id: string; variantId: string; quantity: number; processedQuantity: number }[];
  returnShippingFeeMinor: number;
  reverseFulfillmentOrder: {
    id: string;
    status: "OPEN" | "CLOSED" | "CANCELED";
    lines: { id: string; returnLineId: string }[];
    deliveries: { id: string; trackingNumber: string | null; trackingUrl: string | null; labelUrl: string | null; createdAt: string }[];
  } | null;
}

/** Money that left through refundCreate or returnProcess's financial transfer. */
export interface SandboxRefund {
  id: string;
  orderId: string;
  returnId: string | null;
  amountMinor: number;
  storeCreditMinor: number;
  lines: { lineItemId: string; quantity: number }[];
  createdAt: string;
}

export interface SandboxBulkOperation {
  id: string;
  query: string;
  createdAt: string;
  completedAt: string | null;
  /** Polls left before it reports COMPLETED, so a client's polling loop is exercised. */
  pollsUntilDone: number;
  status: "CREATED" | "RUNNING" | "COMPLETED" | "FAILED";
  jsonl: string;
  objectCount: number;
  rootObjectCount: number;
}

export interface SandboxState {
  shopDomain: string;
  currency: string;
  locations: SandboxLocation[];
  products: SandboxProduct[];
  variants: SandboxVariant[];
  inventoryItems: SandboxInventoryItem[];
  inventoryLevels: SandboxInventoryLevel[];
  orders: SandboxOrder[];
  fulfillmentOrders: SandboxFulfillmentOrder[];
  fulfillments: SandboxFulfillment[];
  bulkOperations: SandboxBulkOperation[];
  returns: SandboxReturn[];
  refunds: SandboxRefund[];
  /** Shopify's return reason library (a few standard handles). */
  returnReasonDefinitions: { id: string; handle: string; name: string }[];
  /** Webhooks the last mutations caused, sent by the server after it answered (Shopify sends them asynchronously too). */
  outbox: { topic: string; payload: Record<string, unknown> }[];
  /** inventorySetQuantities replays: key -> the input it was first used with and the answer. */
  idempotency: Map<string, { fingerprint: string; response: unknown }>;
  /** Every inventorySetQuantities call that changed something, newest last (for assertions). */
  inventoryAdjustments: { id: string; reason: string; referenceDocumentUri: string | null; changes: { inventoryItemId: string; locationId: string; delta: number }[] }[];
  nextLegacyId: number;
  nextOrderNumber: number;
}

export interface SandboxSeed {
  currency?: string;
  locations?: {
    name: string;
    address1?: string;
    city?: string;
    provinceCode?: string;
    province?: string;
    zip?: string;
    countryCode?: string;
    latitude?: number;
    longitude?: number;
    fulfillsOnlineOrders?: boolean;
  }[];
  /** One product per distinct productTitle (or per variant when absent). */
  variants?: { sku: string; title: string; price: string; productTitle?: string }[];
  /** Available quantity per SKU and location name; unmentioned pairs are stocked with 0. */
  inventory?: { sku: string; location: string; available: number }[];
}

export function gid(type: string, legacyId: number): string {
  return `gid://shopify/${type}/${legacyId}`;
}

export function legacyIdOf(id: string): number {
  return Number(id.split("/").pop());
}

export function createSandboxState(shopDomain: string, seed: SandboxSeed, now: () => number): SandboxState {
  const state: SandboxState = {
    shopDomain,
    currency: (seed.currency ?? "USD").toUpperCase(),
    locations: [],
    products: [],
    variants: [],
    inventoryItems: [],
    inventoryLevels: [],
    orders: [],
    fulfillmentOrders: [],
    fulfillments: [],
    returns: [],
    refunds: [],
    returnReasonDefinitions: [],
    outbox: [],
    bulkOperations: [],
    idempotency: new Map(),
    inventoryAdjustments: [],
    // Shopify ids are large integers; starting high keeps them realistic yet within safe range.
    nextLegacyId: 7_000_000_000_001,
    nextOrderNumber: 1001,
  };
  const at = new Date(now()).toISOString();

  for (const loc of seed.locations ?? [{ name: "Main warehouse" }]) {
    const legacyId = takeId(state);
    state.locations.push({
      id: gid("Location", legacyId),
      legacyId,
      name: loc.name,
      isActive: true,
      fulfillsOnlineOrders: loc.fulfillsOnlineOrders ?? true,
      shipsInventory: true,
      address: {
        address1: loc.address1 ?? "1 Warehouse Way",
        address2: null,
        city: loc.city ?? "Columbus",
        province: loc.province ?? loc.provinceCode ?? "Ohio",
        provinceCode: loc.provinceCode ?? "OH",
        zip: loc.zip ?? "43215",
        country: (loc.countryCode ?? "US") === "US" ? "United States" : (loc.countryCode ?? "US"),
        countryCode: loc.countryCode ?? "US",
        phone: null,
        latitude: loc.latitude ?? 39.9612,
        longitude: loc.longitude ?? -82.9988,
      },
      createdAt: at,
      updatedAt: at,
    });
  }

  const productsByTitle = new Map<string, SandboxProduct>();
  for (const v of seed.variants ?? []) {
    const productTitle = v.productTitle ?? v.title;
    let product = productsByTitle.get(productTitle);
    if (!product) {
      const legacyId = takeId(state);
      product = { id: gid("Product", legacyId), legacyId, title: productTitle, status: "ACTIVE", createdAt: at, updatedAt: at };
      productsByTitle.set(productTitle, product);
      state.products.push(product);
    }
    const variantLegacyId = takeId(state);
    const itemLegacyId = takeId(state);
    const variant: SandboxVariant = {
      id: gid("ProductVariant", variantLegacyId),
      legacyId: variantLegacyId,
      productId: product.id,
      sku: v.sku,
      title: v.title,
      priceMinor: decimalToMinorStrict(v.price, state.currency),
      position: state.variants.filter((x) => x.productId === product.id).length + 1,
      inventoryItemId: gid("InventoryItem", itemLegacyId),
      createdAt: at,
      updatedAt: at,
    };
    state.variants.push(variant);
    state.inventoryItems.push({ id: variant.inventoryItemId, legacyId: itemLegacyId, variantId: variant.id, sku: v.sku, tracked: true });
    for (const location of state.locations) {
      const legacyId = takeId(state);
      state.inventoryLevels.push({
        // Shopify's level ids carry the item id as a query string; any unique GID will do here.
        id: `gid://shopify/InventoryLevel/${legacyId}?inventory_item_id=${itemLegacyId}`,
        inventoryItemId: variant.inventoryItemId,
        locationId: location.id,
        available: 0,
        committed: 0,
        updatedAt: at,
      });
    }
  }

  for (const entry of seed.inventory ?? []) {
    const item = state.inventoryItems.find((i) => i.sku === entry.sku);
    const location = state.locations.find((l) => l.name === entry.location);
    if (!item || !location) {
      throw new Error(`sandbox seed: inventory for unknown sku "${entry.sku}" or location "${entry.location}"`);
    }
    const level = findLevel(state, item.id, location.id)!;
    level.available = entry.available;
  }
  // The standard reasons of Shopify's library that the storefront offers.
  for (const handle of ["size-too-small", "size-too-large", "unwanted", "not-as-described", "wrong-item", "defective", "style", "color", "other"]) {
    state.returnReasonDefinitions.push({ id: gid("ReturnReasonDefinition", takeId(state)), handle, name: handle.replace(/-/g, " ") });
  }
  return state;
}

export function takeId(state: SandboxState): number {
  return state.nextLegacyId++;
}

export function findLevel(state: SandboxState, inventoryItemId: string, locationId: string): SandboxInventoryLevel | undefined {
  return state.inventoryLevels.find((l) => l.inventoryItemId === inventoryItemId && l.locationId === locationId);
}

/** Seed prices come from the lead's catalogue as "19.99"; a typo there is a setup bug, so it throws. */
function decimalToMinorStrict(price: string, currency: string): number {
  const minor = decimalToMinorUnits(price, currency);
  if (!minor.ok || minor.value < 0) throw new Error(`sandbox seed: price "${price}" is not a valid ${currency} amount`);
  return minor.value;
}
