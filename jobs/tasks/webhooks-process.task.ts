import type { Task } from "graphile-worker";
import { jobPayloadSchemas } from "../../db/queue/job-payloads";
import type { TaskContext } from "../task-context";
import { processDeliveryById, type ProcessDeliveryOutcome } from "../intake/delivery-processing";

export type { ProcessDeliveryOutcome };

/**
 * Processes one stored delivery: locked, parsed, its topic's handler run, its status recorded,
 * all in one transaction (see jobs/intake/delivery-processing.ts). Deliveries are normally
 * claimed in batches by the intake loop; this is the single-delivery path.
 */
export function processWebhookDelivery(context: TaskContext, deliveryRowId: number): Promise<ProcessDeliveryOutcome> {
  return processDeliveryById(context, deliveryRowId);
}

/**
 * webhooks/process: one stored delivery. Nothing enqueues it any more (the intake loop claims the
 * inbox, docs/adr/0015); it stays so jobs queued before the upgrade still drain.
 */
export function webhooksProcessTask(context: TaskContext): Task {
  return async (rawPayload, helpers) => {
    const payload = jobPayloadSchemas["webhooks/process"].parse(rawPayload);
    const outcome = await processWebhookDelivery(context, payload.deliveryRowId);
    const detail = outcome.delivery === "handled" ? `${outcome.status}${outcome.error ? `: ${outcome.error}` : outcome.note ? ` (${outcome.note})` : ""}` : outcome.delivery;
    helpers.logger.info(`delivery ${payload.deliveryRowId}: ${detail}`);
  };
}
