import type { Task } from "graphile-worker";
import { refreshAllReturnRollups, refreshReturnRollups } from "../../db/repositories/return-rollup-repository";
import { jobPayloadSchemas } from "../../db/queue/job-payloads";
import type { TaskContext } from "../task-context";

/**
 * reports:returns-rollup brings the return-rate rollups (units sold and returned per day,
 * channel, product and reason) up to the orders and returns changed since each shop's
 * watermark. From the crontab every minute, one job by its key, outside any writer's transaction.
 */
export function reportsReturnsRollupTask(context: TaskContext): Task {
  return async (rawPayload, helpers) => {
    const { shopId } = jobPayloadSchemas["reports:returns-rollup"].parse(rawPayload);
    const refreshed = shopId ? [await context.db.transaction((tx) => refreshReturnRollups(tx, shopId))] : await refreshAllReturnRollups(context.db);
    for (const r of refreshed) helpers.logger.debug(`returns rollups: shop ${r.shopId}, ${r.salesDays} sales day(s), ${r.returnDays} return day(s), complete before ${r.completeBefore}`);
  };
}
