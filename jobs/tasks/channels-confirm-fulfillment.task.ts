import type { Task } from "graphile-worker";
import { channelWriteWording } from "../../core/channels/channel-write-policy";
import { loadShipmentForChannelWrite, recordChannelWriteFailure, recordFulfillmentConfirmed } from "../../db/repositories/channel-write-repository";
import { jobPayloadSchemas, type ParsedJobPayload } from "../../db/queue/job-payloads";
import type { TaskContext } from "../task-context";
import { handleWriteFailure, writerForOrder, type ChannelWriteAttempt, type ChannelWriteOutcome } from "./channel-write";

/**
 * Confirms one shipment on the order's source channel with its tracking, from the location it
 * left (when that location mirrors one of the channel's) and for the lines it carried.
 */
export async function confirmShipmentOnChannel(
  context: TaskContext,
  payload: ParsedJobPayload<"channels/confirm-fulfillment">,
  attempt: ChannelWriteAttempt,
): Promise<ChannelWriteOutcome> {
  const shipment = await loadShipmentForChannelWrite(context.db, payload.shopId, payload.shipmentId);
  if (!shipment) return { status: "gone" };
  if (shipment.channelConfirmedAt) return { status: "already_done" };
  const { order } = shipment;
  const found = await writerForOrder(context, order, "confirm_fulfillment", shipment.id);
  if (!found.ok) return found.outcome;
  if (!shipment.carrier || !shipment.trackingNumber) {
    const recorded = await recordChannelWriteFailure(context.db, {
      shopId: order.shopId,
      orderId: order.id,
      operation: "confirm_fulfillment",
      channel: order.channel,
      reason: "no_tracking",
      shipmentId: shipment.id,
      connectionId: found.connection.id,
      message: channelWriteWording.failed("confirm_fulfillment", order.channel, "the shipment has no carrier or tracking number"),
    });
    return { status: "failed", reason: "no_tracking", exceptionRaised: recorded.exceptionRaised };
  }
  const result = await found.writer.confirmFulfillment({
    orderExternalId: order.externalId,
    ...(shipment.lines.length > 0 ? { lines: shipment.lines } : {}),
    tracking: {
      carrier: shipment.carrier,
      trackingNumber: shipment.trackingNumber,
      ...(shipment.trackingUrl ? { trackingUrl: shipment.trackingUrl } : {}),
      shippedAt: shipment.shippedAt ?? new Date(),
    },
    notifyCustomer: true,
    idempotencyKey: `confirm-fulfillment:${shipment.id}`,
    ...(shipment.locationExternalId ? { channelLocationId: shipment.locationExternalId } : {}),
    knownExternalFulfillmentIds: shipment.siblingFulfillmentIds,
  });
  if (!result.ok) {
    return handleWriteFailure(context, {
      order,
      operation: "confirm_fulfillment",
      failure: result,
      attempt,
      connectionId: found.connection.id,
      shipmentId: shipment.id,
    });
  }
  const alreadyConfirmed = result.value.alreadyConfirmed ?? false;
  await recordFulfillmentConfirmed(context.db, {
    shopId: order.shopId,
    orderId: order.id,
    shipmentId: shipment.id,
    externalFulfillmentId: result.value.externalFulfillmentId,
    alreadyConfirmed,
    connectionId: found.connection.id,
    message: channelWriteWording.sent("confirm_fulfillment", order.channel, `tracking ${shipment.carrier} ${shipment.trackingNumber}`),
  });
  return { status: alreadyConfirmed ? "already_done" : "sent" };
}

/** channels/confirm-fulfillment: one shipment's confirmation to its channel (job key per shipment). */
export function channelsConfirmFulfillmentTask(context: TaskContext): Task {
  return async (rawPayload, helpers) => {
    const payload = jobPayloadSchemas["channels/confirm-fulfillment"].parse(rawPayload);
    const outcome = await confirmShipmentOnChannel(context, payload, { attempts: helpers.job.attempts, maxAttempts: helpers.job.max_attempts });
    helpers.logger.info(`confirm shipment ${payload.shipmentId} on channel: ${outcome.status}${outcome.status === "failed" ? ` (${outcome.reason})` : ""}`);
  };
}
