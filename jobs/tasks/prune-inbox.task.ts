import type { Task } from "graphile-worker";
import { sql } from "drizzle-orm";
import type { TaskContext } from "../task-context";

/** Deliveries that did their work are pruned after 30 days; failed ones stay until a person looks. */
export function pruneInboxTask(context: TaskContext): Task {
  return async (_payload, helpers) => {
    const result = await context.db.execute(sql`
      DELETE FROM webhook_deliveries
       WHERE status IN ('processed', 'ignored_stale') AND received_at < now() - interval '30 days'`);
    helpers.logger.info(`pruned ${result.rowCount ?? 0} webhook deliveries`);
  };
}
