import type { Task } from "graphile-worker";
import { defaultPolicies } from "../../core/config/default-policies";
import { batchesDue, FOLLOW_UP_DELAYS_MS, followUpDelayMs, pendingCheckDue, STOCK_SYNC_HOLD_MS, type SyncSignal } from "../../core/inventory/stock-sync-plan";
import type { StockPushItem, StockPushItemResult, StockPusher } from "../../core/ports/stock-pusher-port";
import { openChannelConnection, type ChannelConnectors } from "../../connectors/channel-connectors";
import { clearSettledDirty, countDirty, markStockDirty, queueConnectionSync, readDirtyVariants } from "../../db/repositories/stock-sync-dirty-repository";
import { deletePendingPush, listPendingPushes, markPendingChecked, recordSyncRun, storePendingPush } from "../../db/repositories/stock-sync-run-repository";
import type { PendingStockItem } from "../../db/schema";
import { rateLimited } from "./stock-sync-rate-limiter";
import {
  collectLocationStockChanges,
  collectStockChanges,
  listConnectionsToSync,
  recordConnectionFailure,
  recordConnectionWarning,
  recordPushOutcomes,
  type ListingPushOutcome,
  type StockToPush,
  type SyncConnection,
} from "../../db/repositories/stock-sync-repository";
import { jobPayloadSchemas } from "../../db/queue/job-payloads";
import { connectorsOf, type TaskContext } from "../task-context";

/** Dirty variants one run reads; more are left for the follow-up run queued at once. */
export const DIRTY_VARIANTS_PER_RUN = 2_000;

export type ConnectionSyncOutcome =
  /** Everything due was sent and answered (items may still have been refused individually). */
  | "pushed"
  /** No listing's figure changed. */
  | "up_to_date"
  /** The channel has no connector yet: left untouched. */
  | "no_connector"
  /** The channel asked to slow down; the run is re-scheduled, nothing recorded as an error. */
  | "rate_limited"
  /** The connection is not connected (paused, disconnected) or the shop's sync is off: its dirty rows wait. */
  | "not_connected"
  /** The push (or building the connector) failed; recorded on the connection. */
  | "failed";

export interface ConnectionSyncSummary {
  connectionId: string;
  channel: string;
  outcome: ConnectionSyncOutcome;
  /** Channel calls made (one per batch). */
  batches: number;
  /** Items answered below: listings for pooled channels, (listing, location) pairs for per-location ones. */
  applied: number;
  conflicts: number;
  rejected: number;
  notApplied: number;
  unchanged: number;
  error?: string;
  exceptionRaised?: boolean;
  /** Something the merchant should fix that did not stop the push (locations the channel cannot address). */
  warning?: string;
  /** Figures held back for batch-mates (a partial batch younger than the hold); the follow-up sends them. */
  held?: number;
  /** Accepted by the channel for later processing (settled by a later run). */
  pending?: number;
  /** Settled pending submissions this run. */
  settled?: number;
  /** When this connection's next run was queued, how far ahead. */
  followUpInMs?: number | null;
  /** From each pushed variant's first unpushed change to the channel's answer. */
  latenciesMs?: number[];
}

export interface StockSyncSummary {
  shopId: string;
  /** False when another run for the shop held the lock; this run did nothing and re-queued. */
  ran: boolean;
  connections: ConnectionSyncSummary[];
  /** When a follow-up run was queued, how far ahead. */
  followUpInMs: number | null;
}

/**
 * Every connection of a shop, one after another (tests, and old jobs queued per shop). The
 * worker runs one job per connection instead, so a slow channel never holds up another.
 */
export async function syncShopStock(
  context: TaskContext & { connectors: ChannelConnectors },
  shopId: string,
  options: { reference: string },
): Promise<StockSyncSummary> {
  const summaries: ConnectionSyncSummary[] = [];
  for (const connection of await listConnectionsToSync(context.db, shopId)) {
    summaries.push(await syncConnectionStock(context, { shopId, connectionId: connection.id }, options));
  }
  const delays = summaries.map((s) => s.followUpInMs).filter((d): d is number => d !== null && d !== undefined);
  return { shopId, ran: true, connections: summaries, followUpInMs: delays.length > 0 ? Math.min(...delays) : null };
}

/**
 * One stock sync run of one connection: settle what the channel answered later, read the
 * connection's dirty variants, recompute their available-to-sell, push only what differs from
 * what the channel was last told, in the channel's largest batches within its rate limit, and
 * remove a dirty row only once its push settled. A whole-call failure leaves every row dirty
 * and queues the next run after the channel's Retry-After or an exponential backoff.
 */
export async function syncConnectionStock(
  context: TaskContext & { connectors: ChannelConnectors },
  input: { shopId: string; connectionId: string; attempt?: number },
  /**
   * `holdMs`: how long a partial batch waits for batch-mates; `pendingCheckMs`: how soon after a
   * submission the channel is first asked about it (later looks back off, pendingCheckDue). The
   * worker's runs use STOCK_SYNC_HOLD_MS and FOLLOW_UP_DELAYS_MS.pending; a direct call (0) sends
   * everything and asks every time.
   */
  options: { reference: string; holdMs?: number; pendingCheckMs?: number },
): Promise<ConnectionSyncSummary> {
  const { db } = context;
  const { shopId } = input;
  const summary: ConnectionSyncSummary = {
    connectionId: input.connectionId,
    channel: "",
    outcome: "up_to_date",
    batches: 0,
    applied: 0,
    conflicts: 0,
    rejected: 0,
    notApplied: 0,
    unchanged: 0,
    pending: 0,
    settled: 0,
    followUpInMs: null,
    latenciesMs: [],
  };
  const connection = (await listConnectionsToSync(db, shopId)).find((c) => c.id === input.connectionId);
  if (!connection) return { ...summary, outcome: "not_connected" };
  summary.channel = connection.channel;

  const opened = openChannelConnection(context.connectors, connection);
  const lookup = !opened.ok
    ? opened
    : opened.value.stock
      ? ({ ok: true, value: opened.value.stock } as const)
      : ({ ok: false, reason: "no_connector" } as const);
  if (!lookup.ok) {
    // No connector yet: the dirty rows wait for it (they are the queue the health page shows).
    if (lookup.reason === "no_connector") return { ...summary, outcome: "no_connector" };
    const detail = lookup.detail ?? lookup.reason;
    const recorded = await recordConnectionFailure(db, { shopId, connectionId: connection.id, reason: lookup.reason, detail });
    await recordSyncRun(db, { shopId, connectionId: connection.id, kind: "sync", outcome: "failed", items: 0, calls: 0, error: `${lookup.reason}: ${detail}` });
    return { ...summary, outcome: "failed", error: `${lookup.reason}: ${detail}`, exceptionRaised: recorded.exceptionRaised };
  }
  const pusher = lookup.value;
  const strategy = (context.policies ?? defaultPolicies).channelAllocation;
  const signals: SyncSignal[] = [];
  const perLocation = pusher.scope === "per_location";
  const warning = perLocation ? unaddressableLocationsWarning(connection) : null;
  if (warning) summary.warning = warning;

  if (pusher.settle) await settlePendingPushes(context, connection, pusher, summary, signals, options.pendingCheckMs ?? 0);

  const dirty = await readDirtyVariants(db, connection.id, DIRTY_VARIANTS_PER_RUN);
  const readAt = Date.now();
  const markedAt = new Map(dirty.map((d) => [d.variantId, readAt - d.ageMs]));
  const firstMarkedAt = new Map(dirty.map((d) => [d.variantId, d.firstMarkedAt]));
  const variantIds = dirty.map((d) => d.variantId);
  const changes = perLocation
    ? await collectLocationStockChanges(db, connection, strategy, variantIds)
    : await collectStockChanges(db, connection, strategy, variantIds);
  summary.unchanged = changes.unchangedCount;
  // Variants whose push did not settle keep their dirty row for the next run.
  const unsettled = new Set<string>();

  // A listing with a submission still pending (an Amazon feed processed minutes later) waits for
  // it: a newer figure sent now by another route could be overwritten when the older one lands.
  const stillPending = pusher.settle ? await listPendingPushes(db, connection.id, 1_000) : [];
  const awaiting = new Set(stillPending.flatMap((p) => Object.values(p.items).map((i) => i.listingId)));
  // Told to the pusher: Amazon sends no second listings feed while one is being processed.
  let pendingSubmissions = stillPending.length;
  const ready = changes.changed.filter((item) => {
    if (!awaiting.has(item.listingId)) return true;
    unsettled.add(item.variantId);
    signals.push({ kind: "item", status: "pending" });
    return false;
  });
  // Full batches now; a partial last batch waits for batch-mates until its oldest change is a hold old.
  const due = batchesDue(ready, { maxBatchSize: pusher.maxBatchSize, holdMs: options.holdMs ?? 0, now: readAt, markedAt: (item) => markedAt.get(item.variantId) ?? 0 });
  for (const item of due.held) unsettled.add(item.variantId);
  summary.held = due.held.length;
  const batches = due.send;
  for (const [index, batch] of batches.entries()) {
    const result = await rateLimited(connection.id, pusher, () => pusher.push(batch.map(toPushItem), { reference: options.reference, pendingSubmissions }));
    summary.batches++;
    if (!result.ok) {
      signals.push({ kind: "connection_failed", reason: result.reason, ...(result.retryAfterMs !== undefined ? { retryAfterMs: result.retryAfterMs } : {}) });
      for (const item of batches.slice(index).flat()) unsettled.add(item.variantId);
      if (result.reason === "rate_limited") {
        // Not an error: the unsent variants stay dirty and the follow-up run sends them.
        summary.outcome = "rate_limited";
      } else {
        const unsent = [...new Set(batches.slice(index).flat().map((item) => item.listingId))];
        const detail = result.detail ?? result.reason;
        const recorded = await recordConnectionFailure(db, { shopId, connectionId: connection.id, reason: result.reason, detail, listingIds: unsent });
        Object.assign(summary, { outcome: "failed", error: `${result.reason}: ${detail}`, exceptionRaised: recorded.exceptionRaised });
      }
      break;
    }
    summary.outcome = "pushed";
    const answeredAt = Date.now();
    const outcomes = matchResults(batch, result.value);
    const pendingItems = new Map<string, Record<string, PendingStockItem>>();
    for (const [i, outcome] of outcomes.entries()) {
      const item = batch[i]!;
      signals.push({ kind: "item", status: outcome.status });
      if (outcome.status === "applied") {
        summary.applied++;
        const marked = firstMarkedAt.get(item.variantId);
        if (marked) summary.latenciesMs!.push(answeredAt - marked.getTime());
      } else if (outcome.status === "conflict") {
        summary.conflicts++;
        unsettled.add(item.variantId);
      } else if (outcome.status === "rejected") summary.rejected++;
      else if (outcome.status === "pending") {
        summary.pending = (summary.pending ?? 0) + 1;
        const answer = result.value.find((r) => r.key === keyOf(item));
        const pendingId = answer?.pendingId ?? `${options.reference}:${index}`;
        const items = pendingItems.get(pendingId) ?? {};
        items[keyOf(item)] = {
          listingId: item.listingId,
          ...(item.location ? { locationId: item.location.id } : {}),
          variantId: item.variantId,
          available: item.available,
          firstMarkedAt: (firstMarkedAt.get(item.variantId) ?? new Date()).toISOString(),
          ...(answer?.channelRef !== undefined ? { channelRef: answer.channelRef } : {}),
        };
        pendingItems.set(pendingId, items);
      } else {
        summary.notApplied++;
        unsettled.add(item.variantId);
      }
    }
    for (const [pendingId, items] of pendingItems) await storePendingPush(db, { shopId, connectionId: connection.id, pendingId, items });
    pendingSubmissions += pendingItems.size;
    const answered = outcomes.filter((o) => o.status !== "pending");
    await recordPushOutcomes(db, { shopId, connectionId: connection.id, observedAt: changes.observedAt, outcomes: answered, warning });
  }
  if (changes.changed.length === 0 && perLocation) await recordConnectionWarning(db, { connectionId: connection.id, warning });

  // Settled (applied, refused for good, handed to a pending submission, or already right): out of the dirty set.
  await clearSettledDirty(db, connection.id, dirty.filter((d) => !unsettled.has(d.variantId)));

  const failedRun = summary.outcome === "rate_limited" || summary.outcome === "failed";
  let followUpInMs = followUpDelayMs(signals, failedRun ? (input.attempt ?? 0) : 0);
  if (!failedRun && due.recheckInMs !== null) followUpInMs = Math.min(followUpInMs ?? Number.POSITIVE_INFINITY, due.recheckInMs);
  if (followUpInMs === null && (await countDirty(db, connection.id)) > unsettled.size) followUpInMs = 0;
  if (followUpInMs !== null) {
    await queueConnectionSync(db, { shopId, connectionId: connection.id, delayMs: followUpInMs, attempt: failedRun ? (input.attempt ?? 0) + 1 : 0, backoff: failedRun });
  }
  summary.followUpInMs = followUpInMs;
  if (summary.batches > 0 || summary.settled) {
    await recordSyncRun(db, {
      shopId,
      connectionId: connection.id,
      kind: "sync",
      outcome: summary.outcome,
      items: summary.applied + summary.rejected + summary.conflicts + summary.notApplied + (summary.pending ?? 0),
      calls: summary.batches,
      latenciesMs: summary.latenciesMs ?? [],
      error: summary.error ?? null,
    });
  }
  return summary;
}

/**
 * Asks the channel about submissions it accepted for later (Amazon's listings feed): applied
 * figures are recorded as pushed; anything else is marked dirty again, so it is pushed anew.
 */
async function settlePendingPushes(
  context: TaskContext & { connectors: ChannelConnectors },
  connection: SyncConnection,
  pusher: StockPusher,
  summary: ConnectionSyncSummary,
  signals: SyncSignal[],
  checkEveryMs: number,
): Promise<void> {
  const { db } = context;
  for (const pending of await listPendingPushes(db, connection.id)) {
    // Runs come every hold while sales flow; the channel is asked about a submission only once its
    // result could be there, then at intervals growing with its age (pendingCheckDue). The last look
    // is kept with the submission, so every worker process keeps the same interval.
    if (!pendingCheckDue({ submittedAt: pending.submittedAt.getTime(), lastCheckedAt: pending.lastCheckedAt?.getTime() ?? null }, Date.now(), checkEveryMs)) {
      signals.push({ kind: "item", status: "pending" });
      continue;
    }
    await markPendingChecked(db, connection.id, pending.pendingId);
    const refs = Object.entries(pending.items).map(([key, item]) => ({ key, ...(item.channelRef !== undefined ? { channelRef: item.channelRef } : {}) }));
    const answer = await rateLimited(connection.id, pusher, () => pusher.settle!(pending.pendingId, refs));
    summary.batches++;
    if (!answer.ok || !answer.value.done) {
      signals.push({ kind: "item", status: "pending" });
      continue;
    }
    const outcomes: ListingPushOutcome[] = [];
    const retry = new Set<string>();
    for (const result of answer.value.results) {
      const item = pending.items[result.key];
      if (!item) continue;
      if (result.status === "applied" || result.status === "rejected") {
        outcomes.push({
          listingId: item.listingId,
          ...(item.locationId ? { locationId: item.locationId } : {}),
          available: item.available,
          status: result.status,
          ...(result.problem ? { problem: result.problem } : {}),
        });
        if (result.status === "applied") summary.latenciesMs!.push(Date.now() - Date.parse(item.firstMarkedAt));
      } else retry.add(item.variantId);
    }
    // Items the settlement did not mention were not applied either.
    for (const [key, item] of Object.entries(pending.items)) if (!answer.value.results.some((r) => r.key === key)) retry.add(item.variantId);
    await db.transaction(async (tx) => {
      if (retry.size > 0) await markStockDirty(tx, { shopId: connection.shopId, connectionId: connection.id, variantIds: [...retry] });
      await deletePendingPush(tx, connection.id, pending.pendingId);
    });
    if (outcomes.length > 0) await recordPushOutcomes(db, { shopId: connection.shopId, connectionId: connection.id, observedAt: pending.submittedAt, outcomes });
    summary.settled = (summary.settled ?? 0) + 1;
  }
}

/**
 * Locations feeding a per-location channel that mirror none of its locations: the channel
 * cannot be told their stock, so they are left out, and the merchant is told once per
 * connection rather than once per listing.
 */
function unaddressableLocationsWarning(connection: SyncConnection): string | null {
  const missing = connection.locations.filter((l) => l.externalId === null).length;
  if (missing === 0) return null;
  const channel = connection.channel === "shopify" ? "Shopify" : connection.channel;
  return `${missing} ${missing === 1 ? "location has" : "locations have"} no ${channel} location id; their stock is not pushed to ${connection.name}`;
}

/** The key a pushed figure's result comes back under: the listing, or the listing at a location. */
function keyOf(item: StockToPush): string {
  return item.location ? `${item.listingId}@${item.location.id}` : item.listingId;
}

function toPushItem(item: StockToPush): StockPushItem {
  return {
    key: keyOf(item),
    externalId: item.externalId,
    ...(item.location ? { locationExternalId: item.location.externalId } : {}),
    sku: item.sku,
    available: item.available,
    previousAvailable: item.lastPushedAvailable,
  };
}

/** One outcome per pushed figure; a figure the channel said nothing about was not applied. */
function matchResults(batch: readonly StockToPush[], results: readonly StockPushItemResult[]): ListingPushOutcome[] {
  const byKey = new Map(results.map((result) => [result.key, result]));
  return batch.map((item) => {
    const result = byKey.get(keyOf(item));
    const base = { listingId: item.listingId, ...(item.location ? { locationId: item.location.id } : {}), available: item.available };
    if (!result) return { ...base, status: "not_applied", problem: "the channel returned no result for this item" };
    return { ...base, status: result.status, ...(result.problem !== undefined ? { problem: result.problem } : {}) };
  });
}

/** inventory/sync: one connection's stock sync run (or, for an old per-shop job, each connection's). */
export function inventorySyncTask(context: TaskContext): Task {
  return async (rawPayload, helpers) => {
    const payload = jobPayloadSchemas["inventory/sync"].parse(rawPayload);
    const connectors = connectorsOf(context);
    // Stable across retries of this job, so channels with idempotency keys replay, not re-apply.
    const reference = `job-${helpers.job.id}`;
    const summaries = payload.connectionId
      ? [await syncConnectionStock({ ...context, connectors }, { shopId: payload.shopId, connectionId: payload.connectionId, attempt: payload.attempt }, { reference, holdMs: context.stockSyncHoldMs ?? STOCK_SYNC_HOLD_MS, pendingCheckMs: FOLLOW_UP_DELAYS_MS.pending })]
      : (await syncShopStock({ ...context, connectors }, payload.shopId, { reference })).connections;
    for (const c of summaries) {
      if (c.outcome === "up_to_date" || c.outcome === "no_connector" || c.outcome === "not_connected") continue;
      const line = `stock sync ${payload.shopId} ${c.channel} ${c.connectionId}: ${c.outcome} (${c.applied} applied, ${c.conflicts} conflicts, ${c.rejected} rejected, ${c.notApplied} not applied, ${c.pending ?? 0} pending, ${c.batches} calls)${c.warning ? `; ${c.warning}` : ""}`;
      if (c.outcome === "failed") helpers.logger.warn(`${line}: ${c.error ?? ""}`);
      else helpers.logger.info(line);
    }
  };
}
