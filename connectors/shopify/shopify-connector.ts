import { err, ok, type Result } from "../../core/shared/result.js";
import type { UnifiedOrder } from "../../core/orders/unified-order.js";
import { describeUserErrors, type AdminApiFailure, type AdminGraphqlClient, type ShopifyUserError } from "./admin-graphql-client.js";
import {
  BULK_OPERATION_RUN_QUERY_MUTATION,
  BULK_OPERATION_STATUS_QUERY,
  BULK_PRODUCTS_INNER_QUERY,
  FULFILLMENT_CREATE_MUTATION,
  LOCATIONS_QUERY,
  LOCATION_INVENTORY_LEVELS_QUERY,
  ORDERS_COUNT_QUERY,
  ORDERS_QUERY,
  ORDER_CANCEL_MUTATION,
  ORDER_CANCEL_STATE_QUERY,
  ORDER_FULFILLMENT_ORDERS_QUERY,
  ORDER_LINE_ITEMS_QUERY,
  PRODUCTS_COUNT_QUERY,
  PRODUCTS_QUERY,
  PRODUCT_VARIANTS_QUERY,
} from "./graphql-documents.js";
import { pushAvailableQuantities, type AvailablePushItem, type AvailablePushOutcome } from "./inventory-push.js";
import { mapShopifyGraphqlOrder } from "./shopify-order-mapper.js";

/**
 * Shopify as one channel behind Switchyard's ChannelConnector port: catalogue and stock import,
 * order polling with a forward-only cursor, stock push, fulfillment and cancellation. Each
 * method returns a value for every expected failure (API errors, userErrors, nothing to
 * fulfil) so a job can record the reason and retry or surface it without catching.
 */

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

// Chosen so each page's requested cost (objects 1, connections 2 + n x node) stays under
// Shopify's 1000-point single-query cap: e.g. 5 orders x 15 lines is about 870 points.
const DEFAULT_PAGE_SIZES = {
  locations: 100,
  products: 25,
  variantsPerProduct: 10,
  inventoryLevels: 100,
  orders: 5,
  lineItemsPerOrder: 15,
};

interface Connection<N> {
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  nodes: N[];
}
/** Only what the connector itself reads; the mapper validates the full node. */
interface RawOrderNode {
  id?: unknown;
  updatedAt?: unknown;
  lineItems?: { pageInfo?: { hasNextPage?: boolean; endCursor?: string | null }; nodes: unknown[] };
  [field: string]: unknown;
}
interface CountValue {
  count: number;
  precision: "EXACT" | "AT_LEAST";
}

export class ShopifyConnector {
  readonly channel = "shopify" as const;
  private readonly client: AdminGraphqlClient;
  private readonly pageSizes: typeof DEFAULT_PAGE_SIZES;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly fetchImpl: typeof fetch;

  constructor(options: ShopifyConnectorOptions) {
    this.client = options.client;
    this.pageSizes = { ...DEFAULT_PAGE_SIZES, ...options.pageSizes };
    this.sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
  }

  // ---------- import ----------

  async importLocations(options: { onProgress?: OnProgress; onPage?: OnPage<ShopifyLocation> } = {}): Promise<ConnectorResult<ShopifyLocation[]>> {
    const first = this.pageSizes.locations;
    return this.paginate<ShopifyLocation, { locations: Connection<ShopifyLocation>; locationsCount: CountValue | null }>(
      "locations",
      LOCATIONS_QUERY,
      { first },
      (data) => data.locations,
      (data) => pagesFor(data.locationsCount, first),
      options.onProgress,
      options.onPage,
    );
  }

  /** Products in the shop, or null when Shopify only gives a lower bound. */
  async countProducts(): Promise<ConnectorResult<{ count: number; exact: boolean }>> {
    const result = await this.client.request<{ productsCount: CountValue | null }>(PRODUCTS_COUNT_QUERY, {});
    if (!result.ok) return fromApiFailure(result);
    const value = result.data.productsCount;
    return ok({ count: value?.count ?? 0, exact: value?.precision === "EXACT" });
  }

  async importProducts(options: { onProgress?: OnProgress; onPage?: OnPage<ShopifyProduct> } = {}): Promise<ConnectorResult<ShopifyProduct[]>> {
    type RawVariant = { id: string; sku: string | null; title: string; price: string; inventoryItem: { id: string; tracked: boolean } };
    type RawProduct = { id: string; title: string; status: string; variants: Connection<RawVariant> };
    const first = this.pageSizes.products;
    const products: ShopifyProduct[] = [];
    // Each page's products are completed (all their variants) before the page is handed on.
    let completion: ConnectorResult<ShopifyProduct[]> = ok([]);
    const complete = async (page: RawProduct[]): Promise<ConnectorResult<ShopifyProduct[]>> => {
      const done: ShopifyProduct[] = [];
      for (const p of page) {
        const variants = p.variants.nodes.map(toVariant);
        if (p.variants.pageInfo.hasNextPage) {
          const rest = await this.allVariantsOf(p.id);
          if (!rest.ok) return rest;
          const seen = new Set(variants.map((v) => v.id));
          variants.push(...rest.value.filter((v) => !seen.has(v.id)));
        }
        done.push({ id: p.id, title: p.title, status: p.status, variants });
      }
      return ok(done);
    };
    const pages = await this.paginate<RawProduct, { products: Connection<RawProduct>; productsCount: CountValue | null }>(
      "products",
      PRODUCTS_QUERY,
      { first, variantsFirst: this.pageSizes.variantsPerProduct },
      (data) => data.products,
      (data) => pagesFor(data.productsCount, first),
      options.onProgress,
      async (page) => {
        completion = await complete(page);
        if (!completion.ok) throw new PageAbort();
        products.push(...completion.value);
        await options.onPage?.(completion.value);
      },
    );
    if (!completion.ok) return completion;
    if (!pages.ok) return pages;
    return ok(products);
  }

  private async allVariantsOf(productGid: string): Promise<ConnectorResult<ShopifyVariant[]>> {
    type RawVariant = { id: string; sku: string | null; title: string; price: string; inventoryItem: { id: string; tracked: boolean } };
    // productVariants has its own cursor space (and order), so the search reads the whole
    // product and the caller drops what the nested page already returned.
    const numericId = productGid.split("/").pop();
    const all = await this.paginate<RawVariant, { productVariants: Connection<RawVariant> }>(
      "products",
      PRODUCT_VARIANTS_QUERY,
      { first: 250, query: `product_id:${numericId}` },
      (data) => data.productVariants,
      () => null,
      undefined,
    );
    if (!all.ok) return all;
    return ok(all.value.map(toVariant));
  }

  /**
   * Starts a bulk export of the catalogue (Shopify runs it asynchronously and writes JSONL);
   * for catalogues where paging would take thousands of requests.
   */
  async startBulkCatalogueExport(): Promise<ConnectorResult<{ bulkOperationId: string }>> {
    type Data = { bulkOperationRunQuery: { bulkOperation: { id: string; status: string } | null; userErrors: ShopifyUserError[] } | null };
    const result = await this.client.request<Data>(BULK_OPERATION_RUN_QUERY_MUTATION, { query: BULK_PRODUCTS_INNER_QUERY });
    if (!result.ok) return fromApiFailure(result);
    const payload = result.data.bulkOperationRunQuery;
    if (!payload || payload.userErrors.length > 0 || !payload.bulkOperation) {
      return err("user_errors", describeUserErrors(payload?.userErrors ?? []) || "no bulk operation returned");
    }
    return ok({ bulkOperationId: payload.bulkOperation.id });
  }

  async bulkOperationStatus(id: string): Promise<ConnectorResult<BulkOperationStatus>> {
    const result = await this.client.request<{ bulkOperation: BulkOperationStatus | null }>(BULK_OPERATION_STATUS_QUERY, { id });
    if (!result.ok) return fromApiFailure(result);
    if (!result.data.bulkOperation) return err("not_found", `bulk operation ${id} not found`);
    return ok(result.data.bulkOperation);
  }

  /** Polls until the bulk operation finishes, then downloads and regroups its JSONL. */
  async awaitBulkCatalogue(
    id: string,
    options: { pollIntervalMs?: number; timeoutMs?: number } = {},
  ): Promise<ConnectorResult<ShopifyProduct[]>> {
    const interval = options.pollIntervalMs ?? 2000;
    const deadline = options.timeoutMs ?? 30 * 60_000;
    for (let waited = 0; ; waited += interval) {
      const status = await this.bulkOperationStatus(id);
      if (!status.ok) return status;
      const op = status.value;
      if (op.status === "COMPLETED") {
        // An empty catalogue completes with no file at all.
        if (!op.url) return ok([]);
        return this.downloadBulkCatalogue(op.url);
      }
      if (op.status === "FAILED" || op.status === "CANCELED" || op.status === "EXPIRED") {
        return err("bulk_operation_failed", `bulk operation ${id} ended ${op.status}${op.errorCode ? ` (${op.errorCode})` : ""}`);
      }
      if (waited >= deadline) return err("bulk_operation_timeout", `bulk operation ${id} still ${op.status}`);
      await this.sleep(interval);
    }
  }

  /** JSONL: one object per line, children after their parent and linked by `__parentId`. */
  async downloadBulkCatalogue(url: string): Promise<ConnectorResult<ShopifyProduct[]>> {
    let text: string;
    try {
      const response = await this.fetchImpl(url);
      if (!response.ok) return err("http_error", `bulk result download answered HTTP ${response.status}`);
      text = await response.text();
    } catch (error) {
      return err("network_error", String(error));
    }
    return parseBulkCatalogue(text);
  }

  async importInventoryLevels(
    locationIds: readonly string[],
    options: { onProgress?: OnProgress; onPage?: OnPage<ShopifyInventoryLevel> } = {},
  ): Promise<ConnectorResult<ShopifyInventoryLevel[]>> {
    type RawLevel = { id: string; item: { id: string; sku: string | null }; quantities: { name: string; quantity: number }[] };
    type Data = { location: { id: string; inventoryLevels: Connection<RawLevel> } | null };
    const levels: ShopifyInventoryLevel[] = [];
    let done = 0;
    for (const locationId of locationIds) {
      let after: string | null = null;
      for (;;) {
        const result: Awaited<ReturnType<AdminGraphqlClient["request"]>> = await this.client.request<Data>(
          LOCATION_INVENTORY_LEVELS_QUERY,
          { locationId, first: this.pageSizes.inventoryLevels, after },
        );
        if (!result.ok) return fromApiFailure(result);
        const data = result.data as Data;
        if (!data.location) return err("not_found", `location ${locationId} not found`);
        const pageLevels: ShopifyInventoryLevel[] = [];
        for (const level of data.location.inventoryLevels.nodes) {
          const q = (name: string) => level.quantities.find((x) => x.name === name)?.quantity ?? 0;
          pageLevels.push({
            locationId,
            inventoryItemId: level.item.id,
            sku: level.item.sku,
            available: q("available"),
            onHand: q("on_hand"),
            committed: q("committed"),
          });
        }
        levels.push(...pageLevels);
        await options.onPage?.(pageLevels);
        done++;
        options.onProgress?.({ resource: "inventory_levels", done, total: null });
        const page = data.location.inventoryLevels.pageInfo;
        if (!page.hasNextPage || !page.endCursor) break;
        after = page.endCursor;
      }
    }
    return ok(levels);
  }

  // ---------- orders ----------

  /**
   * One page of orders changed since the cursor. The cursor remembers the newest `updatedAt`
   * seen, so polling never misses a change; the boundary is inclusive (`>=`) because two
   * orders can share a second, which means the newest order is re-read on the next poll —
   * harmless, since orders are upserted by (shop, channel, external id) and sourceUpdatedAt.
   */
  async fetchOrders(
    cursor: string | null,
    options: { updatedSince?: Date; pageSize?: number } = {},
  ): Promise<ConnectorResult<FetchOrdersPage>> {
    const state = cursor === null ? { since: options.updatedSince?.toISOString() ?? null, after: null, maxSeen: null } : decodeCursor(cursor);
    if (!state) return err("invalid_cursor", "the order cursor is not one this connector issued");

    type Data = { orders: Connection<RawOrderNode> };
    const result = await this.client.request<Data>(ORDERS_QUERY, {
      first: Math.max(1, Math.min(options.pageSize ?? this.pageSizes.orders, this.pageSizes.orders)),
      after: state.after,
      query: ordersSearch(state.since),
      lineItemsFirst: this.pageSizes.lineItemsPerOrder,
    });
    if (!result.ok) return fromApiFailure(result);

    const orders: UnifiedOrder[] = [];
    const sourceNodes: unknown[] = [];
    const rejected: RejectedOrder[] = [];
    let maxSeen = state.maxSeen;
    for (const raw of result.data.orders.nodes) {
      if (typeof raw.updatedAt === "string" && (maxSeen === null || raw.updatedAt > maxSeen)) maxSeen = raw.updatedAt;
      const node = await this.withAllLineItems(raw);
      if (!node.ok) return node;
      const mapped = mapShopifyGraphqlOrder(node.value);
      if (mapped.ok) {
        orders.push(mapped.value);
        sourceNodes.push(node.value);
      } else rejected.push({ externalId: typeof raw.id === "string" ? raw.id : null, reason: mapped.reason, detail: mapped.detail ?? "", raw });
    }
    const page = result.data.orders.pageInfo;
    const hasMore = page.hasNextPage && page.endCursor !== null;
    const next: OrderCursor = hasMore
      ? { since: state.since, after: page.endCursor, maxSeen }
      : { since: maxSeen !== null ? normaliseIso(maxSeen) : state.since, after: null, maxSeen: null };
    return ok({ orders, sourceNodes, rejected, nextCursor: encodeCursor(next), hasMore });
  }

  /** Completes an order whose nested line-item page was full, so no order is mapped partially. */
  private async withAllLineItems(node: RawOrderNode): Promise<ConnectorResult<RawOrderNode>> {
    const lineItems = node.lineItems;
    if (!lineItems?.pageInfo?.hasNextPage || typeof node.id !== "string") return ok(node);
    const nodes = [...lineItems.nodes];
    let after = lineItems.pageInfo.endCursor ?? null;
    while (after) {
      type Data = { order: { lineItems: Connection<unknown> } | null };
      const page: Awaited<ReturnType<AdminGraphqlClient["request"]>> = await this.client.request<Data>(ORDER_LINE_ITEMS_QUERY, {
        orderId: node.id,
        first: 100,
        after,
      });
      if (!page.ok) return fromApiFailure(page);
      const order = (page.data as Data).order;
      if (!order) return err("not_found", `order ${node.id} disappeared while its lines were read`);
      nodes.push(...order.lineItems.nodes);
      after = order.lineItems.pageInfo.hasNextPage ? order.lineItems.pageInfo.endCursor : null;
    }
    return ok({ ...node, lineItems: { pageInfo: { hasNextPage: false, endCursor: null }, nodes } });
  }

  /** Imports every order changed since `updatedSince` (all orders when omitted). */
  async importOrders(
    options: { updatedSince?: Date; onProgress?: OnProgress; onPage?: (page: { orders: UnifiedOrder[]; sourceNodes: unknown[]; rejected: RejectedOrder[] }) => Promise<void> } = {},
  ): Promise<ConnectorResult<{ orders: UnifiedOrder[]; rejected: RejectedOrder[]; nextCursor: string }>> {
    const count = await this.client.request<{ ordersCount: CountValue | null }>(ORDERS_COUNT_QUERY, {
      query: ordersSearch(options.updatedSince?.toISOString() ?? null),
    });
    const total = count.ok ? pagesFor(count.data.ordersCount, this.pageSizes.orders) : null;
    const orders: UnifiedOrder[] = [];
    const rejected: RejectedOrder[] = [];
    let cursor: string | null = null;
    for (let done = 1; ; done++) {
      const page: ConnectorResult<FetchOrdersPage> = await this.fetchOrders(cursor, options.updatedSince ? { updatedSince: options.updatedSince } : {});
      if (!page.ok) return page;
      orders.push(...page.value.orders);
      rejected.push(...page.value.rejected);
      await options.onPage?.({ orders: page.value.orders, sourceNodes: page.value.sourceNodes, rejected: page.value.rejected });
      cursor = page.value.nextCursor;
      options.onProgress?.({ resource: "orders", done, total: total === null ? null : Math.max(total, done) });
      if (!page.value.hasMore) return ok({ orders, rejected, nextCursor: cursor });
    }
  }

  // ---------- stock ----------

  pushAvailable(items: readonly AvailablePushItem[], options: { referenceDocumentUri: string }): Promise<AvailablePushOutcome[]> {
    return pushAvailableQuantities(this.client, items, options);
  }

  // ---------- fulfillment and cancellation ----------

  async confirmFulfillment(
    input: ConfirmFulfillmentInput,
  ): Promise<ConnectorResult<{ fulfillmentId: string; status: string; alreadyConfirmed: boolean }>> {
    type FoLine = { id: string; sku: string | null; remainingQuantity: number; totalQuantity: number; lineItem: { id: string } };
    type Fo = {
      id: string;
      status: string;
      assignedLocation: { name: string; location: { id: string } | null };
      lineItems: { pageInfo: { hasNextPage: boolean }; nodes: FoLine[] };
    };
    type ExistingFulfillment = { id: string; status: string; trackingInfo: { company: string | null; number: string | null }[] };
    const fos = await this.client.request<{
      order: { id: string; fulfillments: ExistingFulfillment[]; fulfillmentOrders: { pageInfo: { hasNextPage: boolean }; nodes: Fo[] } } | null;
    }>(
      ORDER_FULFILLMENT_ORDERS_QUERY,
      { orderId: input.orderId },
    );
    if (!fos.ok) return fromApiFailure(fos);
    if (!fos.data.order) return err("not_found", `order ${input.orderId} not found`);
    // A retried job must not ship twice: the same tracking number means it was already confirmed.
    const ignored = new Set(input.ignoreFulfillmentIds ?? []);
    const existing = fos.data.order.fulfillments.find(
      (f) => !ignored.has(f.id) && f.trackingInfo.some((t) => t.number === input.tracking.number),
    );
    if (existing) return ok({ fulfillmentId: existing.id, status: existing.status, alreadyConfirmed: true });
    const page = fos.data.order.fulfillmentOrders;
    if (page.pageInfo.hasNextPage || page.nodes.some((fo) => fo.lineItems.pageInfo.hasNextPage)) {
      // Confirming from a partial view could mark the wrong lines shipped; a person must look.
      return err("order_too_large", `order ${input.orderId} has more fulfillment orders or lines than one read returns`);
    }

    // Only fulfillment orders that can still ship; closed or cancelled ones refuse fulfillments.
    const open = page.nodes.filter(
      (fo) =>
        (fo.status === "OPEN" || fo.status === "IN_PROGRESS") &&
        (!input.locationId || fo.assignedLocation.location?.id === input.locationId) &&
        fo.lineItems.nodes.some((l) => l.remainingQuantity > 0),
    );
    const locations = new Set(open.map((fo) => fo.assignedLocation.location?.id ?? fo.assignedLocation.name));
    if (locations.size > 1) {
      // One fulfillment is one parcel from one place; Shopify refuses mixing locations.
      return err("ambiguous_location", `order ${input.orderId} ships from ${locations.size} locations; pass locationId`);
    }

    const wanted = input.lines ? new Map(input.lines.map((l) => [l.lineItemId, l.quantity])) : undefined;
    const lineItemsByFulfillmentOrder = open
      .map((fo) => {
        const lines = fo.lineItems.nodes
          .filter((l) => l.remainingQuantity > 0)
          .map((l) => {
            if (!wanted) return { id: l.id, quantity: l.remainingQuantity };
            const left = wanted.get(l.lineItem.id) ?? 0;
            const quantity = Math.min(left, l.remainingQuantity);
            if (quantity > 0) wanted.set(l.lineItem.id, left - quantity);
            return { id: l.id, quantity };
          })
          .filter((l) => l.quantity > 0);
        return { fulfillmentOrderId: fo.id, fulfillmentOrderLineItems: lines };
      })
      .filter((g) => g.fulfillmentOrderLineItems.length > 0);
    if (lineItemsByFulfillmentOrder.length === 0) {
      return err("nothing_to_fulfill", `order ${input.orderId} has nothing left to fulfil${input.locationId ? " at that location" : ""}`);
    }
    const unplaced = wanted ? [...wanted.entries()].filter(([, q]) => q > 0) : [];
    if (unplaced.length > 0) {
      return err("nothing_to_fulfill", `more requested than remains for ${unplaced.map(([id, q]) => `${id} (${q})`).join(", ")}`);
    }

    type Data = { fulfillmentCreate: { fulfillment: { id: string; status: string } | null; userErrors: ShopifyUserError[] } | null };
    const created = await this.client.request<Data>(FULFILLMENT_CREATE_MUTATION, {
      fulfillment: {
        notifyCustomer: input.notifyCustomer,
        trackingInfo: {
          company: input.tracking.company,
          number: input.tracking.number,
          ...(input.tracking.url ? { url: input.tracking.url } : {}),
        },
        lineItemsByFulfillmentOrder,
      },
    });
    if (!created.ok) return fromApiFailure(created);
    const payload = created.data.fulfillmentCreate;
    if (!payload || payload.userErrors.length > 0 || !payload.fulfillment) {
      return err("user_errors", describeUserErrors(payload?.userErrors ?? []) || "fulfillmentCreate returned no fulfillment");
    }
    return ok({ fulfillmentId: payload.fulfillment.id, status: payload.fulfillment.status, alreadyConfirmed: false });
  }

  async cancelOrder(input: CancelOrderInput): Promise<ConnectorResult<{ jobId: string | null; alreadyCancelled: boolean }>> {
    const current = await this.client.request<{ order: { id: string; cancelledAt: string | null } | null }>(ORDER_CANCEL_STATE_QUERY, {
      orderId: input.orderId,
    });
    if (!current.ok) return fromApiFailure(current);
    if (!current.data.order) return err("not_found", `order ${input.orderId} not found`);
    // Cancelling twice is a retry, not a mistake (rule 5).
    if (current.data.order.cancelledAt) return ok({ jobId: null, alreadyCancelled: true });

    type Data = { orderCancel: { job: { id: string; done: boolean } | null; orderCancelUserErrors: ShopifyUserError[] } | null };
    const result = await this.client.request<Data>(ORDER_CANCEL_MUTATION, {
      orderId: input.orderId,
      reason: input.reason,
      restock: input.restock,
      // Refunds are a merchant decision taken in Shopify; cancelling from Switchyard never moves money.
      refundMethod: { originalPaymentMethodsRefund: false },
      notifyCustomer: input.notifyCustomer ?? false,
      staffNote: input.staffNote ?? null,
    });
    if (!result.ok) return fromApiFailure(result);
    const payload = result.data.orderCancel;
    if (!payload) return err("user_errors", "orderCancel returned null");
    if (payload.orderCancelUserErrors.length > 0) {
      const notFound = payload.orderCancelUserErrors.some((e) => e.code === "NOT_FOUND");
      return err(notFound ? "not_found" : "user_errors", describeUserErrors(payload.orderCancelUserErrors));
    }
    return ok({ jobId: payload.job?.id ?? null, alreadyCancelled: false });
  }

  // ---------- paging ----------

  private async paginate<N, D>(
    resource: ImportProgress["resource"],
    document: string,
    variables: Record<string, unknown>,
    connectionOf: (data: D) => Connection<N>,
    totalPagesOf: (data: D) => number | null,
    onProgress: OnProgress | undefined,
    onPage?: OnPage<N>,
  ): Promise<ConnectorResult<N[]>> {
    const nodes: N[] = [];
    let after: string | null = null;
    let total: number | null = null;
    for (let done = 1; ; done++) {
      const result: Awaited<ReturnType<AdminGraphqlClient["request"]>> = await this.client.request<D>(document, { ...variables, after });
      if (!result.ok) return fromApiFailure(result);
      const data = result.data as D;
      if (done === 1) total = totalPagesOf(data);
      const connection = connectionOf(data);
      nodes.push(...connection.nodes);
      if (onPage) {
        try {
          await onPage(connection.nodes);
        } catch (error) {
          // The page handler already recorded its own failure; stop paging without one more request.
          if (error instanceof PageAbort) return ok(nodes);
          throw error;
        }
      }
      onProgress?.({ resource, done, total: total === null ? null : Math.max(total, done) });
      if (!connection.pageInfo.hasNextPage || !connection.pageInfo.endCursor) return ok(nodes);
      after = connection.pageInfo.endCursor;
    }
  }
}

/** Thrown by an internal page handler to stop paging; never escapes the connector. */
class PageAbort extends Error {}

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

/** Regroups bulk JSONL (products, then variants carrying `__parentId`) into products. */
export function parseBulkCatalogue(jsonl: string): ConnectorResult<ShopifyProduct[]> {
  const products = new Map<string, ShopifyProduct>();
  const lines = jsonl.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (!line) continue;
    let row: Record<string, unknown>;
    try {
      row = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return err("http_error", `bulk result line ${i + 1} is not JSON`);
    }
    const id = String(row.id ?? "");
    if (id.startsWith("gid://shopify/Product/")) {
      products.set(id, { id, title: String(row.title ?? ""), status: String(row.status ?? ""), variants: [] });
    } else if (id.startsWith("gid://shopify/ProductVariant/")) {
      const parent = products.get(String(row.__parentId ?? ""));
      if (!parent) return err("http_error", `bulk result line ${i + 1}: variant before its product`);
      parent.variants.push(toVariant(row as unknown as Parameters<typeof toVariant>[0]));
    }
  }
  return ok([...products.values()]);
}

// ---------- helpers ----------

function toVariant(v: { id: string; sku: string | null; title: string; price: string; inventoryItem: { id: string; tracked: boolean } }): ShopifyVariant {
  return { id: v.id, sku: v.sku, title: v.title, price: v.price, inventoryItemId: v.inventoryItem.id, tracked: v.inventoryItem.tracked };
}

function pagesFor(count: CountValue | null, pageSize: number): number | null {
  // AT_LEAST means Shopify stopped counting; a lower bound would make progress bars lie.
  if (!count || count.precision !== "EXACT") return null;
  return Math.max(1, Math.ceil(count.count / pageSize));
}

function fromApiFailure(failure: AdminApiFailure): ConnectorResult<never> {
  return err(failure.reason, failure.detail);
}

interface OrderCursor {
  since: string | null;
  after: string | null;
  maxSeen: string | null;
}

function encodeCursor(cursor: OrderCursor): string {
  return Buffer.from(JSON.stringify({ v: 1, ...cursor })).toString("base64url");
}

function decodeCursor(text: string): OrderCursor | undefined {
  try {
    const raw = JSON.parse(Buffer.from(text, "base64url").toString("utf8")) as Record<string, unknown>;
    const field = (k: string) => (raw[k] === null || typeof raw[k] === "string" ? (raw[k] as string | null) : undefined);
    const since = field("since");
    const after = field("after");
    const maxSeen = field("maxSeen");
    if (raw.v !== 1 || since === undefined || after === undefined || maxSeen === undefined) return undefined;
    return { since, after, maxSeen };
  } catch {
    return undefined;
  }
}

function normaliseIso(value: string): string {
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : date.toISOString();
}

function ordersSearch(since: string | null): string | null {
  return since ? `updated_at:>='${since}'` : null;
}
