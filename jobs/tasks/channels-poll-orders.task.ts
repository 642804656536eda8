import type { Task } from "graphile-worker";
import { capturesOrdersByPoll, channelModuleFor, openChannelConnection } from "../../connectors/channel-connectors";
import { findPollableConnections, findChannelConnectionRecord, mergeConnectionSettings, recordConnectionError } from "../../db/repositories/channel-connection-repository";
import { enqueueJob } from "../../db/queue/job-queue";
import { jobPayloadSchemas } from "../../db/queue/job-payloads";
import { storeDelivery } from "../../db/repositories/webhook-inbox-repository";
import { connectorsOf, type TaskContext } from "../task-context";

/**
 * Order capture by polling (eBay; WooCommerce's fallback to webhooks): one connection's orders
 * changed since its stored cursor, page by page, each order version stored once in the inbox
 * (where the intake maps and ingests it like a webhook), then the cursor advanced. Storing comes
 * before advancing, so a crash re-reads a page and the inbox deduplicates it. A throttled or
 * unreachable channel throws, and graphile-worker retries this connection alone with backoff.
 */

/** Pages per run: a backlog is worked off over several runs instead of one long job. */
const MAX_PAGES_PER_RUN = 20;

export interface PollOutcome {
  status: "polled" | "skipped";
  stored: number;
  duplicates: number;
  pages: number;
  detail?: string;
}

export class ChannelPollRetry extends Error {
  override name = "ChannelPollRetry";
}

export async function pollConnectionOrders(context: TaskContext, connectionId: string): Promise<PollOutcome> {
  const { db } = context;
  const connectors = connectorsOf(context);
  const connection = await findChannelConnectionRecord(db, connectionId);
  if (!connection || connection.status !== "connected") return { status: "skipped", stored: 0, duplicates: 0, pages: 0, detail: "connection is not connected" };
  const opened = openChannelConnection(connectors, connection);
  if (!opened.ok || !opened.value.orderPoller) {
    const detail = opened.ok ? `${opened.value.module.displayName} cannot poll orders` : `${opened.reason}: ${opened.detail ?? ""}`;
    return { status: "skipped", stored: 0, duplicates: 0, pages: 0, detail };
  }
  let cursor = typeof connection.settings.pollCursor === "string" ? connection.settings.pollCursor : null;
  const outcome: PollOutcome = { status: "polled", stored: 0, duplicates: 0, pages: 0 };
  for (let page = 0; page < MAX_PAGES_PER_RUN; page++) {
    const answer = await opened.value.orderPoller.fetchOrders(cursor);
    if (!answer.ok) {
      await recordConnectionError(db, connection.id, `order poll: ${answer.reason}${answer.detail ? `: ${answer.detail}` : ""}`);
      if (answer.reason === "rate_limited" || answer.reason === "unavailable") throw new ChannelPollRetry(`${connection.channel} poll: ${answer.reason} ${answer.detail ?? ""}`);
      return { ...outcome, status: "skipped", detail: answer.detail ?? answer.reason };
    }
    for (const delivery of answer.value.deliveries ?? []) {
      const stored = await storeDelivery(db, { shopId: connection.shopId, channel: connection.channel, ...delivery });
      if (stored.stored) outcome.stored++;
      else outcome.duplicates++;
    }
    cursor = answer.value.nextCursor;
    await mergeConnectionSettings(db, connection.id, { pollCursor: cursor, lastPolledAt: new Date().toISOString() });
    outcome.pages++;
    if (!answer.value.hasMore) break;
  }
  return outcome;
}

/** channels/poll-orders: one connection. */
export function channelsPollOrdersTask(context: TaskContext): Task {
  return async (rawPayload, helpers) => {
    const payload = jobPayloadSchemas["channels/poll-orders"].parse(rawPayload);
    const outcome = await pollConnectionOrders(context, payload.connectionId);
    helpers.logger.info(`poll ${payload.connectionId}: ${outcome.status}, ${outcome.stored} stored, ${outcome.duplicates} already known, ${outcome.pages} pages${outcome.detail ? ` (${outcome.detail})` : ""}`);
  };
}

/**
 * channels:poll-due (cron, every minute): one poll job per connected connection whose module
 * captures orders by polling, unless it has webhooks and the merchant did not ask for polling
 * as a fallback (settings.pollOrders). One job per connection, so a throttled channel never
 * delays another's orders; the job key keeps one pending poll per connection.
 */
export function channelsPollDueTask(context: TaskContext): Task {
  return async (_payload, helpers) => {
    const connectors = connectorsOf(context);
    const connections = await findPollableConnections(context.db);
    let queued = 0;
    for (const connection of connections) {
      const module = channelModuleFor(connectors, connection.channel);
      if (!module || !capturesOrdersByPoll(module, connection.settings)) continue;
      await enqueueJob(context.db, "channels/poll-orders", { connectionId: connection.id }, { jobKey: `poll-orders:${connection.id}` });
      queued++;
    }
    helpers.logger.info(`queued ${queued} order polls`);
  };
}
