import type { Task } from "graphile-worker";
import { sendWmsMessage } from "../../connectors/wms/wms-webhook-sender";
import { credentialCipher } from "../../db/crypto/encryption-key";
import { loadHandoff, recordHandoffAttempt } from "../../db/repositories/wms-repository";
import { jobPayloadSchemas, type ParsedJobPayload } from "../../db/queue/job-payloads";
import type { TaskContext } from "../task-context";

export type HandoffOutcome = { status: "delivered" | "already_delivered" | "gone" | "inactive" | "shipment_cancelled" } | { status: "failed"; final: boolean; error: string };

/** Thrown when the WMS did not acknowledge, so graphile-worker retries with exponential backoff. */
export class WmsHandoffRetry extends Error {
  constructor(detail: string) {
    super(`WMS hand-off will be retried: ${detail}`);
    this.name = "WmsHandoffRetry";
  }
}

export async function handOffShipment(
  context: TaskContext,
  payload: ParsedJobPayload<"wms/handoff">,
  attempt: { attempts: number; maxAttempts: number },
): Promise<HandoffOutcome> {
  const handoff = await loadHandoff(context.db, payload.shopId, payload.handoffId);
  if (!handoff) return { status: "gone" };
  if (handoff.status === "delivered") return { status: "already_delivered" };
  if (!handoff.active) return { status: "inactive" };
  // Cancelled with its order before the WMS heard of it: there is nothing to pick.
  if (handoff.shipmentStatus === "cancelled") return { status: "shipment_cancelled" };
  const secret = (context.cipher ?? credentialCipher()).decrypt(handoff.secretEncrypted);
  const sent = await sendWmsMessage({
    url: handoff.url,
    secret,
    deliveryId: handoff.id,
    event: handoff.message.event,
    message: handoff.message,
    ...(context.fetch ? { fetch: context.fetch } : {}),
  });
  const final = !sent.delivered && attempt.attempts >= attempt.maxAttempts;
  await recordHandoffAttempt(context.db, {
    shopId: payload.shopId,
    handoffId: handoff.id,
    orderId: handoff.orderId,
    delivered: sent.delivered,
    httpStatus: sent.status,
    error: sent.delivered ? null : sent.error,
    finalFailure: final,
  });
  if (sent.delivered) return { status: "delivered" };
  return { status: "failed", final, error: sent.error };
}

/** wms/handoff: announce one shipment to one WMS endpoint; retried by graphile-worker until 2xx. */
export function wmsHandoffTask(context: TaskContext): Task {
  return async (rawPayload, helpers) => {
    const payload = jobPayloadSchemas["wms/handoff"].parse(rawPayload);
    const outcome = await handOffShipment(context, payload, { attempts: helpers.job.attempts, maxAttempts: helpers.job.max_attempts });
    helpers.logger.info(`WMS hand-off ${payload.handoffId}: ${outcome.status}`);
    if (outcome.status === "failed" && !outcome.final) throw new WmsHandoffRetry(outcome.error);
  };
}
