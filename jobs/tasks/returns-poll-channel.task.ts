import type { Task } from "graphile-worker";
import { channelHas, openChannelConnection } from "../../connectors/channel-connectors";
import { findChannelConnectionRecord, findPollableConnections, mergeConnectionSettings, recordConnectionError } from "../../db/repositories/channel-connection-repository";
import { recordChannelReturns, type ChannelReturnImport } from "../../db/repositories/channel-return-repository";
import { enqueueJob } from "../../db/queue/job-queue";
import { jobPayloadSchemas } from "../../db/queue/job-payloads";
import { connectorsOf, type TaskContext } from "../task-context";

/**
 * Marketplace returns into the one queue: one connection's returns read from its channel since
 * the stored watermark (settings.returnsCursor), page by page, each return stored once and placed
 * or moved on its RMA, then the watermark advanced. Storing comes before advancing, so a crash
 * re-reads a page, which changes nothing the second time. A throttled or unreachable channel
 * throws, and graphile-worker retries this connection alone with backoff.
 */

const MAX_PAGES_PER_RUN = 20;

export class ReturnsPollRetry extends Error {
  override name = "ReturnsPollRetry";
}

export interface ReturnsPollOutcome extends ChannelReturnImport {
  status: "polled" | "skipped";
  pages: number;
  detail?: string;
}

export async function pollConnectionReturns(context: TaskContext, connectionId: string): Promise<ReturnsPollOutcome> {
  const { db } = context;
  const outcome: ReturnsPollOutcome = { status: "polled", pages: 0, created: 0, moved: 0, unchanged: 0, problems: 0 };
  const connection = await findChannelConnectionRecord(db, connectionId);
  if (!connection || connection.status !== "connected") return { ...outcome, status: "skipped", detail: "connection is not connected" };
  const opened = openChannelConnection(connectorsOf(context), connection);
  const reader = opened.ok ? opened.value.returns?.fetchReturns : undefined;
  if (!opened.ok || !reader) return { ...outcome, status: "skipped", detail: opened.ok ? `${opened.value.module.displayName} keeps no returns to read` : `${opened.reason}: ${opened.detail ?? ""}` };
  let cursor = typeof connection.settings.returnsCursor === "string" ? connection.settings.returnsCursor : null;
  for (let page = 0; page < MAX_PAGES_PER_RUN; page++) {
    const answer = await reader(cursor);
    if (!answer.ok) {
      await recordConnectionError(db, connection.id, `returns poll: ${answer.reason}${answer.detail ? `: ${answer.detail}` : ""}`);
      if (answer.reason === "rate_limited" || answer.reason === "unavailable") throw new ReturnsPollRetry(`${connection.channel} returns: ${answer.reason} ${answer.detail ?? ""}`);
      return { ...outcome, status: "skipped", detail: answer.detail ?? answer.reason };
    }
    const imported = await recordChannelReturns(db, { id: connection.id, shopId: connection.shopId, channel: connection.channel }, answer.value);
    outcome.created += imported.created;
    outcome.moved += imported.moved;
    outcome.unchanged += imported.unchanged;
    outcome.problems += imported.problems;
    cursor = answer.value.nextCursor;
    await mergeConnectionSettings(db, connection.id, { returnsCursor: cursor, returnsPolledAt: new Date().toISOString() });
    outcome.pages++;
    if (!answer.value.hasMore) break;
  }
  return outcome;
}

/** returns/poll-channel: one connection. */
export function returnsPollChannelTask(context: TaskContext): Task {
  return async (rawPayload, helpers) => {
    const payload = jobPayloadSchemas["returns/poll-channel"].parse(rawPayload);
    const o = await pollConnectionReturns(context, payload.connectionId);
    helpers.logger.info(`returns ${payload.connectionId}: ${o.status}, ${o.created} new, ${o.moved} moved, ${o.unchanged} unchanged, ${o.problems} with a problem, ${o.pages} pages${o.detail ? ` (${o.detail})` : ""}`);
  };
}

/**
 * returns:poll-due (cron, every minute): one returns poll per connected connection whose channel
 * keeps returns of its own (its module's returns capability reads them). One job per connection
 * under a job key, so a slow channel never delays another's.
 */
export function returnsPollDueTask(context: TaskContext): Task {
  return async (_payload, helpers) => {
    const connectors = connectorsOf(context);
    let queued = 0;
    for (const connection of await findPollableConnections(context.db)) {
      if (!channelHas(connectors, connection.channel, "returns")) continue;
      const record = await findChannelConnectionRecord(context.db, connection.id);
      if (!record) continue;
      const opened = openChannelConnection(connectors, record);
      if (!opened.ok || !opened.value.returns?.fetchReturns) continue;
      await enqueueJob(context.db, "returns/poll-channel", { connectionId: connection.id }, { jobKey: `poll-returns:${connection.id}` });
      queued++;
    }
    helpers.logger.info(`queued ${queued} returns polls`);
  };
}
