import type { Task } from "graphile-worker";
import { createExchangeOrder } from "../../db/repositories/return-exchange-repository";
import { jobPayloadSchemas } from "../../db/queue/job-payloads";
import type { TaskContext } from "../task-context";

/** returns/create-exchange-order: the exchange's new items, reserved as an order of their own. */
export function returnsCreateExchangeOrderTask(context: TaskContext): Task {
  return async (rawPayload, helpers) => {
    const payload = jobPayloadSchemas["returns/create-exchange-order"].parse(rawPayload);
    const outcome = await createExchangeOrder(context.db, payload, context.policies);
    helpers.logger.debug(`exchange order for return ${payload.returnId}: ${"skipped" in outcome ? outcome.skipped : outcome.orderId}`);
  };
}
