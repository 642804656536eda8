import type { Channel } from "../orders/unified-order";

/**
 * A sale a marketplace made itself already came off the quantity it shows: Amazon and eBay take
 * the units off a listing when the buyer orders. Capturing that sale lowers our available-to-sell
 * by the same units, and pushing the new figure back would only repeat what the channel already
 * shows. So, where it is certain, the capture moves what we record as the channel's figure
 * instead, and the sync finds nothing to push there (docs/adr/0017).
 *
 * It is certain only when the sale came after the channel was last known to hold our figure
 * with no push of ours in flight: quantities are set absolutely, so a push that landed after the
 * sale overwrote the channel's own decrement, and the channel shows what we pushed. When in
 * doubt the figure is left alone and the new value is pushed: a redundant push is harmless,
 * a skipped one would oversell.
 *
 * WooCommerce takes stock off only when an order is paid, which its capture does not always
 * follow, so it is not listed.
 */
export const CHANNELS_COUNTING_THEIR_OWN_SALES: ReadonlySet<Channel> = new Set<Channel>(["amazon", "ebay"]);

/**
 * Shopify keeps stock per location, and its order does not say which location the units came
 * off, so its figure is never moved on trust. Where the connection has one Shopify location,
 * the next push's compare-and-set expects that location's last figure less the units sold
 * there since: Shopify checks it, and the echo is applied with the batch it rides in. Without
 * the expectation it was refused as stale, which cost a re-send of its whole batch and a later
 * push of its own; a sale taken off elsewhere is still refused and re-pushed as before.
 */
export const CHANNELS_CHECKING_OWN_SALES_ON_PUSH: ReadonlySet<Channel> = new Set<Channel>(["shopify"]);

/** Slack for the channel's clock (the sale's time) against ours (when the figure settled). */
export const OWN_SALE_CLOCK_MARGIN_MS = 5_000;

export interface OwnSale {
  /** When the buyer ordered, by the channel's clock. */
  readonly soldAt: Date;
  /** Units the channel took off the listing. */
  readonly units: number;
}

export interface ChannelFigure {
  /** What we last told the channel; null: unknown. */
  readonly lastPushedAvailable: number | null;
  /** When the channel was last known to hold it with no push of ours in flight; null: not known. */
  readonly lastPushSettledAt: Date | null;
}

/**
 * What the channel shows once its own `sales` came off our last figure, or null when that is
 * not certain (nothing to move: the sync pushes the new figure as usual).
 */
export function figureAfterOwnSales(figure: ChannelFigure, sales: readonly OwnSale[], marginMs = OWN_SALE_CLOCK_MARGIN_MS): number | null {
  if (figure.lastPushedAvailable === null || figure.lastPushSettledAt === null) return null;
  const after = figure.lastPushSettledAt.getTime() + marginMs;
  const units = sales.filter((sale) => sale.units > 0 && sale.soldAt.getTime() > after).reduce((sum, sale) => sum + sale.units, 0);
  if (units === 0) return null;
  return Math.max(0, figure.lastPushedAvailable - units);
}
