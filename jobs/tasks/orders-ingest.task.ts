import type { Task } from "graphile-worker";
import { ingestOrder } from "../../db/repositories/order-ingest-repository";
import { markDeliveryProcessed } from "../../db/repositories/webhook-inbox-repository";
import { jobPayloadSchemas } from "../../db/queue/job-payloads";
import type { TaskContext } from "../task-context";

/** orders/ingest: a validated unified order -> upsert, reserve, timeline (one transaction). */
export function ordersIngestTask(context: TaskContext): Task {
  return async (rawPayload, helpers) => {
    const payload = jobPayloadSchemas["orders/ingest"].parse(rawPayload);
    const result = await ingestOrder(context.db, { shopId: payload.shopId, order: payload.order, actor: payload.actor });
    if (payload.deliveryRowId !== undefined) {
      await markDeliveryProcessed(context.db, payload.deliveryRowId, result.outcome === "unchanged" ? "ignored_stale" : "processed");
    }
    helpers.logger.debug(`ingested ${payload.order.channel} ${payload.order.number}: ${result.outcome} ${result.status}`);
  };
}
