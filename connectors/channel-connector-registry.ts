import { CHANNELS, type Channel } from "../core/orders/unified-order.js";
import type { StockPusher } from "../core/ports/stock-pusher-port.js";
import { err, type Err, type Ok } from "../core/shared/result.js";
import type { CredentialCipher } from "../db/crypto/credential-cipher.js";
import { credentialCipher } from "../db/crypto/encryption-key.js";
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

export interface ChannelConnectorRegistry {
  stockPusherFor(connection: ConnectionForConnector): StockPusherLookup;
}

/** Builds one channel's stock pusher from a connection whose credentials are already decrypted. */
export type StockPusherFactory = (
  connection: ConnectionForConnector,
  dependencies: { credentials: unknown; fetch?: typeof fetch },
) => StockPusherLookup;

export interface ChannelConnectorRegistryOptions {
  /** Defaults to the process-wide cipher (SWITCHYARD_ENCRYPTION_KEY or .data/encryption.key). */
  cipher?: CredentialCipher;
  /** Transport for every connector's HTTP calls. */
  fetch?: typeof fetch;
  /** Replaces or adds channel factories. */
  factories?: Partial<Record<Channel, StockPusherFactory>>;
}

const DEFAULT_FACTORIES: Partial<Record<Channel, StockPusherFactory>> = {
  shopify: shopifyStockPusherFactory,
};

export function createChannelConnectorRegistry(options: ChannelConnectorRegistryOptions = {}): ChannelConnectorRegistry {
  const factories = { ...DEFAULT_FACTORIES, ...options.factories };
  return {
    stockPusherFor(connection) {
      const channel = (CHANNELS as readonly string[]).includes(connection.channel) ? (connection.channel as Channel) : undefined;
      const factory = channel ? factories[channel] : undefined;
      if (!factory) return err("no_connector", `no stock connector for ${connection.channel} yet`);
      let credentials: unknown = null;
      if (connection.credentialsEncrypted) {
        try {
          credentials = (options.cipher ?? credentialCipher()).decryptJson<unknown>(connection.credentialsEncrypted);
        } catch {
          // Never include the stored value: it is a secret even when it does not decrypt.
          return err("missing_credentials", "the stored credentials cannot be decrypted with the current key");
        }
      }
      return factory(connection, { credentials, ...(options.fetch ? { fetch: options.fetch } : {}) });
    },
  };
}
