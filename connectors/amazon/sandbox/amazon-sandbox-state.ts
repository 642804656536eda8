import type { AmazonMoney } from "../amazon-order-schema.js";

/**
 * The sandbox's in-memory seller account: listings with their merchant-fulfilled quantity,
 * orders in the Orders API 2026-01-01 shape, feeds and their documents, and the access tokens
 * LWA handed out. Plain data, so tests and the demo can look inside and set things up.
 */

export interface SandboxListing {
  sku: string;
  asin: string;
  productType: string;
  title: string;
  /** Decimal string in the marketplace currency, e.g. "19.99". */
  price: string;
  /** fulfillment_availability DEFAULT quantity. */
  quantity: number;
  createdAt: string;
  updatedAt: string;
}

export interface SandboxOrderItem {
  orderItemId: string;
  sku: string;
  asin: string;
  title: string;
  quantityOrdered: number;
  quantityShipped: number;
  unitPrice: AmazonMoney;
  tax: AmazonMoney;
  shipping: AmazonMoney;
  cancelled: boolean;
}

export interface SandboxAddress {
  name: string;
  addressLine1: string;
  addressLine2?: string;
  city: string;
  stateOrRegion: string;
  postalCode: string;
  countryCode: string;
  phone?: string;
}

export interface SandboxPackage {
  packageReferenceId: string;
  carrier: string;
  trackingNumber: string;
  shipTime: string;
  shippingService?: string;
  items: { orderItemId: string; quantity: number }[];
}

export type SandboxOrderStatus = "PENDING" | "UNSHIPPED" | "PARTIALLY_SHIPPED" | "SHIPPED" | "CANCELLED";

export interface SandboxOrder {
  orderId: string;
  createdTime: string;
  lastUpdatedTime: string;
  status: SandboxOrderStatus;
  /** A pending order becomes UNSHIPPED (payment authorised, buyer and address revealed) at this time. */
  authorizeAt?: string;
  buyer: { buyerName: string; buyerEmail: string };
  address: SandboxAddress;
  serviceLevel: "STANDARD" | "EXPEDITED";
  items: SandboxOrderItem[];
  packages: SandboxPackage[];
  cancelReason?: string;
}

export type SandboxFeedStatus = "IN_QUEUE" | "IN_PROGRESS" | "DONE" | "FATAL" | "CANCELLED";

export interface SandboxFeed {
  feedId: string;
  feedType: string;
  marketplaceIds: string[];
  createdTime: string;
  processingStatus: SandboxFeedStatus;
  processingStartTime?: string;
  processingEndTime?: string;
  inputFeedDocumentId: string;
  resultFeedDocumentId?: string;
}

export interface SandboxDocument {
  feedDocumentId: string;
  contentType: string;
  /** Undefined until the client uploads it to the presigned URL. */
  content?: string;
}

export interface SandboxSeedListing {
  sku: string;
  title: string;
  price: string;
  quantity: number;
  productType?: string;
  asin?: string;
}

export interface AmazonSandboxState {
  sellerId: string;
  marketplaceId: string;
  currency: string;
  listings: Map<string, SandboxListing>;
  orders: Map<string, SandboxOrder>;
  feeds: Map<string, SandboxFeed>;
  documents: Map<string, SandboxDocument>;
  /** access token -> expiry (ms since epoch). */
  accessTokens: Map<string, number>;
  nextFeedId: number;
  nextDocumentId: number;
  nextSubmissionId: number;
  /** Quantity changes the sandbox saw, newest last: what a benchmark reads to time a push. */
  quantityLog: { sku: string; quantity: number; at: number; via: "patch" | "feed" | "order" }[];
}

export function createAmazonSandboxState(options: {
  sellerId: string;
  marketplaceId: string;
  currency: string;
  listings?: readonly SandboxSeedListing[];
  now: number;
}): AmazonSandboxState {
  const at = new Date(options.now).toISOString();
  const listings = new Map<string, SandboxListing>();
  for (const [index, seed] of (options.listings ?? []).entries()) {
    listings.set(seed.sku, {
      sku: seed.sku,
      asin: seed.asin ?? asinFor(index),
      productType: seed.productType ?? "PRODUCT",
      title: seed.title,
      price: seed.price,
      quantity: seed.quantity,
      createdAt: at,
      updatedAt: at,
    });
  }
  return {
    sellerId: options.sellerId,
    marketplaceId: options.marketplaceId,
    currency: options.currency,
    listings,
    orders: new Map(),
    feeds: new Map(),
    documents: new Map(),
    accessTokens: new Map(),
    nextFeedId: 50001,
    nextDocumentId: 1,
    nextSubmissionId: 1,
    quantityLog: [],
  };
}

function asinFor(index: number): string {
  return `B0SBX${String(index + 1).padStart(5, "0")}`;
}

export function setListingQuantity(state: AmazonSandboxState, sku: string, quantity: number, now: number, via: "patch" | "feed" | "order"): void {
  const listing = state.listings.get(sku);
  if (!listing) return;
  listing.quantity = quantity;
  listing.updatedAt = new Date(now).toISOString();
  state.quantityLog.push({ sku, quantity, at: now, via });
  // Bounded: a long demo must not grow without end.
  if (state.quantityLog.length > 50_000) state.quantityLog.splice(0, state.quantityLog.length - 50_000);
}
