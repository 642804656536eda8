import type { Task } from "graphile-worker";
import { pruneInbox } from "../../db/repositories/inbox-retention-repository";
import type { TaskContext } from "../task-context";

/**
 * The inbox keeps deliveries only as long as they serve a purpose, because their payloads hold
 * customers' personal data: processed ones 30 days (inspection, re-mapping), failed ones 30 days
 * (a person looks, or retries after a fix), deliveries for a shop that is not installed 7 days
 * (nothing will ever process them). Counts only in the log, never payloads.
 */
export function pruneInboxTask(context: TaskContext): Task {
  return async (_payload, helpers) => {
    const pruned = await pruneInbox(context.db);
    helpers.logger.info(`pruned webhook deliveries: ${pruned.processed} processed, ${pruned.failed} failed, ${pruned.unknownShop} for unknown shops`);
  };
}
