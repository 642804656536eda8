import type { StockPushItem, StockPushItemResult, StockPushResult, StockReadItem, StockReadResult } from "../../core/ports/stock-pusher-port.js";
import { err, ok, type Ok } from "../../core/shared/result.js";
import type { ChannelFailure } from "../../core/ports/channel-connector-port.js";
import type { EbaySession } from "./ebay-client.js";

/**
 * Stock to eBay with the Inventory API's bulkUpdatePriceQuantity: the ship-to-home quantity of
 * up to 25 inventory items (by SKU) per call. eBay answers 200 when every item was updated and
 * 207 when some were not, with one `responses[]` entry per item carrying its own statusCode and
 * errors; each is mapped to its item, so one bad SKU never fails the others.
 */

export const EBAY_BULK_PRICE_QUANTITY_LIMIT = 25;

interface PriceQuantityResponse {
  statusCode?: number;
  sku?: string;
  offerId?: string;
  errors?: { errorId?: number; message?: string }[];
}

export async function pushEbayStock(session: EbaySession, batch: readonly StockPushItem[]): Promise<StockPushResult> {
  const results = new Map<string, StockPushItemResult>();
  let failure: ChannelFailure | undefined;
  for (let start = 0; start < batch.length; start += EBAY_BULK_PRICE_QUANTITY_LIMIT) {
    const chunk = batch.slice(start, start + EBAY_BULK_PRICE_QUANTITY_LIMIT);
    const answer = await session.call(
      (api) =>
        api.sell.inventory.bulkUpdatePriceQuantity({
          requests: chunk.map((item) => ({ sku: item.externalId, shipToLocationAvailability: { quantity: Math.max(0, item.available) } })),
        }) as Promise<{ responses?: PriceQuantityResponse[] }>,
    );
    if (!answer.ok) {
      failure = answer;
      const status = answer.reason === "rejected" ? "rejected" : "not_applied";
      for (const item of chunk) results.set(item.key, { key: item.key, status, problem: answer.detail ?? answer.reason });
      continue;
    }
    const bySku = new Map((answer.value.responses ?? []).map((r) => [r.sku, r]));
    for (const item of chunk) {
      const response = bySku.get(item.externalId);
      if (!response) results.set(item.key, { key: item.key, status: "not_applied", problem: "eBay returned no result for this SKU" });
      else if (response.statusCode === 200 && !response.errors?.length) results.set(item.key, { key: item.key, status: "applied" });
      else {
        const problem = (response.errors ?? []).map((e) => `${e.errorId ?? "?"}: ${e.message ?? ""}`).join("; ") || `status ${response.statusCode}`;
        // 5xx per item is eBay's own trouble: retry it; anything else is about the item.
        results.set(item.key, { key: item.key, status: (response.statusCode ?? 500) >= 500 ? "not_applied" : "rejected", problem });
      }
    }
  }
  const ordered = batch.map((item) => results.get(item.key)!);
  if (failure && failure.reason !== "rejected" && ordered.every((r) => r.status === "not_applied")) return failure;
  return { ok: true, value: ordered };
}

interface InventoryItemResponse {
  statusCode?: number;
  sku?: string;
  inventoryItem?: { availability?: { shipToLocationAvailability?: { quantity?: number } } };
  errors?: { errorId?: number; message?: string }[];
}

/**
 * What eBay shows for each SKU (reconciliation): bulkGetInventoryItem, up to 25 SKUs a call,
 * the ship-to-home quantity of each. A SKU eBay does not know (25702) reads as null; any other
 * per-item error fails the read rather than passing for a figure.
 */
export async function readEbayStock(session: EbaySession, items: readonly StockReadItem[]): Promise<Ok<readonly StockReadResult[]> | ChannelFailure> {
  const results: StockReadResult[] = [];
  for (let start = 0; start < items.length; start += EBAY_BULK_PRICE_QUANTITY_LIMIT) {
    const chunk = items.slice(start, start + EBAY_BULK_PRICE_QUANTITY_LIMIT);
    const answer = await session.call(
      (api) => api.sell.inventory.bulkGetInventoryItem({ requests: chunk.map((item) => ({ sku: item.externalId })) }) as Promise<{ responses?: InventoryItemResponse[] }>,
    );
    if (!answer.ok) return answer;
    const bySku = new Map((answer.value.responses ?? []).map((r) => [r.sku, r]));
    for (const item of chunk) {
      const response = bySku.get(item.externalId);
      if (response?.statusCode === 200) {
        const quantity = response.inventoryItem?.availability?.shipToLocationAvailability?.quantity;
        results.push({ key: item.key, available: typeof quantity === "number" ? quantity : 0 });
      } else if (response?.statusCode === 404 || response?.errors?.some((e) => e.errorId === 25702)) {
        results.push({ key: item.key, available: null });
      } else {
        const problem = (response?.errors ?? []).map((e) => `${e.errorId ?? "?"}: ${e.message ?? ""}`).join("; ") || `no answer for SKU ${item.externalId}`;
        return err("unavailable", `bulkGetInventoryItem: ${problem}`);
      }
    }
  }
  return ok(results);
}
