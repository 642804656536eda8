import { err, ok } from "../../core/shared/result.js";
import type { UnifiedOrder } from "../../core/orders/unified-order.js";
import type { AdminGraphqlClient } from "./admin-graphql-client.js";
import { ORDERS_COUNT_QUERY, ORDERS_QUERY, ORDER_LINE_ITEMS_QUERY } from "./graphql-documents.js";
import type { ConnectorResult, FetchOrdersPage, OnProgress, RejectedOrder } from "./shopify-connector-types.js";
import { fromApiFailure, pagesFor, type Connection, type CountValue, type PageSizes } from "./shopify-connector-paging.js";
import { mapShopifyGraphqlOrder } from "./shopify-order-mapper.js";

/** Order polling with a forward-only cursor, completing orders whose line items span pages. */

/** Only what the connector itself reads; the mapper validates the full node. */
interface RawOrderNode {
  id?: unknown;
  updatedAt?: unknown;
  lineItems?: { pageInfo?: { hasNextPage?: boolean; endCursor?: string | null }; nodes: unknown[] };
  [field: string]: unknown;
}

/**
 * One page of orders changed since the cursor. The cursor remembers the newest `updatedAt`
 * seen, so polling never misses a change; the boundary is inclusive (`>=`) because two
 * orders can share a second, which means the newest order is re-read on the next poll —
 * harmless, since orders are upserted by (shop, channel, external id) and sourceUpdatedAt.
 */
export async function fetchOrders(
  client: AdminGraphqlClient,
  pageSizes: PageSizes,
  cursor: string | null,
  options: { updatedSince?: Date; pageSize?: number } = {},
): Promise<ConnectorResult<FetchOrdersPage>> {
  const state = cursor === null ? { since: options.updatedSince?.toISOString() ?? null, after: null, maxSeen: null } : decodeCursor(cursor);
  if (!state) return err("invalid_cursor", "the order cursor is not one this connector issued");

  type Data = { orders: Connection<RawOrderNode> };
  const result = await client.request<Data>(ORDERS_QUERY, {
    first: Math.max(1, Math.min(options.pageSize ?? pageSizes.orders, pageSizes.orders)),
    after: state.after,
    query: ordersSearch(state.since),
    lineItemsFirst: pageSizes.lineItemsPerOrder,
  });
  if (!result.ok) return fromApiFailure(result);

  const orders: UnifiedOrder[] = [];
  const sourceNodes: unknown[] = [];
  const rejected: RejectedOrder[] = [];
  let maxSeen = state.maxSeen;
  for (const raw of result.data.orders.nodes) {
    if (typeof raw.updatedAt === "string" && (maxSeen === null || raw.updatedAt > maxSeen)) maxSeen = raw.updatedAt;
    const node = await withAllLineItems(client, raw);
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
async function withAllLineItems(client: AdminGraphqlClient, node: RawOrderNode): Promise<ConnectorResult<RawOrderNode>> {
  const lineItems = node.lineItems;
  if (!lineItems?.pageInfo?.hasNextPage || typeof node.id !== "string") return ok(node);
  const nodes = [...lineItems.nodes];
  let after = lineItems.pageInfo.endCursor ?? null;
  while (after) {
    type Data = { order: { lineItems: Connection<unknown> } | null };
    const page: Awaited<ReturnType<AdminGraphqlClient["request"]>> = await client.request<Data>(ORDER_LINE_ITEMS_QUERY, {
      orderId: node.id,
      // 90 keeps the page under the 1000-point cap now that each line also selects its variant.
      first: 90,
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
export async function importOrders(
  client: AdminGraphqlClient,
  pageSizes: PageSizes,
  options: { updatedSince?: Date; onProgress?: OnProgress; onPage?: (page: { orders: UnifiedOrder[]; sourceNodes: unknown[]; rejected: RejectedOrder[] }) => Promise<void> } = {},
): Promise<ConnectorResult<{ orders: UnifiedOrder[]; rejected: RejectedOrder[]; nextCursor: string }>> {
  const count = await client.request<{ ordersCount: CountValue | null }>(ORDERS_COUNT_QUERY, {
    query: ordersSearch(options.updatedSince?.toISOString() ?? null),
  });
  const total = count.ok ? pagesFor(count.data.ordersCount, pageSizes.orders) : null;
  const orders: UnifiedOrder[] = [];
  const rejected: RejectedOrder[] = [];
  let cursor: string | null = null;
  for (let done = 1; ; done++) {
    const page: ConnectorResult<FetchOrdersPage> = await fetchOrders(client, pageSizes, cursor, options.updatedSince ? { updatedSince: options.updatedSince } : {});
    if (!page.ok) return page;
    orders.push(...page.value.orders);
    rejected.push(...page.value.rejected);
    await options.onPage?.({ orders: page.value.orders, sourceNodes: page.value.sourceNodes, rejected: page.value.rejected });
    cursor = page.value.nextCursor;
    options.onProgress?.({ resource: "orders", done, total: total === null ? null : Math.max(total, done) });
    if (!page.value.hasMore) return ok({ orders, rejected, nextCursor: cursor });
  }
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
