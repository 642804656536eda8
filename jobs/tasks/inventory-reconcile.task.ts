import type { Task } from "graphile-worker";
import { inBatches } from "../../core/inventory/stock-sync-plan";
import { capturesOrdersByPoll, openChannelConnection, type ChannelConnectors } from "../../connectors/channel-connectors";
import { jobPayloadSchemas } from "../../db/queue/job-payloads";
import { enqueueJob } from "../../db/queue/job-queue";
import { judgeReading } from "../../core/inventory/reconcile-reading";
import { listConnectedConnections, listHeldShortfalls, listPushedFigures, recordReconciliation, type HeldShortfall, type PushedFigure } from "../../db/repositories/stock-reconcile-repository";
import { recordSyncRun } from "../../db/repositories/stock-sync-run-repository";
import { listConnectionsToSync } from "../../db/repositories/stock-sync-repository";
import { connectorsOf, type TaskContext } from "../task-context";
import { rateLimited } from "./stock-sync-rate-limiter";

export interface ReconcileSummary {
  connectionId: string;
  outcome: "no_drift" | "drift_corrected" | "no_reader" | "failed" | "not_connected";
  read: number;
  drift: number;
  /** Shortfalls held as sales of the channel's own not captured yet (not corrected). */
  pendingOwnSales: number;
  error?: string;
}

/**
 * Reads what the channel shows for every figure we pushed and compares it with what we pushed
 * (core/inventory/reconcile-reading.ts). More than we pushed is drift (a change made on the
 * channel, a lost update), corrected by marking the variant dirty with its last figure
 * forgotten. Less is first held as a sale of the channel's own we have not captured yet, and is
 * drift only if it is still there once that sale would have been captured: correcting it at
 * once would put the sold unit back on sale. Variants with a push to come or in flight are not
 * compared, so the echo of our own push is never drift.
 */
export async function reconcileConnectionStock(
  context: TaskContext & { connectors: ChannelConnectors },
  input: { shopId: string; connectionId: string },
): Promise<ReconcileSummary> {
  const { db } = context;
  const base = { connectionId: input.connectionId, read: 0, drift: 0, pendingOwnSales: 0 };
  const connection = (await listConnectionsToSync(db, input.shopId)).find((c) => c.id === input.connectionId);
  if (!connection) return { ...base, outcome: "not_connected" };
  const opened = openChannelConnection(context.connectors, connection);
  const pusher = opened.ok ? opened.value.stock : undefined;
  if (!pusher?.read) return { ...base, outcome: "no_reader" };

  const figures = await listPushedFigures(db, connection.id, pusher.scope === "per_location");
  const earlier = await listHeldShortfalls(db, connection.id);
  const now = context.connectors.now?.() ?? new Date();
  const polledAt = connection.settings.lastPolledAt;
  const ordersPolledAt = capturesOrdersByPoll(opened.ok ? opened.value.module : { capabilities: [] }, connection.settings)
    ? typeof polledAt === "string" ? new Date(polledAt) : null
    : undefined;
  const drifted: PushedFigure[] = [];
  const held: HeldShortfall[] = [];
  let calls = 0;
  for (const batch of inBatches(figures, pusher.maxReadBatchSize ?? pusher.maxBatchSize)) {
    const shown = await rateLimited(connection.id, pusher, () =>
      pusher.read!(
        batch.map((f) => ({ key: f.key, externalId: f.externalId, sku: f.sku, ...(f.locationExternalId ? { locationExternalId: f.locationExternalId } : {}) })),
      ),
    );
    calls++;
    if (!shown.ok) {
      const error = `${shown.reason}: ${shown.detail ?? ""}`;
      await recordSyncRun(db, { shopId: input.shopId, connectionId: connection.id, kind: "reconcile", outcome: "failed", items: base.read, calls, error });
      return { ...base, outcome: "failed", error };
    }
    const byKey = new Map(shown.value.map((s) => [s.key, s.available]));
    for (const figure of batch) {
      const shown = byKey.get(figure.key);
      if (shown === undefined) continue;
      const verdict = judgeReading({ pushed: figure.lastPushedAvailable, shown, earlier: earlier.get(figure.key), now, ordersPolledAt });
      if (verdict.kind === "drift") drifted.push(figure);
      else if (verdict.kind === "pending_own_sale") held.push({ key: figure.key, pushed: figure.lastPushedAvailable, shown: shown!, firstSeenAt: verdict.firstSeenAt });
    }
    base.read += batch.length;
  }
  await recordReconciliation(db, { shopId: input.shopId, connectionId: connection.id, drifted, held });
  const outcome = drifted.length > 0 ? "drift_corrected" : "no_drift";
  await recordSyncRun(db, { shopId: input.shopId, connectionId: connection.id, kind: "reconcile", outcome, items: base.read, calls, drift: drifted.length });
  return { ...base, drift: drifted.length, pendingOwnSales: held.length, outcome };
}

/** inventory:reconcile: one connection, or (from the cron) one job per connected connection. */
export function inventoryReconcileTask(context: TaskContext): Task {
  return async (rawPayload, helpers) => {
    const payload = jobPayloadSchemas["inventory:reconcile"].parse(rawPayload);
    if (payload.shopId && payload.connectionId) {
      const summary = await reconcileConnectionStock({ ...context, connectors: connectorsOf(context) }, { shopId: payload.shopId, connectionId: payload.connectionId });
      if (summary.drift > 0 || summary.outcome === "failed") {
        helpers.logger.info(`reconcile ${summary.connectionId}: ${summary.outcome}, ${summary.drift} drifted of ${summary.read}, ${summary.pendingOwnSales} held as uncaptured own sales${summary.error ? `: ${summary.error}` : ""}`);
      }
      return;
    }
    for (const connection of await listConnectedConnections(context.db, payload.shopId)) {
      await enqueueJob(
        context.db,
        "inventory:reconcile",
        { shopId: connection.shopId, connectionId: connection.id },
        { jobKey: `stock-reconcile:${connection.id}`, queueName: `stock-sync:${connection.id}` },
      );
    }
  };
}
