import type { Task } from "graphile-worker";
import { DEFAULT_ROUTING_DEFERRAL, decideRoutingDeferral } from "../../core/routing/routing-deferral";
import { routePendingOrders, routingWaitState, scheduleRouting } from "../../db/repositories/routing-repository";
import { jobPayloadSchemas } from "../../db/queue/job-payloads";
import type { TaskContext } from "../task-context";
import { fulfilmentFromOrderSource } from "./order-fulfilment-method";

/**
 * orders/route: every reserved order of the shop without a routing decision gets one — after the
 * shop's intake has caught up with a burst, or once an order has waited the longest allowed
 * (core/routing/routing-deferral.ts).
 */
export function ordersRouteTask(context: TaskContext): Task {
  return async (rawPayload, helpers) => {
    const { shopId } = jobPayloadSchemas["orders/route"].parse(rawPayload);
    const deferral = decideRoutingDeferral(await routingWaitState(context.db, shopId, DEFAULT_ROUTING_DEFERRAL.backlogThreshold));
    if (deferral.defer) {
      await scheduleRouting(context.db, shopId, deferral.retryMs);
      helpers.logger.debug(`routing waits ${deferral.retryMs} ms: the shop's intake is behind`);
      return;
    }
    const result = await routePendingOrders(context.db, shopId, {
      ...(context.policies ? { policies: context.policies } : {}),
      resolveFulfilment: fulfilmentFromOrderSource,
    });
    if (result.more) await scheduleRouting(context.db, shopId, 0);
    helpers.logger.debug(`routing: ${result.routed} routed, ${result.unroutable} unroutable, ${result.held} held`);
  };
}
