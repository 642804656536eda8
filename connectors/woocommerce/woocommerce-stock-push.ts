import type { ChannelFailure } from "../../core/ports/channel-connector-port.js";
import type { StockPushItem, StockPushItemResult, StockPushResult, StockReadItem, StockReadResult } from "../../core/ports/stock-pusher-port.js";
import { ok, type Ok } from "../../core/shared/result.js";
import type { WooClient } from "./woocommerce-client.js";

/**
 * Stock to WooCommerce through the batch endpoints: simple products by `products/batch`,
 * variations by `products/<parent>/variations/batch`, at most 100 items per call (the default
 * batch limit in the products docs; a store that lowers it with the
 * `woocommerce_rest_batch_items_limit` filter answers 413, and the batch is halved and resent).
 * A listing's external id is the variation id when there is one, else the product id, so a
 * variation's parent is learnt from the variable products' `variations` lists and remembered.
 */

export const WOO_BATCH_LIMIT = 100;

type BatchAnswer = { update?: ({ id?: number; stock_quantity?: number | null; error?: { code?: string; message?: string } } | null)[] };

/** Parents never change for a variation: remembered per store for the life of the process. */
const parentCache = new Map<string, number | null>();
/** When each store's variable products were last swept. */
const sweptAt = new Map<string, number>();
const SWEEP_TTL_MS = 10 * 60_000;

export async function pushWooStock(client: WooClient, batch: readonly StockPushItem[]): Promise<StockPushResult> {
  const results = new Map<string, StockPushItemResult>();
  const groups = new Map<string, StockPushItem[]>();
  let lastFailure: ChannelFailure | undefined;
  const valid = batch.filter((item) => {
    if (/^\d+$/.test(item.externalId)) return true;
    results.set(item.key, { key: item.key, status: "rejected", problem: `"${item.externalId}" is not a WooCommerce product or variation id` });
    return false;
  });
  const resolved = await resolveParents(client, valid.map((item) => item.externalId));
  if (resolved) return resolved;
  for (const item of valid) {
    const parent = parentCache.get(cacheKey(client, item.externalId)) ?? null;
    const endpoint = parent === null ? "products/batch" : `products/${parent}/variations/batch`;
    groups.set(endpoint, [...(groups.get(endpoint) ?? []), item]);
  }
  for (const [endpoint, items] of groups) {
    for (let start = 0; start < items.length; start += WOO_BATCH_LIMIT) {
      const failure = await sendBatch(client, endpoint, items.slice(start, start + WOO_BATCH_LIMIT), results);
      if (failure) lastFailure = failure;
    }
  }
  const ordered = batch.map((item) => results.get(item.key) ?? { key: item.key, status: "not_applied" as const, problem: "no answer for this item" });
  // Nothing reached the store: the call as a whole failed, so the sync backs off and retries.
  if (lastFailure && ordered.every((r) => r.status === "not_applied")) return lastFailure;
  return { ok: true, value: ordered };
}

async function sendBatch(client: WooClient, endpoint: string, items: StockPushItem[], results: Map<string, StockPushItemResult>): Promise<ChannelFailure | undefined> {
  const answer = await client.post<BatchAnswer>(endpoint, {
    update: items.map((item) => ({ id: Number(item.externalId), manage_stock: true, stock_quantity: Math.max(0, item.available) })),
  });
  if (!answer.ok) {
    if (answer.detail?.startsWith("WooCommerce answered 413") && items.length > 1) {
      const half = Math.ceil(items.length / 2);
      const first = await sendBatch(client, endpoint, items.slice(0, half), results);
      const second = await sendBatch(client, endpoint, items.slice(half), results);
      return second ?? first;
    }
    const status = answer.reason === "rejected" || answer.reason === "not_found" ? "rejected" : "not_applied";
    for (const item of items) results.set(item.key, { key: item.key, status, problem: answer.detail ?? answer.reason });
    return status === "not_applied" ? answer : undefined;
  }
  const updates = answer.value.data.update ?? [];
  items.forEach((item, index) => {
    // WooCommerce answers in request order, one entry per item; an entry is the saved object or {id, error}.
    const entry = updates[index];
    if (!entry) results.set(item.key, { key: item.key, status: "not_applied", problem: "WooCommerce returned no result for this item" });
    else if (entry.error) {
      if (entry.error.code?.endsWith("_invalid_id")) forgetParent(client, item.externalId);
      results.set(item.key, { key: item.key, status: "rejected", problem: `${entry.error.code ?? "error"}: ${entry.error.message ?? ""}`.trim() });
    }
    else results.set(item.key, { key: item.key, status: "applied" });
  });
  return undefined;
}

/**
 * What the store shows for each listing (reconciliation): the products list (`include`, 100 per
 * page) for simple products, each variable product's variations list for variations, so a read
 * costs one call per 100 listings of a parent rather than one per listing. A listing the store
 * does not return reads as null (unknown), as does a product that does not manage its stock.
 */
export async function readWooStock(client: WooClient, items: readonly StockReadItem[]): Promise<Ok<readonly StockReadResult[]> | ChannelFailure> {
  const valid = items.filter((item) => /^\d+$/.test(item.externalId));
  const resolved = await resolveParents(client, valid.map((item) => item.externalId));
  if (resolved) return resolved;
  const groups = new Map<string, StockReadItem[]>();
  for (const item of valid) {
    const parent = parentCache.get(cacheKey(client, item.externalId)) ?? null;
    const endpoint = parent === null ? "products" : `products/${parent}/variations`;
    groups.set(endpoint, [...(groups.get(endpoint) ?? []), item]);
  }
  const shown = new Map<string, number | null>();
  for (const [endpoint, list] of groups) {
    for (let start = 0; start < list.length; start += WOO_BATCH_LIMIT) {
      const chunk = list.slice(start, start + WOO_BATCH_LIMIT);
      const answer = await client.get<{ id?: number; manage_stock?: boolean | string; stock_quantity?: number | null }[]>(endpoint, {
        include: chunk.map((item) => item.externalId).join(","),
        per_page: WOO_BATCH_LIMIT,
      });
      if (!answer.ok) return answer;
      for (const entry of Array.isArray(answer.value.data) ? answer.value.data : []) {
        if (typeof entry.id !== "number") continue;
        // A variation inherits its parent's stock when manage_stock is "parent": not a figure of its own.
        shown.set(String(entry.id), entry.manage_stock === true && typeof entry.stock_quantity === "number" ? entry.stock_quantity : null);
      }
    }
  }
  return ok(items.map((item) => ({ key: item.key, available: shown.get(item.externalId) ?? null })));
}

/**
 * Which parent each id has (null: a product). Variable products list their variation ids, so one
 * sweep of `products?type=variable` (100 per page) learns every variation's parent at once,
 * instead of one call per listing; an id no variable product claims is a product itself. A sweep
 * serves the store for SWEEP_TTL_MS: an id first seen after it is a product unless the next sweep
 * says otherwise, and a push the store refuses for an invalid id forgets the sweep (see
 * `forgetParent`), so a variation added since is found at the next push instead of every push
 * sweeping again.
 */
async function resolveParents(client: WooClient, ids: readonly string[]): Promise<ChannelFailure | undefined> {
  const unknown = ids.filter((id) => !parentCache.has(cacheKey(client, id)));
  if (unknown.length === 0) return undefined;
  const swept = sweptAt.get(client.baseUrl);
  if (swept === undefined || Date.now() - swept > SWEEP_TTL_MS) {
    for (let page = 1; ; page++) {
      const answer = await client.get<{ id: number; variations?: number[] }[]>("products", { type: "variable", per_page: WOO_BATCH_LIMIT, page });
      if (!answer.ok) return answer;
      const products = Array.isArray(answer.value.data) ? answer.value.data : [];
      for (const product of products) {
        parentCache.set(cacheKey(client, String(product.id)), null);
        for (const variation of product.variations ?? []) parentCache.set(cacheKey(client, String(variation)), product.id);
      }
      const totalPages = Number(answer.value.headers["x-wp-totalpages"] ?? "1");
      if (products.length === 0 || !(page < totalPages)) break;
    }
    sweptAt.set(client.baseUrl, Date.now());
  }
  for (const id of unknown) if (!parentCache.has(cacheKey(client, id))) parentCache.set(cacheKey(client, id), null);
  return undefined;
}

/** The store refused an id as invalid: what we believed of its parent (and the sweep) may be stale. */
function forgetParent(client: WooClient, id: string): void {
  parentCache.delete(cacheKey(client, id));
  sweptAt.delete(client.baseUrl);
}

function cacheKey(client: WooClient, id: string): string {
  return `${client.baseUrl}|${id}`;
}
