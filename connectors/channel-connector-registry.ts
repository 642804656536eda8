import { CHANNELS, type Channel } from "../core/orders/unified-order.js";
import type { ChannelOrderWriter } from "../core/ports/channel-connector-port.js";
import type { StockPusher } from "../core/ports/stock-pusher-port.js";
import { err, type Err, type Ok } from "../core/shared/result.js";
import type { CredentialCipher } from "../db/crypto/credential-cipher.js";
import { credentialCipher } from "../db/crypto/encryption-key.js";
import { shopifyOrderWriterFactory } from "./shopify/shopify-channel-connector.js";
import { shopifyStockPusherFactory } from "./shopify/shopify-stock-pusher.js";

/**
 * Builds the connector for a stored channel connection: decrypts its credentials, reads its
 * settings and hands back a port. One place knows which channels have a connector; the jobs
 * only ask. Tests replace the whole registry through the task context.
 */

/** What a connector needs to know about a connection (a channel_connections row plus context). */
export interface ConnectionForConnector {
  id: string;
  channel: string;
  name: string;
  /** The shop's myshopify.com domain: Shopify's API host when no base URL is configured. */
  shopDomain: string;
  credentialsEncrypted: string | null;
  settings: Record<string, unknown>;
}

export type ConnectorUnavailableReason =
  /** The channel's connector has not been built yet (Amazon, eBay, WooCommerce for now). */
  | "no_connector"
  /** No credentials stored, or they do not decrypt / lack what the connector needs. */
  | "missing_credentials"
  /** Settings the connector cannot work with; the detail says which. */
  | "misconfigured";

export type StockPusherLookup = Ok<StockPusher> | Err<ConnectorUnavailableReason>;
export type OrderWriterLookup = Ok<ChannelOrderWriter> | Err<ConnectorUnavailableReason>;

export interface ChannelConnectorRegistry {
  stockPusherFor(connection: ConnectionForConnector): StockPusherLookup;
  /** Whether Switchyard can write fulfillments and cancellations back to this channel yet. */
  hasOrderWriter(channel: string): boolean;
  orderWriterFor(connection: ConnectionForConnector): OrderWriterLookup;
}

/** Builds one channel's stock pusher from a connection whose credentials are already decrypted. */
export type StockPusherFactory = (
  connection: ConnectionForConnector,
  dependencies: { credentials: unknown; fetch?: typeof fetch },
) => StockPusherLookup;

/** Builds one channel's order writer (fulfillment and cancellation) from decrypted credentials. */
export type OrderWriterFactory = (
  connection: ConnectionForConnector,
  dependencies: { credentials: unknown; fetch?: typeof fetch },
) => OrderWriterLookup;

export interface ChannelConnectorRegistryOptions {
  /** Defaults to the process-wide cipher (SWITCHYARD_ENCRYPTION_KEY or .data/encryption.key). */
  cipher?: CredentialCipher;
  /** Transport for every connector's HTTP calls. */
  fetch?: typeof fetch;
  /** Replaces or adds channel factories. */
  factories?: Partial<Record<Channel, StockPusherFactory>>;
  /** Replaces or adds channel order-writer factories. */
  orderWriterFactories?: Partial<Record<Channel, OrderWriterFactory>>;
}

const DEFAULT_FACTORIES: Partial<Record<Channel, StockPusherFactory>> = {
  shopify: shopifyStockPusherFactory,
};

const DEFAULT_ORDER_WRITER_FACTORIES: Partial<Record<Channel, OrderWriterFactory>> = {
  shopify: shopifyOrderWriterFactory,
};

function knownChannel(channel: string): Channel | undefined {
  return (CHANNELS as readonly string[]).includes(channel) ? (channel as Channel) : undefined;
}

export function createChannelConnectorRegistry(options: ChannelConnectorRegistryOptions = {}): ChannelConnectorRegistry {
  const factories = { ...DEFAULT_FACTORIES, ...options.factories };
  const orderWriterFactories = { ...DEFAULT_ORDER_WRITER_FACTORIES, ...options.orderWriterFactories };
  const credentialsOf = (connection: ConnectionForConnector): Ok<unknown> | Err<"missing_credentials"> => {
    if (!connection.credentialsEncrypted) return { ok: true, value: null };
    try {
      return { ok: true, value: (options.cipher ?? credentialCipher()).decryptJson<unknown>(connection.credentialsEncrypted) };
    } catch {
      // Never include the stored value: it is a secret even when it does not decrypt.
      return err("missing_credentials", "the stored credentials cannot be decrypted with the current key");
    }
  };
  const transport = options.fetch ? { fetch: options.fetch } : {};
  return {
    stockPusherFor(connection) {
      const channel = knownChannel(connection.channel);
      const factory = channel ? factories[channel] : undefined;
      if (!factory) return err("no_connector", `no stock connector for ${connection.channel} yet`);
      const credentials = credentialsOf(connection);
      if (!credentials.ok) return credentials;
      return factory(connection, { credentials: credentials.value, ...transport });
    },
    hasOrderWriter(channel) {
      const known = knownChannel(channel);
      return known !== undefined && orderWriterFactories[known] !== undefined;
    },
    orderWriterFor(connection) {
      const channel = knownChannel(connection.channel);
      const factory = channel ? orderWriterFactories[channel] : undefined;
      if (!factory) return err("no_connector", `no order connector for ${connection.channel} yet`);
      const credentials = credentialsOf(connection);
      if (!credentials.ok) return credentials;
      return factory(connection, { credentials: credentials.value, ...transport });
    },
  };
}
