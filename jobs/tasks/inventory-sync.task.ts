import type { Task } from "graphile-worker";
import { defaultPolicies } from "../../core/config/default-policies";
import { followUpDelayMs, inBatches, type SyncSignal } from "../../core/inventory/stock-sync-plan";
import type { StockPushItem, StockPushItemResult } from "../../core/ports/stock-pusher-port";
import { openChannelConnection, type ChannelConnectors } from "../../connectors/channel-connectors";
import { scheduleStockSync } from "../../db/repositories/stock-ledger-repository";
import {
  collectLocationStockChanges,
  collectStockChanges,
  listConnectionsToSync,
  recordConnectionFailure,
  recordConnectionWarning,
  recordPushOutcomes,
  tryLockShopStockSync,
  type ListingPushOutcome,
  type StockToPush,
  type SyncConnection,
} from "../../db/repositories/stock-sync-repository";
import { jobPayloadSchemas } from "../../db/queue/job-payloads";
import { connectorsOf, type TaskContext } from "../task-context";

/** How soon to look again when another run of the same shop is still pushing. */
const BUSY_RETRY_MS = 2_000;

export type ConnectionSyncOutcome =
  /** Everything due was sent and answered (items may still have been refused individually). */
  | "pushed"
  /** No listing's figure changed. */
  | "up_to_date"
  /** The channel has no connector yet: left untouched. */
  | "no_connector"
  /** The channel asked to slow down; the run is re-scheduled, nothing recorded as an error. */
  | "rate_limited"
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
 * One stock sync of a shop: for every connected channel, recompute available-to-sell of the
 * listings whose stock moved, push what differs in batches the channel accepts, and record
 * each answer. Expected failures become values on the connection; a follow-up run is queued
 * when the channel asked to wait or something is worth retrying soon.
 */
export async function syncShopStock(
  context: TaskContext & { connectors: ChannelConnectors },
  shopId: string,
  options: { reference: string },
): Promise<StockSyncSummary> {
  const { db } = context;
  const lock = await tryLockShopStockSync(db, shopId);
  if (!lock) {
    await scheduleStockSync(db, shopId, undefined, { delayMs: BUSY_RETRY_MS });
    return { shopId, ran: false, connections: [], followUpInMs: BUSY_RETRY_MS };
  }
  try {
    const strategy = (context.policies ?? defaultPolicies).channelAllocation;
    const signals: SyncSignal[] = [];
    const summaries: ConnectionSyncSummary[] = [];
    for (const connection of await listConnectionsToSync(db, shopId)) {
      const summary: ConnectionSyncSummary = {
        connectionId: connection.id,
        channel: connection.channel,
        outcome: "up_to_date",
        batches: 0,
        applied: 0,
        conflicts: 0,
        rejected: 0,
        notApplied: 0,
        unchanged: 0,
      };
      summaries.push(summary);

      const opened = openChannelConnection(context.connectors, connection);
      const lookup = !opened.ok
        ? opened
        : opened.value.stock
          ? ({ ok: true, value: opened.value.stock } as const)
          : ({ ok: false, reason: "no_connector" } as const);
      if (!lookup.ok) {
        if (lookup.reason === "no_connector") {
          summary.outcome = "no_connector";
          continue;
        }
        const detail = lookup.detail ?? lookup.reason;
        const recorded = await recordConnectionFailure(db, { shopId, connectionId: connection.id, reason: lookup.reason, detail });
        Object.assign(summary, { outcome: "failed", error: `${lookup.reason}: ${detail}`, exceptionRaised: recorded.exceptionRaised });
        continue;
      }
      const pusher = lookup.value;
      const perLocation = pusher.scope === "per_location";
      const warning = perLocation ? unaddressableLocationsWarning(connection) : null;
      if (warning) summary.warning = warning;

      const changes = perLocation ? await collectLocationStockChanges(db, connection, strategy) : await collectStockChanges(db, connection, strategy);
      summary.unchanged = changes.unchangedCount;
      if (changes.changed.length === 0) {
        if (perLocation) await recordConnectionWarning(db, { connectionId: connection.id, warning });
        continue;
      }
      summary.outcome = "pushed";

      const batches = inBatches(changes.changed, pusher.maxBatchSize);
      for (const [index, batch] of batches.entries()) {
        const result = await pusher.push(batch.map(toPushItem), { reference: options.reference });
        summary.batches++;
        if (!result.ok) {
          signals.push({ kind: "connection_failed", reason: result.reason, ...(result.retryAfterMs !== undefined ? { retryAfterMs: result.retryAfterMs } : {}) });
          if (result.reason === "rate_limited") {
            // Not an error: the unsent listings stay due and the follow-up run sends them.
            summary.outcome = "rate_limited";
          } else {
            const unsent = [...new Set(batches.slice(index).flat().map((item) => item.listingId))];
            const detail = result.detail ?? result.reason;
            const recorded = await recordConnectionFailure(db, { shopId, connectionId: connection.id, reason: result.reason, detail, listingIds: unsent });
            Object.assign(summary, { outcome: "failed", error: `${result.reason}: ${detail}`, exceptionRaised: recorded.exceptionRaised });
          }
          break;
        }
        const outcomes = matchResults(batch, result.value);
        for (const outcome of outcomes) {
          signals.push({ kind: "item", status: outcome.status });
          if (outcome.status === "applied") summary.applied++;
          else if (outcome.status === "conflict") summary.conflicts++;
          else if (outcome.status === "rejected") summary.rejected++;
          else summary.notApplied++;
        }
        await recordPushOutcomes(db, { shopId, connectionId: connection.id, observedAt: changes.observedAt, outcomes, warning });
      }
    }

    const followUpInMs = followUpDelayMs(signals);
    if (followUpInMs !== null) await scheduleStockSync(db, shopId, undefined, { delayMs: followUpInMs });
    return { shopId, ran: true, connections: summaries, followUpInMs };
  } finally {
    await lock.release();
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

/** inventory/sync: push available-to-sell of one shop to its channels (coalesced per shop by job key). */
export function inventorySyncTask(context: TaskContext): Task {
  return async (rawPayload, helpers) => {
    const payload = jobPayloadSchemas["inventory/sync"].parse(rawPayload);
    const connectors = connectorsOf(context);
    // Stable across retries of this job, so channels with idempotency keys replay, not re-apply.
    const summary = await syncShopStock({ ...context, connectors }, payload.shopId, { reference: `job-${helpers.job.id}` });
    for (const c of summary.connections) {
      if (c.outcome === "up_to_date" || c.outcome === "no_connector") continue;
      const line = `stock sync ${payload.shopId} ${c.channel} ${c.connectionId}: ${c.outcome} (${c.applied} applied, ${c.conflicts} conflicts, ${c.rejected} rejected, ${c.notApplied} not applied, ${c.batches} calls)${c.warning ? `; ${c.warning}` : ""}`;
      if (c.outcome === "failed") helpers.logger.warn(`${line}: ${c.error ?? ""}`);
      else helpers.logger.info(line);
    }
    if (summary.followUpInMs !== null) helpers.logger.debug(`stock sync ${payload.shopId}: follow-up in ${summary.followUpInMs} ms`);
  };
}
