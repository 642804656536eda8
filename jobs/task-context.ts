import type { Database } from "../db/client";
import type { Policies } from "../core/config/default-policies";

/** What every task needs from the process that runs it; built once by the worker. */
export interface TaskContext {
  db: Database;
  policies?: Policies;
}
