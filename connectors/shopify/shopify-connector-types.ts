import type { Result } from "../../core/shared/result.js";
import type { UnifiedOrder } from "../../core/orders/unified-order.js";
import type { AdminApiFailure, AdminGraphqlClient } from "./admin-graphql-client.js";

/** The public shapes of the Shopify connector; re-exported by shopify-connector.ts. */

export type ShopifyConnectorFailureReason =
  | AdminApiFailure["reason"]
  | "user_errors"
  | "not_found"
  | "invalid_cursor"
  | "nothing_to_fulfill"
  | "ambiguous_location"
  | "order_too_large"
  | "bulk_operation_failed"
  | "bulk_operation_timeout";

export type ConnectorResult<T> = Result<T, ShopifyConnectorFailureReason>;

export interface ImportProgress {
  resource: "locations" | "products" | "inventory_levels" | "orders";
  /** Pages fetched so far. */
  done: number;
  /** Total pages when Shopify can count them (the *Count queries), otherwise null. */
  total: number | null;
}
export type OnProgress = (progress: ImportProgress) => void;
/**
 * Awaited after each page is read and before the next is requested, so a caller can commit
 * every page on its own: an import that fails half-way keeps what it already stored.
 */
export type OnPage<T> = (items: T[]) => Promise<void>;

export interface ShopifyLocation {
  id: string;
  name: string;
  isActive: boolean;
  fulfillsOnlineOrders: boolean;
  shipsInventory: boolean;
  address: {
    address1: string | null;
    address2: string | null;
    city: string | null;
    provinceCode: string | null;
    zip: string | null;
    countryCode: string | null;
    phone: string | null;
    latitude: number | null;
    longitude: number | null;
  };
}

export interface ShopifyVariant {
  id: string;
  sku: string | null;
  title: string;
  /** Decimal string in shop currency, as Shopify sends it. */
  price: string;
  inventoryItemId: string;
  tracked: boolean;
}

export interface ShopifyProduct {
  id: string;
  title: string;
  status: string;
  variants: ShopifyVariant[];
}

export interface ShopifyInventoryLevel {
  locationId: string;
  inventoryItemId: string;
  sku: string | null;
  available: number;
  onHand: number;
  committed: number;
}

export interface RejectedOrder {
  externalId: string | null;
  reason: string;
  detail: string;
  /** The node as received, kept for inspection (rule 8: bad input loses nothing). */
  raw: unknown;
}

export interface FetchOrdersPage {
  orders: UnifiedOrder[];
  /** The GraphQL node each order was mapped from (same index), kept as the order's source payload. */
  sourceNodes: unknown[];
  rejected: RejectedOrder[];
  /** Opaque; hand it to the next fetchOrders call. Always set: polling continues from it. */
  nextCursor: string;
  /** True when Shopify has more pages right now (call again immediately). */
  hasMore: boolean;
}

export interface TrackingInfo {
  company: string;
  number: string;
  url?: string;
}

export interface ConfirmFulfillmentInput {
  orderId: string;
  tracking: TrackingInfo;
  notifyCustomer: boolean;
  /** Restrict to one location's fulfillment orders; required when the order spans several. */
  locationId?: string;
  /** Partial shipment: order line GIDs and quantities. Omit to ship everything remaining. */
  lines?: { lineItemId: string; quantity: number }[];
  /**
   * Fulfillments that belong to other parcels of the order: a split order may carry the same
   * tracking number on each parcel, so a matching number on one of these is not a repeat.
   */
  ignoreFulfillmentIds?: readonly string[];
}

export interface CancelOrderInput {
  orderId: string;
  reason: "CUSTOMER" | "DECLINED" | "FRAUD" | "INVENTORY" | "STAFF" | "OTHER";
  restock: boolean;
  notifyCustomer?: boolean;
  staffNote?: string;
}

export interface ShopifyConnectorOptions {
  client: AdminGraphqlClient;
  /** Page sizes keep each request's requested cost well under the 1000-point single-query cap. */
  pageSizes?: Partial<{ locations: number; products: number; variantsPerProduct: number; inventoryLevels: number; orders: number; lineItemsPerOrder: number }>;
  /** Injectable so bulk-operation polling does not sleep in tests. */
  sleep?: (ms: number) => Promise<void>;
  /** Bulk results are downloaded from Shopify's storage URL (or the sandbox) with this. */
  fetch?: typeof fetch;
}

export interface BulkOperationStatus {
  id: string;
  status: "CANCELED" | "CANCELING" | "COMPLETED" | "CREATED" | "EXPIRED" | "FAILED" | "RUNNING";
  errorCode: string | null;
  objectCount: string;
  rootObjectCount: string;
  url: string | null;
  partialDataUrl: string | null;
  completedAt: string | null;
}
