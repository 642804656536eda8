import type { Task } from "graphile-worker";
import { channelWriteWording } from "../../core/channels/channel-write-policy";
import { loadOrderForChannelWrite, recordCancellationSent } from "../../db/repositories/channel-write-repository";
import { jobPayloadSchemas, type ParsedJobPayload } from "../../db/queue/job-payloads";
import type { TaskContext } from "../task-context";
import { handleWriteFailure, writerForOrder, type ChannelWriteAttempt, type ChannelWriteOutcome } from "./channel-write";

/**
 * Tells the source channel that the merchant cancelled the order in Switchyard. Only orders
 * still cancelled here are sent: a cancellation the channel itself sent arrives through ingest
 * and never queues this job, so nothing echoes back.
 */
export async function sendCancellationToChannel(
  context: TaskContext,
  payload: ParsedJobPayload<"channels/cancel-order">,
  attempt: ChannelWriteAttempt,
): Promise<ChannelWriteOutcome> {
  const order = await loadOrderForChannelWrite(context.db, payload.shopId, payload.orderId);
  if (!order || order.status !== "cancelled") return { status: "gone" };
  const found = await writerForOrder(context, order, "cancel_order");
  if (!found.ok) return found.outcome;
  const result = await found.writer.cancelOrder({
    orderExternalId: order.externalId,
    reason: "other",
    note: "Cancelled in Switchyard",
    notifyCustomer: true,
    idempotencyKey: `cancel-order:${order.id}`,
  });
  if (!result.ok) {
    return handleWriteFailure(context, { order, operation: "cancel_order", failure: result, attempt, connectionId: found.connection.id });
  }
  await recordCancellationSent(context.db, {
    shopId: order.shopId,
    orderId: order.id,
    connectionId: found.connection.id,
    alreadyCancelled: result.value.alreadyCancelled,
    message: channelWriteWording.sent("cancel_order", order.channel, result.value.alreadyCancelled ? "it was already cancelled there" : undefined),
  });
  return { status: result.value.alreadyCancelled ? "already_done" : "sent" };
}

/** channels/cancel-order: one order's cancellation to its channel (job key per order). */
export function channelsCancelOrderTask(context: TaskContext): Task {
  return async (rawPayload, helpers) => {
    const payload = jobPayloadSchemas["channels/cancel-order"].parse(rawPayload);
    const outcome = await sendCancellationToChannel(context, payload, { attempts: helpers.job.attempts, maxAttempts: helpers.job.max_attempts });
    helpers.logger.info(`cancel order ${payload.orderId} on channel: ${outcome.status}${outcome.status === "failed" ? ` (${outcome.reason})` : ""}`);
  };
}
