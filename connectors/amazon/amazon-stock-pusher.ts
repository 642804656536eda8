import { ok } from "../../core/shared/result.js";
import type { ChannelFailure } from "../../core/ports/channel-connector-port.js";
import type {
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
 * processing report is there.
 *
 * The feed's messages are numbered, not keyed: which key each message stands for is kept in
 * this process from push to settle. A process that restarts in between no longer knows it and
 * settles the feed with no results, which the sync reads as "not applied" and pushes those items
 * again (a repeat of the same quantity, never a lost change).
 */

// The JSON_LISTINGS_FEED schema allows 25,000 messages; 10,000 keeps a document near 2.5 MB.
export const AMAZON_FEED_MAX_BATCH = 10_000;
// getListingsItem: 5 per second, burst 10.
const READ_BATCH = 10;
const REMEMBERED_FEEDS = 1_000;
// Process-wide: the sync opens a fresh pusher per run, and the run that settles is a later one.
const pendingFeeds = new Map<string, { key: string; messageId: number }[]>();

export class AmazonStockPusher implements StockPusher {
  readonly channel = "amazon" as const;
  readonly scope = "pooled" as const;
  readonly maxBatchSize = AMAZON_FEED_MAX_BATCH;
  readonly maxReadBatchSize = READ_BATCH;

  constructor(
    private readonly client: SpApiClient,
    private readonly settings: AmazonSettings,
  ) {}

  async push(batch: readonly StockPushItem[]): Promise<StockPushResult> {
    if (batch.length > this.maxBatchSize) throw new RangeError(`batch of ${batch.length} exceeds ${this.maxBatchSize}`);
    const pushed = await pushAmazonStock(
      this.client,
      this.settings,
      batch.map((item) => ({ sku: item.externalId, quantity: Math.max(0, item.available) })),
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
        case "pending": {
          const messages = pendingFeeds.get(this.feedKey(outcome.feedId)) ?? [];
          messages.push({ key, messageId: outcome.messageId });
          this.remember(outcome.feedId, messages);
          results.push({ key, status: "pending", pendingId: outcome.feedId });
          break;
        }
      }
    }
    return ok(results);
  }

  async settle(pendingId: string): Promise<Ok<PendingSettlement> | ChannelFailure> {
    const messages = pendingFeeds.get(this.feedKey(pendingId));
    if (!messages) return ok({ done: true, results: [] });
    const settled = await settleAmazonStockFeed(
      this.client,
      pendingId,
      messages.map((m) => m.messageId),
    );
    if (!settled.ok) return settled;
    if (!settled.value.done) return ok({ done: false });
    pendingFeeds.delete(this.feedKey(pendingId));
    const byMessage = new Map(settled.value.results.map((r) => [r.messageId, r]));
    return ok({
      done: true,
      results: messages.map(({ key, messageId }): StockPushItemResult => {
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

  /** Feed ids are unique per seller only. */
  private feedKey(feedId: string): string {
    return `${this.settings.baseUrl ?? this.settings.region}|${this.settings.sellerId}|${feedId}`;
  }

  private remember(feedId: string, messages: { key: string; messageId: number }[]): void {
    pendingFeeds.set(this.feedKey(feedId), messages);
    // Bounded: feeds never settled (the sync gave up) must not grow the map forever.
    while (pendingFeeds.size > REMEMBERED_FEEDS) pendingFeeds.delete(pendingFeeds.keys().next().value!);
  }
}
