import { err, ok, type Result } from "../core/shared/result.js";
import type { ChannelCallResult } from "../core/ports/channel-connector-port.js";
import type {
  ChannelCapabilities,
  ChannelCapability,
  ChannelConnectionRecord,
  ChannelModule,
  ChannelTransport,
  ConnectorUnavailableReason,
  CredentialSession,
  CredentialStore,
} from "../core/ports/channel-module-port.js";

/**
 * The channels a process can talk to: a plain list of modules (one per channel) plus the
 * credential store they persist refreshed tokens through. Assembled once at the composition
 * root (server/channel-modules.ts) and passed down; tests pass a list with a fake module.
 */
export interface ChannelConnectors {
  readonly modules: readonly ChannelModule<any>[];
  readonly credentials: CredentialStore;
  /** Transport for every module's HTTP calls (defaults to the global fetch). */
  readonly fetch?: typeof fetch;
  readonly now?: () => Date;
}

export function channelModuleFor(connectors: ChannelConnectors, channel: string): ChannelModule<any> | undefined {
  return connectors.modules.find((module) => module.channel === channel);
}

/** Whether a module for the channel declares the capability (no connection needed). */
export function channelHas(connectors: ChannelConnectors, channel: string, capability: ChannelCapability): boolean {
  return channelModuleFor(connectors, channel)?.capabilities.includes(capability) ?? false;
}

/**
 * Whether a connection's orders are captured by polling: the module polls and either has no
 * webhooks or the merchant asked for polling as a fallback (settings.pollOrders).
 */
export function capturesOrdersByPoll(module: Pick<ChannelModule<any>, "capabilities">, settings: Record<string, unknown>): boolean {
  if (!module.capabilities.includes("capture_orders_poll")) return false;
  return !module.capabilities.includes("capture_orders_webhook") || settings.pollOrders === true;
}

export type OpenedChannel = ChannelCapabilities & { readonly module: ChannelModule<any> };

/**
 * Opens a stored connection: decrypts its credentials through the store, lets the module parse
 * them and build its capabilities around a credential session that refreshes and persists.
 */
export function openChannelConnection(
  connectors: ChannelConnectors,
  connection: ChannelConnectionRecord,
): Result<OpenedChannel, ConnectorUnavailableReason> {
  const module = channelModuleFor(connectors, connection.channel);
  if (!module) return err("no_connector", `no connector for ${connection.channel} yet`);
  const decrypted = connectors.credentials.decrypt(connection.credentialsEncrypted);
  if (!decrypted.ok) return decrypted;
  const parsed = module.credentials.parse(decrypted.value);
  if (!parsed.ok) return parsed;
  const transport: ChannelTransport = {
    fetch: connectors.fetch ?? ((input, init) => fetch(input, init)),
    now: connectors.now ?? (() => new Date()),
  };
  const session = createCredentialSession(module, connection, connectors.credentials, transport, parsed.value);
  const opened = module.open(connection, session, transport);
  return opened.ok ? ok({ ...opened.value, module }) : opened;
}

/**
 * Credentials for one opened connection. A refresh happens before use when the module says the
 * token expires soon, or once after the channel refused it; either way the store persists the
 * new credentials (encrypted, under the row lock) before they are handed out, and concurrent
 * callers in this process share one refresh.
 */
export function createCredentialSession<C>(
  module: ChannelModule<C>,
  connection: ChannelConnectionRecord,
  store: CredentialStore,
  transport: ChannelTransport,
  initial: C,
): CredentialSession<C> {
  let credentials = initial;
  let inflight: Promise<ChannelCallResult<C>> | null = null;
  const refresh = module.credentials.refresh?.bind(module.credentials);

  const renewFrom = (rejected: C): Promise<ChannelCallResult<C>> => {
    if (!refresh) return Promise.resolve(err("unauthorized", `${module.displayName} credentials cannot be refreshed; reconnect the channel`));
    // Another request of this process already renewed what was refused.
    if (!inflight && !sameCredentials(credentials, rejected)) return Promise.resolve(ok(credentials));
    inflight ??= (async () => {
      const rotated = await store.rotate(connection.id, async (storedRaw) => {
        const stored = module.credentials.parse(storedRaw);
        // Another worker already replaced what was refused: use that instead of refreshing again.
        if (stored.ok && !sameCredentials(stored.value, rejected)) return ok({ credentials: stored.value, changed: false });
        const refreshed = await refresh(connection, stored.ok ? stored.value : rejected, transport);
        return refreshed.ok ? ok({ credentials: refreshed.value, changed: true }) : refreshed;
      });
      if (!rotated.ok) return rotated;
      const parsed = module.credentials.parse(rotated.value);
      if (!parsed.ok) return err("unauthorized", "the refreshed credentials are incomplete");
      credentials = parsed.value;
      return ok(credentials);
    })().finally(() => {
      inflight = null;
    });
    return inflight;
  };

  return {
    async current() {
      if (inflight) return inflight;
      if (refresh && module.credentials.expiresSoon?.(credentials, transport.now())) return renewFrom(credentials);
      return ok(credentials);
    },
    renew: (rejected) => renewFrom(rejected),
  };
}

function sameCredentials(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
