import type { Database } from "../db/client";
import type { Policies } from "../core/config/default-policies";
import type { ChannelConnectorRegistry } from "../connectors/channel-connector-registry";

/** What every task needs from the process that runs it; built once by the worker. */
export interface TaskContext {
  db: Database;
  policies?: Policies;
  /** Builds channel connectors from stored connections; tests pass one that returns fakes. */
  connectors?: ChannelConnectorRegistry;
}
