import type { Ok } from "../shared/result.js";
import type { Channel } from "../orders/unified-order.js";
import type { ChannelFailure } from "./channel-connector-port.js";

/**
 * The one thing the stock sync needs from a channel: "this listing now has N available" (at
 * this location, for channels that keep stock per location). One capability of a channel module
 * (channel-module-port.ts), small on purpose so a test can fake it in a few lines.
 */

/**
 * How a channel holds stock:
 * - `pooled`: one quantity per listing (Amazon, eBay, WooCommerce); the sync pushes the
 *   channel's available-to-sell over all its locations;
 * - `per_location`: one quantity per listing and location (Shopify); the sync splits the same
 *   figure over the channel's locations and pushes each location its share, so the channel's
 *   total equals the pooled figure instead of counting it once per location.
 */
export type StockScope = "pooled" | "per_location";

export interface StockPushItem {
  /** The caller's id for the item (a listing, or a listing at a location); results come back keyed by it. */
  readonly key: string;
  /** The channel's id for the listing (Shopify inventory item GID, Amazon SKU, eBay offer...). */
  readonly externalId: string;
  /** The channel's id for the location (Shopify Location GID); present exactly for `per_location` pushers. */
  readonly locationExternalId?: string;
  readonly sku: string | null;
  readonly available: number;
  /**
   * What the channel should hold now (the last value pushed); null when nothing was pushed
   * yet. Channels with compare-and-set refuse the write when they hold something else.
   */
  readonly previousAvailable: number | null;
}

export type StockPushItemStatus =
  /** The channel now shows `available`. */
  | "applied"
  /** The channel held something other than `previousAvailable` and refused to overwrite it. */
  | "conflict"
  /** Refused for a reason a retry will not fix (unknown listing, not stocked there...). */
  | "rejected"
  /** Not applied for a passing reason (the rest of its batch was refused): retry as is. */
  | "not_applied"
  /**
   * Accepted for processing later (Amazon's listings feed answers minutes after the upload):
   * `pendingId` names the submission; `settle` turns it into one of the statuses above.
   */
  | "pending";

export interface StockPushItemResult {
  readonly key: string;
  readonly status: StockPushItemStatus;
  /** Why, for the merchant, when not applied. */
  readonly problem?: string;
  /** Present exactly for `pending`: the channel's id for the submission that will settle it. */
  readonly pendingId?: string;
  /**
   * For `pending`: the channel's handle of this item inside the submission (an Amazon feed's
   * message number). The sync stores it with the pending item and hands it back to `settle`,
   * so a worker restarted between the submission and its report still settles it.
   */
  readonly channelRef?: string;
}

/** One item of a pending submission, as the sync stored it: its key and the channel's handle of it. */
export interface PendingItemRef {
  readonly key: string;
  readonly channelRef?: string;
}

/** A pending submission's answer: still processing, or one result per item it carried. */
export type PendingSettlement =
  | { readonly done: false }
  | { readonly done: true; readonly results: readonly StockPushItemResult[] };

/** An item whose figure is read back from the channel (reconciliation). */
export interface StockReadItem {
  readonly key: string;
  readonly externalId: string;
  readonly locationExternalId?: string;
  readonly sku: string | null;
}

/** What the channel shows for an item; null when the channel does not know the listing. */
export interface StockReadResult {
  readonly key: string;
  readonly available: number | null;
}

/** Per-item results when the channel answered; a ChannelFailure when the call as a whole failed. */
export type StockPushResult = Ok<readonly StockPushItemResult[]> | ChannelFailure;

export interface StockPusher {
  readonly channel: Channel;
  readonly scope: StockScope;
  /** Most items the channel takes in one call; the sync never hands over a larger batch. */
  readonly maxBatchSize: number;
  /**
   * The channel's documented request rate for stock calls, kept by the sync with a token
   * bucket per connection. Absent where the client keeps the channel's own cost model
   * (Shopify's calculated query cost bucket in AdminGraphqlClient).
   */
  readonly rateLimit?: { readonly requestsPerSecond: number; readonly burst: number };
  /**
   * Pushes one batch (at most `maxBatchSize` items). `reference` names the sync run; it is
   * stable across retries of that run, so channels that support idempotency keys replay
   * instead of applying twice. `pendingSubmissions`: how many of the connection's earlier
   * submissions the channel has not settled yet (from the database, so it survives a restart);
   * Amazon sends no second listings feed while one is being processed.
   */
  push(batch: readonly StockPushItem[], options: { readonly reference: string; readonly pendingSubmissions?: number }): Promise<StockPushResult>;
  /**
   * Only for channels that answer `pending`: asks about one submission, given the items the push
   * that returned `pendingId` answered pending (their keys and channel handles, from the database).
   */
  settle?(pendingId: string, items: readonly PendingItemRef[]): Promise<Ok<PendingSettlement> | ChannelFailure>;
  /** Most items `read` takes in one call. */
  readonly maxReadBatchSize?: number;
  /** Reads what the channel shows now, for reconciliation. One result per item, in any order. */
  read?(items: readonly StockReadItem[]): Promise<Ok<readonly StockReadResult[]> | ChannelFailure>;
}
