import type { Task } from "graphile-worker";
import { channelDisplayName, channelWriteFailureDecision } from "../../core/channels/channel-write-policy";
import type { ChannelFailure } from "../../core/ports/channel-connector-port";
import { channelHas, openChannelConnection } from "../../connectors/channel-connectors";
import { findConnectedConnection } from "../../db/repositories/channel-write-repository";
import { loadReturnForChannelWrite, recordChannelReturnWrite, type ChannelReturnWriteEvent } from "../../db/repositories/channel-return-write-repository";
import { jobPayloadSchemas, type ParsedJobPayload } from "../../db/queue/job-payloads";
import { connectorsOf, type TaskContext } from "../task-context";

/**
 * A return decided or refunded in Switchyard, written to the order's channel: eBay's decide for a
 * return eBay keeps, the refund on eBay (issue_refund) or WooCommerce (POST orders/{id}/refunds).
 * A channel without the matching returns method has nothing to do; a transient failure throws
 * for graphile-worker's backoff, anything else is written on the return's timeline for a person.
 */

export type ReturnWriteOutcome = "sent" | "already_done" | "nothing_to_do" | "failed";

export class ReturnWriteRetry extends Error {
  override name = "ReturnWriteRetry";
}

export async function writeReturnToChannel(
  context: TaskContext,
  payload: ParsedJobPayload<"returns/channel-write">,
  attempt: { attempts: number; maxAttempts: number },
): Promise<ReturnWriteOutcome> {
  const { db } = context;
  const connectors = connectorsOf(context);
  const rma = await loadReturnForChannelWrite(db, payload.shopId, payload.returnId);
  if (!rma || !channelHas(connectors, rma.orderChannel, "returns")) return "nothing_to_do";
  const channelKeepsIt = rma.source === rma.orderChannel && rma.externalId !== null;
  // Decisions only matter to a channel that holds the return itself (eBay); a refund to every channel that takes one.
  if (payload.event !== "refund" && !channelKeepsIt) return "nothing_to_do";
  const name = channelDisplayName(rma.orderChannel);
  const connection = await findConnectedConnection(db, rma.shopId, rma.orderChannel);
  if (!connection) {
    await recordChannelReturnWrite(db, { shopId: rma.shopId, returnId: rma.id, event: payload.event, ok: false, message: `${wording(payload.event)} not sent: no connected ${name} connection` });
    return "failed";
  }
  const opened = openChannelConnection(connectors, connection);
  if (!opened.ok) {
    await recordChannelReturnWrite(db, { shopId: rma.shopId, returnId: rma.id, event: payload.event, ok: false, message: `${wording(payload.event)} not sent to ${name}: ${opened.detail ?? opened.reason}` });
    return "failed";
  }
  const returnsApi = opened.value.returns;
  const fail = async (failure: ChannelFailure): Promise<ReturnWriteOutcome> => {
    if (channelWriteFailureDecision(failure.reason, attempt) === "retry") throw new ReturnWriteRetry(`${payload.event} on ${name}: ${failure.reason} ${failure.detail ?? ""}`);
    await recordChannelReturnWrite(db, { shopId: rma.shopId, returnId: rma.id, event: payload.event, ok: false, message: `${wording(payload.event)} refused by ${name}: ${failure.detail ?? failure.reason}` });
    return "failed";
  };

  if (payload.event === "refund") {
    if (!returnsApi?.refund) return "nothing_to_do";
    const refunded = await returnsApi.refund({
      externalOrderId: rma.orderExternalId,
      ...(channelKeepsIt ? { externalReturnId: rma.externalId! } : {}),
      currency: rma.currency,
      amountMinor: rma.payoutMinor,
      lines: rma.lines.map((line) => ({ externalLineId: line.externalLineId, quantity: line.quantity, amountMinor: line.amountMinor })),
      reason: `return ${rma.rmaNumber} (${[...new Set(rma.lines.map((l) => l.reason))].join(", ")})`,
      reference: rma.rmaNumber,
    });
    if (!refunded.ok) return fail(refunded);
    await recordChannelReturnWrite(db, {
      shopId: rma.shopId,
      returnId: rma.id,
      event: "refund",
      ok: true,
      reference: `${rma.orderChannel}:${refunded.value.reference}`,
      message: refunded.value.alreadyDone ? `Refund already on ${name} (${refunded.value.reference}); not paid twice` : `Refund sent to ${name} (${refunded.value.reference})`,
    });
    return refunded.value.alreadyDone ? "already_done" : "sent";
  }

  if (!returnsApi?.decide) return "nothing_to_do";
  const decided = await returnsApi.decide({
    externalReturnId: rma.externalId!,
    approve: payload.event === "approve",
    ...(payload.event === "decline" && rma.declineReason ? { comment: rma.declineReason } : {}),
  });
  if (!decided.ok) return fail(decided);
  await recordChannelReturnWrite(db, { shopId: rma.shopId, returnId: rma.id, event: payload.event, ok: true, message: `${wording(payload.event)} sent to ${name}` });
  return "sent";
}

function wording(event: ChannelReturnWriteEvent): string {
  return event === "approve" ? "Approval" : event === "decline" ? "Decline" : "Refund";
}

/** returns/channel-write: one decision or refund of one return (job key per return and event). */
export function returnsChannelWriteTask(context: TaskContext): Task {
  return async (rawPayload, helpers) => {
    const payload = jobPayloadSchemas["returns/channel-write"].parse(rawPayload);
    const outcome = await writeReturnToChannel(context, payload, { attempts: helpers.job.attempts, maxAttempts: helpers.job.max_attempts });
    helpers.logger.info(`return ${payload.returnId} ${payload.event} on channel: ${outcome}`);
  };
}
