import type { Task } from "graphile-worker";
import { jobPayloadSchemas } from "../../db/queue/job-payloads";
import { INTERRUPTED_PURCHASE_AGE_SECONDS, queueInterruptedPurchaseSettlements } from "../../db/repositories/interrupted-label-purchase-repository";
import type { TaskContext } from "../task-context";

/**
 * labels:settle-interrupted (from the crontab) finds label purchases left `buying` by a job that
 * stopped for good, shipments' and returns' alike, and queues for each a settle-only run of its
 * label job (ADR 0009): the provider is asked, the label it bought is recorded (or, for a
 * shipment no longer waiting, refunded), none ends the attempt failed; nothing is bought.
 */
export function labelsSettleInterruptedTask(context: TaskContext): Task {
  return async (rawPayload, helpers) => {
    jobPayloadSchemas["labels:settle-interrupted"].parse(rawPayload);
    const queued = await queueInterruptedPurchaseSettlements(context.db, { olderThanSeconds: INTERRUPTED_PURCHASE_AGE_SECONDS });
    if (queued.shipments + queued.returns > 0) {
      helpers.logger.info(`interrupted label purchases queued for settling: ${queued.shipments} shipment(s), ${queued.returns} return(s)`);
    }
  };
}
