import type { Ok } from "../shared/result.js";
import type { Channel } from "../orders/unified-order.js";
import type { ChannelFailure } from "./channel-connector-port.js";

/**
 * The one thing the stock sync needs from a channel: "this listing now has N available" (at
 * this location, for channels that keep stock per location). Narrower than ChannelConnector on
 * purpose, so a connector can serve the sync before it implements orders and fulfilment, and a
 * test can fake it in a few lines.
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
  readonly scope: StockScope;
  /** Most items the channel takes in one call; the sync never hands over a larger batch. */
  readonly maxBatchSize: number;
  /**
   * Pushes one batch (at most `maxBatchSize` items). `reference` names the sync run; it is
   * stable across retries of that run, so channels that support idempotency keys replay
   * instead of applying twice.
   */
  push(batch: readonly StockPushItem[], options: { readonly reference: string }): Promise<StockPushResult>;
}
