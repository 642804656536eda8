import type { UnifiedOrder } from "../../core/orders/unified-order.js";
import type { AdminGraphqlClient } from "./admin-graphql-client.js";
import { pushAvailableQuantities, type AvailablePushItem, type AvailablePushOutcome } from "./inventory-push.js";
import { awaitBulkCatalogue, bulkOperationStatus, downloadBulkCatalogue, startBulkCatalogueExport } from "./shopify-bulk-catalogue.js";
import { countProducts, importInventoryLevels, importLocations, importProducts } from "./shopify-catalogue-import.js";
import type {
  BulkOperationStatus,
  CancelOrderInput,
  ConfirmFulfillmentInput,
  ConnectorResult,
  FetchOrdersPage,
  OnPage,
  OnProgress,
  RejectedOrder,
  ShopifyConnectorOptions,
  ShopifyInventoryLevel,
  ShopifyLocation,
  ShopifyProduct,
} from "./shopify-connector-types.js";
import { DEFAULT_PAGE_SIZES, type PageSizes } from "./shopify-connector-paging.js";
import { confirmFulfillment } from "./shopify-fulfillment.js";
import { cancelOrder } from "./shopify-order-cancel.js";
import { fetchOrders, importOrders } from "./shopify-order-fetch.js";

/**
 * Shopify as one channel behind Switchyard's ChannelConnector port: catalogue and stock import,
 * order polling with a forward-only cursor, stock push, fulfillment and cancellation. Each
 * method returns a value for every expected failure (API errors, userErrors, nothing to
 * fulfil) so a job can record the reason and retry or surface it without catching.
 *
 * The class is a facade: each area lives in its own module (catalogue import, bulk catalogue,
 * order fetch, fulfillment, cancellation) as functions over the AdminGraphqlClient.
 */

export type {
  BulkOperationStatus,
  CancelOrderInput,
  ConfirmFulfillmentInput,
  ConnectorResult,
  FetchOrdersPage,
  ImportProgress,
  OnPage,
  OnProgress,
  RejectedOrder,
  ShopifyConnectorFailureReason,
  ShopifyConnectorOptions,
  ShopifyInventoryLevel,
  ShopifyLocation,
  ShopifyProduct,
  ShopifyVariant,
  TrackingInfo,
} from "./shopify-connector-types.js";
export { parseBulkCatalogue } from "./shopify-bulk-catalogue.js";

export class ShopifyConnector {
  readonly channel = "shopify" as const;
  private readonly client: AdminGraphqlClient;
  private readonly pageSizes: PageSizes;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly fetchImpl: typeof fetch;

  constructor(options: ShopifyConnectorOptions) {
    this.client = options.client;
    this.pageSizes = { ...DEFAULT_PAGE_SIZES, ...options.pageSizes };
    this.sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
  }

  // ---------- import ----------

  importLocations(options: { onProgress?: OnProgress; onPage?: OnPage<ShopifyLocation> } = {}): Promise<ConnectorResult<ShopifyLocation[]>> {
    return importLocations(this.client, this.pageSizes, options);
  }

  /** Products in the shop, or null when Shopify only gives a lower bound. */
  countProducts(): Promise<ConnectorResult<{ count: number; exact: boolean }>> {
    return countProducts(this.client);
  }

  importProducts(options: { onProgress?: OnProgress; onPage?: OnPage<ShopifyProduct> } = {}): Promise<ConnectorResult<ShopifyProduct[]>> {
    return importProducts(this.client, this.pageSizes, options);
  }

  /**
   * Starts a bulk export of the catalogue (Shopify runs it asynchronously and writes JSONL);
   * for catalogues where paging would take thousands of requests.
   */
  startBulkCatalogueExport(): Promise<ConnectorResult<{ bulkOperationId: string }>> {
    return startBulkCatalogueExport(this.client);
  }

  bulkOperationStatus(id: string): Promise<ConnectorResult<BulkOperationStatus>> {
    return bulkOperationStatus(this.client, id);
  }

  /** Polls until the bulk operation finishes, then downloads and regroups its JSONL. */
  awaitBulkCatalogue(id: string, options: { pollIntervalMs?: number; timeoutMs?: number } = {}): Promise<ConnectorResult<ShopifyProduct[]>> {
    return awaitBulkCatalogue(this.client, { sleep: this.sleep, fetchImpl: this.fetchImpl }, id, options);
  }

  /** JSONL: one object per line, children after their parent and linked by `__parentId`. */
  downloadBulkCatalogue(url: string): Promise<ConnectorResult<ShopifyProduct[]>> {
    return downloadBulkCatalogue(this.fetchImpl, url);
  }

  importInventoryLevels(
    locationIds: readonly string[],
    options: { onProgress?: OnProgress; onPage?: OnPage<ShopifyInventoryLevel> } = {},
  ): Promise<ConnectorResult<ShopifyInventoryLevel[]>> {
    return importInventoryLevels(this.client, this.pageSizes, locationIds, options);
  }

  // ---------- orders ----------

  /** One page of orders changed since the cursor; see fetchOrders in shopify-order-fetch.ts. */
  fetchOrders(cursor: string | null, options: { updatedSince?: Date; pageSize?: number } = {}): Promise<ConnectorResult<FetchOrdersPage>> {
    return fetchOrders(this.client, this.pageSizes, cursor, options);
  }

  /** Imports every order changed since `updatedSince` (all orders when omitted). */
  importOrders(
    options: { updatedSince?: Date; onProgress?: OnProgress; onPage?: (page: { orders: UnifiedOrder[]; sourceNodes: unknown[]; rejected: RejectedOrder[] }) => Promise<void> } = {},
  ): Promise<ConnectorResult<{ orders: UnifiedOrder[]; rejected: RejectedOrder[]; nextCursor: string }>> {
    return importOrders(this.client, this.pageSizes, options);
  }

  // ---------- stock ----------

  pushAvailable(items: readonly AvailablePushItem[], options: { referenceDocumentUri: string }): Promise<AvailablePushOutcome[]> {
    return pushAvailableQuantities(this.client, items, options);
  }

  // ---------- fulfillment and cancellation ----------

  confirmFulfillment(input: ConfirmFulfillmentInput): Promise<ConnectorResult<{ fulfillmentId: string; status: string; alreadyConfirmed: boolean }>> {
    return confirmFulfillment(this.client, input);
  }

  cancelOrder(input: CancelOrderInput): Promise<ConnectorResult<{ jobId: string | null; alreadyCancelled: boolean }>> {
    return cancelOrder(this.client, input);
  }
}
