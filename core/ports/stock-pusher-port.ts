import type { Ok } from "../shared/result.js";
import type { Channel } from "../orders/unified-order.js";
import type { ChannelFailure } from "./channel-connector-port.js";

/**
 * The one thing the stock sync needs from a channel: "this listing now has N available".
 * Narrower than ChannelConnector on purpose, so a connector can serve the sync before it
 * implements orders and fulfilment, and a test can fake it in a few lines.
 */

export interface StockPushItem {
  /** The caller's id for the item (a listing id); results come back keyed by it. */
  readonly key: string;
  /** The channel's id for the listing (Shopify inventory item GID, Amazon SKU, eBay offer...). */
  readonly externalId: string;
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
  | "not_applied";

export interface StockPushItemResult {
  readonly key: string;
  readonly status: StockPushItemStatus;
  /** Why, for the merchant, when not applied. */
  readonly problem?: string;
}

/** Per-item results when the channel answered; a ChannelFailure when the call as a whole failed. */
export type StockPushResult = Ok<readonly StockPushItemResult[]> | ChannelFailure;

export interface StockPusher {
  readonly channel: Channel;
  /** Most items the channel takes in one call; the sync never hands over a larger batch. */
  readonly maxBatchSize: number;
  /**
   * Pushes one batch (at most `maxBatchSize` items). `reference` names the sync run; it is
   * stable across retries of that run, so channels that support idempotency keys replay
   * instead of applying twice.
   */
  push(batch: readonly StockPushItem[], options: { readonly reference: string }): Promise<StockPushResult>;
}
