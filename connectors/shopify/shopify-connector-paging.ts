import { err, ok } from "../../core/shared/result.js";
import type { AdminApiFailure, AdminGraphqlClient } from "./admin-graphql-client.js";
import type { ConnectorResult, ImportProgress, OnPage, OnProgress, ShopifyVariant } from "./shopify-connector-types.js";

/** Paging and mapping helpers shared by the connector's catalogue, bulk and order modules. */

// Chosen so each page's requested cost (objects 1, connections 2 + n x node) stays under
// Shopify's 1000-point single-query cap: e.g. 5 orders x 15 lines is about 870 points.
export const DEFAULT_PAGE_SIZES = {
  locations: 100,
  products: 25,
  variantsPerProduct: 10,
  inventoryLevels: 100,
  orders: 5,
  lineItemsPerOrder: 15,
};
export type PageSizes = typeof DEFAULT_PAGE_SIZES;

export interface Connection<N> {
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  nodes: N[];
}
export interface CountValue {
  count: number;
  precision: "EXACT" | "AT_LEAST";
}

export async function paginate<N, D>(
  client: AdminGraphqlClient,
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
    const result: Awaited<ReturnType<AdminGraphqlClient["request"]>> = await client.request<D>(document, { ...variables, after });
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

/** Thrown by an internal page handler to stop paging; never escapes the connector. */
export class PageAbort extends Error {}

export function toVariant(v: { id: string; sku: string | null; title: string; price: string; inventoryItem: { id: string; tracked: boolean } }): ShopifyVariant {
  return { id: v.id, sku: v.sku, title: v.title, price: v.price, inventoryItemId: v.inventoryItem.id, tracked: v.inventoryItem.tracked };
}

export function pagesFor(count: CountValue | null, pageSize: number): number | null {
  // AT_LEAST means Shopify stopped counting; a lower bound would make progress bars lie.
  if (!count || count.precision !== "EXACT") return null;
  return Math.max(1, Math.ceil(count.count / pageSize));
}

export function fromApiFailure(failure: AdminApiFailure): ConnectorResult<never> {
  return err(failure.reason, failure.detail);
}
