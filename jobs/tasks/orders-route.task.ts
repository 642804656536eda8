import type { Task } from "graphile-worker";
import { routePendingOrders, scheduleRouting } from "../../db/repositories/routing-repository";
import { jobPayloadSchemas } from "../../db/queue/job-payloads";
import type { TaskContext } from "../task-context";
import { fulfilmentFromChannelPayload } from "./order-fulfilment-method";

/** orders/route: every reserved order of the shop without a routing decision gets one. */
export function ordersRouteTask(context: TaskContext): Task {
  return async (rawPayload, helpers) => {
    const { shopId } = jobPayloadSchemas["orders/route"].parse(rawPayload);
    const result = await routePendingOrders(context.db, shopId, {
      ...(context.policies ? { policies: context.policies } : {}),
      resolveFulfilment: fulfilmentFromChannelPayload,
    });
    if (result.more) await scheduleRouting(context.db, shopId, 0);
    helpers.logger.debug(`routing: ${result.routed} routed, ${result.unroutable} unroutable, ${result.held} held`);
  };
}
