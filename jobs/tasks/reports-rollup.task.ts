import type { Task } from "graphile-worker";
import { refreshAllOrderDayRollups, refreshOrderDayRollups } from "../../db/repositories/order-rollup-repository";
import { jobPayloadSchemas } from "../../db/queue/job-payloads";
import type { TaskContext } from "../task-context";

/**
 * reports:rollup (a colon: crontab identifiers take no slash) brings the dashboard's per-day
 * rollups up to the orders changed since each shop's watermark. Runs from the crontab every
 * minute (one job, coalesced by its key), outside any order's transaction; the dashboard stays
 * exact in between by recounting the changed days.
 */
export function reportsRollupTask(context: TaskContext): Task {
  return async (rawPayload, helpers) => {
    const { shopId } = jobPayloadSchemas["reports:rollup"].parse(rawPayload);
    const refreshed = shopId
      ? [await context.db.transaction((tx) => refreshOrderDayRollups(tx, shopId))]
      : await refreshAllOrderDayRollups(context.db);
    for (const refresh of refreshed) {
      helpers.logger.debug(`rollups: shop ${refresh.shopId}, ${refresh.days} day(s) recomputed, complete before ${refresh.ordersUpdatedBefore}`);
    }
  };
}
