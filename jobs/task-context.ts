import type { Database } from "../db/client";
import type { Policies } from "../core/config/default-policies";
import type { ChannelConnectors } from "../connectors/channel-connectors";
import type { CarrierGatewayFactory } from "../connectors/easypost/easypost-account-gateway";
import type { CredentialCipher } from "../db/crypto/credential-cipher";

/** What every task needs from the process that runs it; built once by the composition root (server/). */
export interface TaskContext {
  db: Database;
  policies?: Policies;
  /** The channel modules and credential store (server/channel-modules.ts); tests pass fakes. */
  connectors?: ChannelConnectors;
  /** Builds the label provider's gateway from a stored carrier account; tests wrap it. */
  carrierGateways?: CarrierGatewayFactory;
  /** Decrypts stored credentials; the process-wide key when absent. */
  cipher?: CredentialCipher;
  /** How long the stock sync holds a partial batch for batch-mates (default STOCK_SYNC_HOLD_MS; tests of one push set 0). */
  stockSyncHoldMs?: number;
  /** Transport for outbound webhooks (the WMS hand-off). */
  fetch?: typeof fetch;
}

/** The channels of a task that talks to them; the composition root always supplies them. */
export function connectorsOf(context: TaskContext): ChannelConnectors {
  if (!context.connectors) throw new Error("no channel connectors were given to the worker: build them in server/channel-modules.ts");
  return context.connectors;
}
