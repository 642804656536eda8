import type { ChannelFailureReason } from "../ports/channel-connector-port.js";
import type { StockPushItemStatus } from "../ports/stock-pusher-port.js";
import { channelAvailableToSell, channelKitAvailableToSell, type KitComponentStock, type LocationBalance } from "./available-to-sell.js";
import type { ChannelAllocationStrategy } from "./channel-allocation-strategy.js";
import { kitSupplies, splitAvailableToSell, variantSupplies, type ChannelLocation } from "./per-location-available-to-sell.js";

/**
 * Decisions of the stock sync, free of I/O: what each listing should show on its channel,
 * which listings need a push, how pushes are batched and when to look again.
 */

export interface ListingStock {
  readonly listingId: string;
  readonly allocationPercent: number;
  readonly buffer: number;
  /** The listed variant's levels (ignored for kits). */
  readonly levels: readonly LocationBalance[];
  /** Non-empty when the listed variant is a kit: its stock is derived from these. */
  readonly kitComponents: readonly KitComponentStock[];
  /** What the channel was last told; null when never (or when it must be re-told). */
  readonly lastPushedAvailable: number | null;
  /** The channel's share of incoming returns offered for sale (0 or absent: off); levels carry `incomingReturns`. */
  readonly incomingReturnsPercent?: number;
}

/** Available-to-sell of one listing on a channel fed by `locationIds`. */
export function listingAvailableToSell(
  listing: ListingStock,
  locationIds: readonly string[],
  strategy: ChannelAllocationStrategy,
): number {
  const rule = { locationIds: [...locationIds], allocationPercent: listing.allocationPercent, buffer: listing.buffer, incomingReturnsPercent: listing.incomingReturnsPercent ?? 0 };
  return listing.kitComponents.length > 0
    ? channelKitAvailableToSell(listing.kitComponents, rule, strategy)
    : channelAvailableToSell(listing.levels, rule, strategy);
}

export interface StockPushPlan<L extends ListingStock> {
  /** Listings whose channel figure is wrong (or unknown), with the figure it should show. */
  readonly changed: readonly { readonly listing: L; readonly available: number }[];
  /** Listings the channel already shows correctly: nothing to send. */
  readonly unchanged: readonly L[];
}

export function planStockPush<L extends ListingStock>(
  listings: readonly L[],
  locationIds: readonly string[],
  strategy: ChannelAllocationStrategy,
): StockPushPlan<L> {
  const changed: { listing: L; available: number }[] = [];
  const unchanged: L[] = [];
  for (const listing of listings) {
    const available = listingAvailableToSell(listing, locationIds, strategy);
    if (listing.lastPushedAvailable === available) unchanged.push(listing);
    else changed.push({ listing, available });
  }
  return { changed, unchanged };
}

/** A listing on a channel that keeps stock per location, with what each location was last told. */
export interface LocationListingStock extends Omit<ListingStock, "lastPushedAvailable"> {
  /** Last figure pushed per location id; missing or null when never (or when it must be re-told). */
  readonly lastPushedByLocation: Readonly<Record<string, number | null>>;
}

/** Available-to-sell of one listing at each of `locations` (in their order), summing to the channel's figure. */
export function listingAvailableByLocation(
  listing: Omit<ListingStock, "lastPushedAvailable">,
  locations: readonly ChannelLocation[],
  strategy: ChannelAllocationStrategy,
): { readonly locationId: string; readonly available: number }[] {
  const percent = listing.incomingReturnsPercent ?? 0;
  const supplies = listing.kitComponents.length > 0 ? kitSupplies(listing.kitComponents, locations, percent) : variantSupplies(listing.levels, locations, percent);
  return splitAvailableToSell(supplies, listing, strategy);
}

export interface LocationStockPushPlan<L extends LocationListingStock> {
  /** (listing, location) pairs whose channel figure is wrong (or unknown). */
  readonly changed: readonly {
    readonly listing: L;
    readonly locationId: string;
    readonly available: number;
    readonly lastPushedAvailable: number | null;
  }[];
  /** (listing, location) pairs the channel already shows correctly. */
  readonly unchanged: readonly { readonly listing: L; readonly locationId: string }[];
}

/** planStockPush for location-scoped channels: one decision per (listing, location). */
export function planLocationStockPush<L extends LocationListingStock>(
  listings: readonly L[],
  locations: readonly ChannelLocation[],
  strategy: ChannelAllocationStrategy,
): LocationStockPushPlan<L> {
  const changed: { listing: L; locationId: string; available: number; lastPushedAvailable: number | null }[] = [];
  const unchanged: { listing: L; locationId: string }[] = [];
  for (const listing of listings) {
    for (const share of listingAvailableByLocation(listing, locations, strategy)) {
      const lastPushedAvailable = listing.lastPushedByLocation[share.locationId] ?? null;
      if (lastPushedAvailable === share.available) unchanged.push({ listing, locationId: share.locationId });
      else changed.push({ listing, locationId: share.locationId, available: share.available, lastPushedAvailable });
    }
  }
  return { changed, unchanged };
}

/**
 * How long a change waits for batch-mates before its connection's sync runs: a burst of sales
 * becomes one run and the channel's largest batches instead of a call per sale. Short enough
 * that a sale is on every channel within two seconds (the hold, the job's pickup and the call).
 */
export const STOCK_SYNC_HOLD_MS = 500;

/**
 * Which of a run's figures to send now. Full batches go at once; the figures left over a whole
 * number of batches (the newest changes) wait for batch-mates while the oldest of them is younger
 * than the hold, so a steady stream is sent in full batches and a lull sends what is left within
 * the hold. Batches keep the items' order (the caller's: SKU, listing, location), so a retried run
 * cuts the same batches. `markedAt` is when each item's change was first marked.
 */
export function batchesDue<T>(
  items: readonly T[],
  options: { maxBatchSize: number; holdMs: number; now: number; markedAt: (item: T) => number },
): { send: T[][]; held: T[]; recheckInMs: number | null } {
  const leftOver = items.length % options.maxBatchSize;
  const sendAll = { send: inBatches(items, options.maxBatchSize), held: [], recheckInMs: null };
  if (leftOver === 0 || options.holdMs <= 0) return sendAll;
  const newest = [...items].sort((a, b) => options.markedAt(b) - options.markedAt(a)).slice(0, leftOver);
  const waited = options.now - Math.min(...newest.map(options.markedAt));
  if (waited >= options.holdMs) return sendAll;
  const held = new Set(newest);
  return { send: inBatches(items.filter((item) => !held.has(item)), options.maxBatchSize), held: newest, recheckInMs: options.holdMs - waited };
}

/** Consecutive batches of at most `size`, in order. */
export function inBatches<T>(items: readonly T[], size: number): T[][] {
  if (!Number.isSafeInteger(size) || size < 1) throw new RangeError(`batch size must be a positive integer, got ${size}`);
  const batches: T[][] = [];
  for (let start = 0; start < items.length; start += size) batches.push(items.slice(start, start + size));
  return batches;
}

/**
 * How long to wait before syncing again after a run, or null when nothing asks for it.
 * - rate limited: when the channel said (at least a second);
 * - channel unavailable (5xx, network): a short pause doubling per consecutive failed run
 *   (`attempt`), capped at a minute;
 * - a compare-and-set conflict: long enough for the order webhook that explains it (a POS
 *   sale, say) to reach the ledger, so the forced re-push carries the right figure;
 * - items not applied because their batch-mates were refused: soon, they are fine as they are.
 * Refusals (rejected, unauthorized) never schedule a retry: repeating cannot fix them, and
 * the next stock change retries them anyway.
 */
export const FOLLOW_UP_DELAYS_MS = {
  rateLimitedDefault: 10_000,
  /** The first retry after a 5xx or network error; doubled per consecutive failed run. */
  unavailable: 2_000,
  /** No backoff grows beyond this: a change must reach the channel soon after it recovers. */
  backoffMax: 60_000,
  conflict: 30_000,
  /** Soon: what was not applied is fine as it is (Amazon hands back what a second of patching could not carry). */
  notApplied: 1_000,
  /** Ask a channel that answers later (Amazon feeds) about its pending submissions this often. */
  pending: 5_000,
} as const;

/** However long a submission has been pending, it is asked about at least this often. */
export const PENDING_CHECK_MAX_INTERVAL_MS = 120_000;

/**
 * Whether to ask the channel about a submission it is processing (an Amazon listings feed):
 * not before `firstMs` after it was submitted (the soonest its report could be there), then
 * after intervals as long as the submission was old at the previous look (doubling: a feed
 * that takes half an hour is asked about a dozen times, not every few seconds), capped at
 * `maxIntervalMs`. `lastCheckedAt` null: not asked yet. `firstMs` 0 asks every time (direct
 * calls and tests).
 */
export function pendingCheckDue(
  submission: { readonly submittedAt: number; readonly lastCheckedAt: number | null },
  now: number,
  firstMs: number,
  maxIntervalMs = PENDING_CHECK_MAX_INTERVAL_MS,
): boolean {
  if (firstMs <= 0) return true;
  const { submittedAt, lastCheckedAt } = submission;
  const next = lastCheckedAt === null ? submittedAt + firstMs : lastCheckedAt + Math.min(maxIntervalMs, Math.max(firstMs, lastCheckedAt - submittedAt));
  return now >= next;
}

export type SyncSignal =
  | { readonly kind: "connection_failed"; readonly reason: ChannelFailureReason; readonly retryAfterMs?: number }
  | { readonly kind: "item"; readonly status: StockPushItemStatus };

export function followUpDelayMs(signals: readonly SyncSignal[], attempt = 0): number | null {
  let delay: number | null = null;
  // Consecutive failed runs back off exponentially (capped), unless the channel said when.
  const backoff = (base: number) => Math.min(FOLLOW_UP_DELAYS_MS.backoffMax, base * 2 ** Math.max(0, attempt));
  const consider = (ms: number) => {
    delay = delay === null ? ms : Math.min(delay, ms);
  };
  for (const signal of signals) {
    if (signal.kind === "connection_failed") {
      if (signal.reason === "rate_limited") consider(Math.max(1_000, signal.retryAfterMs ?? backoff(FOLLOW_UP_DELAYS_MS.rateLimitedDefault)));
      else if (signal.reason === "unavailable") consider(backoff(FOLLOW_UP_DELAYS_MS.unavailable));
    } else if (signal.status === "conflict") {
      consider(FOLLOW_UP_DELAYS_MS.conflict);
    } else if (signal.status === "not_applied") {
      consider(FOLLOW_UP_DELAYS_MS.notApplied);
    } else if (signal.status === "pending") {
      consider(FOLLOW_UP_DELAYS_MS.pending);
    }
  }
  return delay;
}
