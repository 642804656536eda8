import { ok, type Ok } from "../../core/shared/result.js";
import type { ChannelFailure } from "../../core/ports/channel-connector-port.js";
import type { StockPushItem, StockPushItemResult, StockPusher, StockPushResult, StockReadItem, StockReadResult } from "../../core/ports/stock-pusher-port.js";
import { SHOPIFY_SET_QUANTITIES_MAX_BATCH, type AvailablePushItem, type AvailablePushOutcome } from "./inventory-push.js";
import type { ShopifyConnector } from "./shopify-connector.js";
import { shopifyFailure } from "./shopify-failure-mapping.js";

/**
 * Shopify as a stock-sync target. Shopify keeps stock per location (inventorySetQuantities
 * takes an inventory item and a location) and Switchyard's locations mirror Shopify's 1:1
 * (locations.external_id is the Shopify Location GID), so the pusher is `per_location`: the
 * sync hands it one item per (listing, location) carrying that location's share of the
 * channel's figure, and each goes to its own location.
 */

export class ShopifyStockPusher implements StockPusher {
  readonly channel = "shopify" as const;
  readonly scope = "per_location" as const;
  /** inventorySetQuantities' input limit; the connector then sends each batch as one call. */
  readonly maxBatchSize = SHOPIFY_SET_QUANTITIES_MAX_BATCH;

  /** Reconciliation reads whole locations (inventory levels paged per location), so it takes everything at once. */
  readonly maxReadBatchSize = 100_000;

  constructor(private readonly connector: Pick<ShopifyConnector, "pushAvailable"> & Partial<Pick<ShopifyConnector, "importInventoryLevels">>) {}

  /** What Shopify shows as available for each item at its location; null for an item it does not stock there. */
  async read(items: readonly StockReadItem[]): Promise<Ok<readonly StockReadResult[]> | ChannelFailure> {
    if (!this.connector.importInventoryLevels) return shopifyFailure("not_supported", "this connector cannot read inventory levels");
    const locations = [...new Set(items.map((i) => i.locationExternalId).filter((l): l is string => Boolean(l)))];
    const levels = await this.connector.importInventoryLevels(locations);
    if (!levels.ok) return shopifyFailure(levels.reason, levels.detail);
    const shown = new Map(levels.value.map((l) => [`${l.inventoryItemId}@${l.locationId}`, l.available]));
    return ok(items.map((item) => ({ key: item.key, available: shown.get(`${item.externalId}@${item.locationExternalId}`) ?? null })));
  }

  async push(batch: readonly StockPushItem[], options: { readonly reference: string }): Promise<StockPushResult> {
    if (batch.length > this.maxBatchSize) throw new RangeError(`batch of ${batch.length} exceeds ${this.maxBatchSize}`);
    const results: StockPushItemResult[] = [];
    const keyOf = new Map<AvailablePushItem, string>();
    const items: AvailablePushItem[] = [];
    for (const item of batch) {
      if (!item.locationExternalId?.startsWith("gid://shopify/Location/")) {
        // The sync only sends mirrored locations; anything else is a caller bug, kept per item.
        results.push({ key: item.key, status: "rejected", problem: "no Shopify location id for this item" });
        continue;
      }
      const pushItem: AvailablePushItem = {
        inventoryItemId: item.externalId,
        locationId: item.locationExternalId,
        available: item.available,
        lastPushed: item.previousAvailable,
      };
      keyOf.set(pushItem, item.key);
      items.push(pushItem);
    }
    if (items.length === 0) return ok(results);
    const outcomes = await this.connector.pushAvailable(items, {
      referenceDocumentUri: `gid://switchyard/StockSync/${encodeURIComponent(options.reference)}`,
    });

    const whole = wholeCallFailure(outcomes);
    if (whole) return whole;
    for (const outcome of outcomes) {
      const key = keyOf.get(outcome.item);
      if (key === undefined) throw new Error("the Shopify connector returned an item it was not given");
      results.push(toItemResult(key, outcome));
    }
    return ok(results);
  }
}

function toItemResult(key: string, outcome: AvailablePushOutcome): StockPushItemResult {
  switch (outcome.status) {
    case "applied":
      return { key, status: "applied" };
    case "stale":
      return { key, status: "conflict", problem: outcome.message };
    case "rejected":
      return { key, status: "rejected", problem: outcome.code ? `${outcome.code}: ${outcome.message}` : outcome.message };
    case "failed":
      return { key, status: "not_applied", problem: outcome.message };
  }
}

/** Every item failed for the same transport reason: the call itself failed, not the items. */
function wholeCallFailure(outcomes: readonly AvailablePushOutcome[]): ChannelFailure | undefined {
  const first = outcomes[0];
  if (!first || first.status !== "failed" || first.reason === "batch_refused") return undefined;
  if (!outcomes.every((o) => o.status === "failed" && o.reason === first.reason)) return undefined;
  return shopifyFailure(first.reason, first.message);
}
