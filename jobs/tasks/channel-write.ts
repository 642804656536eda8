import { channelDisplayName, channelWriteFailureDecision, channelWriteWording, type ChannelWriteOperation } from "../../core/channels/channel-write-policy";
import { isExchangeOrder } from "../../core/returns/exchange-order";
import type { ChannelFailure, ChannelOrderWriter } from "../../core/ports/channel-connector-port";
import type { ChannelConnectionRecord } from "../../core/ports/channel-module-port";
import { channelHas, openChannelConnection } from "../../connectors/channel-connectors";
import {
  findConnectedConnection,
  recordChannelWriteFailure,
  recordChannelWriteNote,
  type OrderForChannelWrite,
} from "../../db/repositories/channel-write-repository";
import { connectorsOf, type TaskContext } from "../task-context";

/**
 * What the two channel-write tasks share: finding the order's channel connection and its
 * writer, and turning a failed call into a retry (throw) or a recorded exception (value).
 */

export interface ChannelWriteAttempt {
  /** graphile-worker's attempt counter for this job (1 on the first run). */
  attempts: number;
  maxAttempts: number;
}

export type ChannelWriteOutcome =
  | { status: "sent" }
  | { status: "already_done" }
  | { status: "no_connector" }
  | { status: "failed"; reason: string; exceptionRaised: boolean }
  | { status: "gone" };

/** Thrown for a transport failure so graphile-worker retries the job with backoff. */
export class ChannelWriteRetry extends Error {
  constructor(
    readonly failure: ChannelFailure,
    operation: ChannelWriteOperation,
  ) {
    super(`${operation} will be retried: ${failure.reason}${failure.detail ? `: ${failure.detail}` : ""}`);
    this.name = "ChannelWriteRetry";
  }
}

export type WriterLookup =
  | { ok: true; writer: ChannelOrderWriter; connection: ChannelConnectionRecord }
  | { ok: false; outcome: ChannelWriteOutcome };

/**
 * The writer for the order's channel, or the outcome already recorded when there is none:
 * a channel without a connector gets a timeline note (nothing is wrong, nothing to retry); a
 * missing or unusable connection is something the merchant must fix, so it is an exception.
 */
export async function writerForOrder(
  context: TaskContext,
  order: OrderForChannelWrite,
  operation: ChannelWriteOperation,
  shipmentId?: string,
): Promise<WriterLookup> {
  const { db } = context;
  const connectors = connectorsOf(context);
  const link = { shopId: order.shopId, orderId: order.id, operation, ...(shipmentId ? { shipmentId } : {}) };
  if (isExchangeOrder(order.externalId)) {
    await recordChannelWriteNote(db, { ...link, message: `Exchange order: nothing sent to ${channelDisplayName(order.channel)}, which knows it through the return` });
    return { ok: false, outcome: { status: "no_connector" } };
  }
  if (!channelHas(connectors, order.channel, "write_back")) {
    await recordChannelWriteNote(db, { ...link, message: channelWriteWording.noConnector(operation, order.channel) });
    return { ok: false, outcome: { status: "no_connector" } };
  }
  const connection = await findConnectedConnection(db, order.shopId, order.channel);
  if (!connection) {
    const problem = `no connected ${channelDisplayName(order.channel)} connection`;
    const recorded = await recordChannelWriteFailure(db, {
      ...link,
      channel: order.channel,
      reason: "no_connection",
      message: channelWriteWording.failed(operation, order.channel, problem),
    });
    return { ok: false, outcome: { status: "failed", reason: "no_connection", exceptionRaised: recorded.exceptionRaised } };
  }
  const opened = openChannelConnection(connectors, connection);
  const lookup = !opened.ok
    ? opened
    : opened.value.orderWriter
      ? ({ ok: true, value: opened.value.orderWriter } as const)
      : ({ ok: false, reason: "no_connector", detail: `${opened.value.module.displayName} has no write-back` } as const);
  if (!lookup.ok) {
    if (lookup.reason === "no_connector") {
      await recordChannelWriteNote(db, { ...link, message: channelWriteWording.noConnector(operation, order.channel) });
      return { ok: false, outcome: { status: "no_connector" } };
    }
    const recorded = await recordChannelWriteFailure(db, {
      ...link,
      channel: order.channel,
      reason: lookup.reason,
      ...(lookup.detail ? { detail: lookup.detail } : {}),
      connectionId: connection.id,
      message: channelWriteWording.failed(operation, order.channel, lookup.detail ?? lookup.reason),
    });
    return { ok: false, outcome: { status: "failed", reason: lookup.reason, exceptionRaised: recorded.exceptionRaised } };
  }
  return { ok: true, writer: lookup.value, connection };
}

/** Throws for a failure worth retrying; records everything else and returns the outcome. */
export async function handleWriteFailure(
  context: TaskContext,
  input: { order: OrderForChannelWrite; operation: ChannelWriteOperation; failure: ChannelFailure; attempt: ChannelWriteAttempt; connectionId: string; shipmentId?: string },
): Promise<ChannelWriteOutcome> {
  const { order, operation, failure } = input;
  if (channelWriteFailureDecision(failure.reason, input.attempt) === "retry") throw new ChannelWriteRetry(failure, operation);
  const problem = failure.detail ? `${failure.reason} (${failure.detail})` : failure.reason;
  const recorded = await recordChannelWriteFailure(context.db, {
    shopId: order.shopId,
    orderId: order.id,
    operation,
    channel: order.channel,
    reason: failure.reason,
    ...(failure.detail ? { detail: failure.detail } : {}),
    connectionId: input.connectionId,
    ...(input.shipmentId ? { shipmentId: input.shipmentId } : {}),
    message: channelWriteWording.failed(operation, order.channel, problem),
  });
  return { status: "failed", reason: failure.reason, exceptionRaised: recorded.exceptionRaised };
}
