import { err, ok } from "../../core/shared/result.js";
import { describeUserErrors, type AdminGraphqlClient, type ShopifyUserError } from "./admin-graphql-client.js";
import { BULK_OPERATION_RUN_QUERY_MUTATION, BULK_OPERATION_STATUS_QUERY, BULK_PRODUCTS_INNER_QUERY } from "./graphql-documents.js";
import type { BulkOperationStatus, ConnectorResult, ShopifyProduct } from "./shopify-connector-types.js";
import { fromApiFailure, toVariant } from "./shopify-connector-paging.js";

/** Catalogue export through a Shopify bulk operation: start, poll, download and regroup the JSONL. */

/** Injected by the connector so polling does not sleep in tests and downloads can be faked. */
export interface BulkCatalogueDeps {
  sleep: (ms: number) => Promise<void>;
  fetchImpl: typeof fetch;
}

/**
 * Starts a bulk export of the catalogue (Shopify runs it asynchronously and writes JSONL);
 * for catalogues where paging would take thousands of requests.
 */
export async function startBulkCatalogueExport(client: AdminGraphqlClient): Promise<ConnectorResult<{ bulkOperationId: string }>> {
  type Data = { bulkOperationRunQuery: { bulkOperation: { id: string; status: string } | null; userErrors: ShopifyUserError[] } | null };
  const result = await client.request<Data>(BULK_OPERATION_RUN_QUERY_MUTATION, { query: BULK_PRODUCTS_INNER_QUERY });
  if (!result.ok) return fromApiFailure(result);
  const payload = result.data.bulkOperationRunQuery;
  if (!payload || payload.userErrors.length > 0 || !payload.bulkOperation) {
    return err("user_errors", describeUserErrors(payload?.userErrors ?? []) || "no bulk operation returned");
  }
  return ok({ bulkOperationId: payload.bulkOperation.id });
}

export async function bulkOperationStatus(client: AdminGraphqlClient, id: string): Promise<ConnectorResult<BulkOperationStatus>> {
  const result = await client.request<{ bulkOperation: BulkOperationStatus | null }>(BULK_OPERATION_STATUS_QUERY, { id });
  if (!result.ok) return fromApiFailure(result);
  if (!result.data.bulkOperation) return err("not_found", `bulk operation ${id} not found`);
  return ok(result.data.bulkOperation);
}

/** Polls until the bulk operation finishes, then downloads and regroups its JSONL. */
export async function awaitBulkCatalogue(
  client: AdminGraphqlClient,
  deps: BulkCatalogueDeps,
  id: string,
  options: { pollIntervalMs?: number; timeoutMs?: number } = {},
): Promise<ConnectorResult<ShopifyProduct[]>> {
  const interval = options.pollIntervalMs ?? 2000;
  const deadline = options.timeoutMs ?? 30 * 60_000;
  for (let waited = 0; ; waited += interval) {
    const status = await bulkOperationStatus(client, id);
    if (!status.ok) return status;
    const op = status.value;
    if (op.status === "COMPLETED") {
      // An empty catalogue completes with no file at all.
      if (!op.url) return ok([]);
      return downloadBulkCatalogue(deps.fetchImpl, op.url);
    }
    if (op.status === "FAILED" || op.status === "CANCELED" || op.status === "EXPIRED") {
      return err("bulk_operation_failed", `bulk operation ${id} ended ${op.status}${op.errorCode ? ` (${op.errorCode})` : ""}`);
    }
    if (waited >= deadline) return err("bulk_operation_timeout", `bulk operation ${id} still ${op.status}`);
    await deps.sleep(interval);
  }
}

/** JSONL: one object per line, children after their parent and linked by `__parentId`. */
export async function downloadBulkCatalogue(fetchImpl: typeof fetch, url: string): Promise<ConnectorResult<ShopifyProduct[]>> {
  let text: string;
  try {
    const response = await fetchImpl(url);
    if (!response.ok) return err("http_error", `bulk result download answered HTTP ${response.status}`);
    text = await response.text();
  } catch (error) {
    return err("network_error", String(error));
  }
  return parseBulkCatalogue(text);
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
