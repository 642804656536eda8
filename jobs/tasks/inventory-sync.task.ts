import type { Task } from "graphile-worker";
import { defaultPolicies } from "../../core/config/default-policies";
import { followUpDelayMs, inBatches, type SyncSignal } from "../../core/inventory/stock-sync-plan";
import type { StockPushItem, StockPushItemResult } from "../../core/ports/stock-pusher-port";
import { createChannelConnectorRegistry, type ChannelConnectorRegistry } from "../../connectors/channel-connector-registry";
import { scheduleStockSync } from "../../db/repositories/stock-ledger-repository";
import {
  collectStockChanges,
  listConnectionsToSync,
  recordConnectionFailure,
  recordPushOutcomes,
  tryLockShopStockSync,
  type ListingPushOutcome,
  type ListingToPush,
} from "../../db/repositories/stock-sync-repository";
import { jobPayloadSchemas } from "../job-payloads";
import type { TaskContext } from "../task-context";

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
  applied: number;
  conflicts: number;
  rejected: number;
  notApplied: number;
  unchanged: number;
  error?: string;
  exceptionRaised?: boolean;
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
  context: TaskContext & { connectors: ChannelConnectorRegistry },
  shopId: string,
  options: { reference: string },
): Promise<StockSyncSummary> {
  const { db } = context;
  const lock = await tryLockShopStockSync(db, shopId);
  if (!lock) {
    await scheduleStockSync(db, shopId, BUSY_RETRY_MS);
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

      const lookup = context.connectors.stockPusherFor(connection);
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

      const changes = await collectStockChanges(db, connection, strategy);
      summary.unchanged = changes.unchangedCount;
      if (changes.changed.length === 0) continue;
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
            const unsent = batches.slice(index).flat().map((listing) => listing.listingId);
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
        await recordPushOutcomes(db, { shopId, connectionId: connection.id, observedAt: changes.observedAt, outcomes });
      }
    }

    const followUpInMs = followUpDelayMs(signals);
    if (followUpInMs !== null) await scheduleStockSync(db, shopId, followUpInMs);
    return { shopId, ran: true, connections: summaries, followUpInMs };
  } finally {
    await lock.release();
  }
}

function toPushItem(listing: ListingToPush): StockPushItem {
  return {
    key: listing.listingId,
    externalId: listing.externalId,
    sku: listing.sku,
    available: listing.available,
    previousAvailable: listing.lastPushedAvailable,
  };
}

/** One outcome per pushed listing; a listing the channel said nothing about was not applied. */
function matchResults(batch: readonly ListingToPush[], results: readonly StockPushItemResult[]): ListingPushOutcome[] {
  const byKey = new Map(results.map((result) => [result.key, result]));
  return batch.map((listing) => {
    const result = byKey.get(listing.listingId);
    if (!result) return { listingId: listing.listingId, available: listing.available, status: "not_applied", problem: "the channel returned no result for this item" };
    return {
      listingId: listing.listingId,
      available: listing.available,
      status: result.status,
      ...(result.problem !== undefined ? { problem: result.problem } : {}),
    };
  });
}

/** inventory/sync: push available-to-sell of one shop to its channels (coalesced per shop by job key). */
export function inventorySyncTask(context: TaskContext): Task {
  let connectors = context.connectors;
  return async (rawPayload, helpers) => {
    const payload = jobPayloadSchemas["inventory/sync"].parse(rawPayload);
    connectors ??= createChannelConnectorRegistry();
    // Stable across retries of this job, so channels with idempotency keys replay, not re-apply.
    const summary = await syncShopStock({ ...context, connectors }, payload.shopId, { reference: `job-${helpers.job.id}` });
    for (const c of summary.connections) {
      if (c.outcome === "up_to_date" || c.outcome === "no_connector") continue;
      const line = `stock sync ${payload.shopId} ${c.channel} ${c.connectionId}: ${c.outcome} (${c.applied} applied, ${c.conflicts} conflicts, ${c.rejected} rejected, ${c.notApplied} not applied, ${c.batches} calls)`;
      if (c.outcome === "failed") helpers.logger.warn(`${line}: ${c.error ?? ""}`);
      else helpers.logger.info(line);
    }
    if (summary.followUpInMs !== null) helpers.logger.debug(`stock sync ${payload.shopId}: follow-up in ${summary.followUpInMs} ms`);
  };
}
