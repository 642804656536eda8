import type { Task } from "graphile-worker";
import { fillBackorders } from "../../db/repositories/backorder-repository";
import { enqueueJob } from "../../db/queue/job-queue";
import { jobPayloadSchemas } from "../../db/queue/job-payloads";
import type { TaskContext } from "../task-context";

/** orders/fill-backorders: freed stock goes to the oldest backordered orders first. */
export function ordersFillBackordersTask(context: TaskContext): Task {
  return async (rawPayload, helpers) => {
    const { shopId } = jobPayloadSchemas["orders/fill-backorders"].parse(rawPayload);
    const summary = await fillBackorders(context.db, shopId, { policies: context.policies });
    if (summary.more) await enqueueJob(context.db, "orders/fill-backorders", { shopId }, { jobKey: `fill-backorders:${shopId}` });
    helpers.logger.debug(`backorders: ${summary.filled} filled, ${summary.improved} improved of ${summary.examined}`);
  };
}
