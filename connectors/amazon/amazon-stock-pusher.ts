import { ok } from "../../core/shared/result.js";
import type { ChannelFailure } from "../../core/ports/channel-connector-port.js";
import type {
  PendingItemRef,
  PendingSettlement,
  StockPushItem,
  StockPushItemResult,
  StockPushResult,
  StockPusher,
  StockReadItem,
  StockReadResult,
} from "../../core/ports/stock-pusher-port.js";
import type { Ok } from "../../core/shared/result.js";
import type { AmazonSettings } from "./amazon-connection-config.js";
import { pushAmazonStock, settleAmazonStockFeed } from "./amazon-stock-push.js";
import { SELLER_FULFILLMENT_CHANNEL } from "./listings-stock-request.js";
import type { SpApiClient } from "./sp-api-client.js";

/**
 * Amazon as a stock-sync target (StockPusher). Amazon holds one merchant-fulfilled quantity per
 * SKU, so the pusher is `pooled` and the listing's external id is the SellerSKU. A batch up to
 * the connection's feed threshold goes as one patch per SKU (answered at once); a larger one as
 * one JSON_LISTINGS_FEED whose items answer `pending` with the feed id, settled when Amazon's
 * processing report is there; while an earlier feed of the connection is still pending, or the
 * feed rates are used up, a large batch is patched as far as a second of patching goes.
 *
 * The feed's messages are numbered, not keyed: each pending item carries its message number as
 * `channelRef`, which the sync stores with the pending submission in the database and hands
 * back to `settle`, so a worker restarted between the submission and its processing report
 * still settles every item instead of pushing them again.
 */

// The JSON_LISTINGS_FEED schema allows 25,000 messages; 10,000 keeps a document near 2.5 MB.
export const AMAZON_FEED_MAX_BATCH = 10_000;
// getListingsItem: 5 per second, burst 10.
const READ_BATCH = 10;

export class AmazonStockPusher implements StockPusher {
  readonly channel = "amazon" as const;
  readonly scope = "pooled" as const;
  readonly maxBatchSize = AMAZON_FEED_MAX_BATCH;
  readonly maxReadBatchSize = READ_BATCH;

  constructor(
    private readonly client: SpApiClient,
    private readonly settings: AmazonSettings,
  ) {}

  async push(batch: readonly StockPushItem[], options: { readonly pendingSubmissions?: number } = {}): Promise<StockPushResult> {
    if (batch.length > this.maxBatchSize) throw new RangeError(`batch of ${batch.length} exceeds ${this.maxBatchSize}`);
    const pushed = await pushAmazonStock(
      this.client,
      this.settings,
      batch.map((item) => ({ sku: item.externalId, quantity: Math.max(0, item.available) })),
      { feedInFlight: (options.pendingSubmissions ?? 0) > 0 },
    );
    if (!pushed.ok) return pushed;
    const results: StockPushItemResult[] = [];
    for (const [index, outcome] of pushed.value.entries()) {
      const key = batch[index]!.key;
      switch (outcome.status) {
        case "applied":
          results.push({ key, status: "applied" });
          break;
        case "rejected":
          results.push({ key, status: "rejected", problem: outcome.problem });
          break;
        case "retry":
          results.push({ key, status: "not_applied", problem: outcome.problem });
          break;
        case "pending":
          results.push({ key, status: "pending", pendingId: outcome.feedId, channelRef: String(outcome.messageId) });
          break;
      }
    }
    return ok(results);
  }

  async settle(pendingId: string, items: readonly PendingItemRef[]): Promise<Ok<PendingSettlement> | ChannelFailure> {
    const messageIdOf = (item: PendingItemRef) => (item.channelRef !== undefined && /^\d+$/.test(item.channelRef) ? Number(item.channelRef) : null);
    const settled = await settleAmazonStockFeed(
      this.client,
      pendingId,
      items.map(messageIdOf).filter((id): id is number => id !== null),
    );
    if (!settled.ok) return settled;
    if (!settled.value.done) return ok({ done: false });
    const byMessage = new Map(settled.value.results.map((r) => [r.messageId, r]));
    return ok({
      done: true,
      results: items.map((item): StockPushItemResult => {
        const { key } = item;
        const messageId = messageIdOf(item);
        // Without its message number an item cannot be found in the report: it is pushed again.
        if (messageId === null) return { key, status: "not_applied", problem: `feed ${pendingId}: no message number was kept for this item` };
        const result = byMessage.get(messageId);
        if (!result) return { key, status: "not_applied", problem: `feed ${pendingId} reported nothing for message ${messageId}` };
        if (result.status === "applied") return { key, status: "applied" };
        if (result.status === "rejected") return { key, status: "rejected", problem: result.problem ?? "rejected by the feed" };
        return { key, status: "not_applied", problem: result.problem ?? `feed ${pendingId} did not apply` };
      }),
    });
  }

  /** What each listing shows now (getListingsItem with fulfillmentAvailability), for reconciliation. */
  async read(items: readonly StockReadItem[]): Promise<Ok<readonly StockReadResult[]> | ChannelFailure> {
    const results: StockReadResult[] = [];
    for (const item of items) {
      const response = await this.client.call<{ fulfillmentAvailability?: { fulfillmentChannelCode?: string; quantity?: number }[] }>(
        "listingsItems_2021-08-01.json:getListingsItem",
        {
          path: { sellerId: this.settings.sellerId, sku: item.externalId },
          query: { marketplaceIds: [this.settings.marketplaceId], includedData: ["fulfillmentAvailability"] },
          maxWaitMs: 1_000,
        },
      );
      if (!response.ok) {
        if (response.reason === "not_found") {
          results.push({ key: item.key, available: null });
          continue;
        }
        return response;
      }
      const entry = response.value.body?.fulfillmentAvailability?.find((f) => f.fulfillmentChannelCode === SELLER_FULFILLMENT_CHANNEL);
      results.push({ key: item.key, available: typeof entry?.quantity === "number" ? entry.quantity : null });
    }
    return ok(results);
  }
}
