import type { Result } from "../../core/shared/result.js";
import type { UnifiedOrder } from "../../core/orders/unified-order.js";
import type { AdminApiFailure, AdminGraphqlClient } from "./admin-graphql-client.js";
import type { RejectedOrder } from "../../core/ports/catalogue-import-port.js";

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

export type {
  ImportProgress,
  OnProgress,
  OnPage,
  ImportedLocation as ShopifyLocation,
  ImportedVariant as ShopifyVariant,
  ImportedProduct as ShopifyProduct,
  ImportedInventoryLevel as ShopifyInventoryLevel,
  RejectedOrder,
} from "../../core/ports/catalogue-import-port.js";

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
