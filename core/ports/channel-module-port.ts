import type { Channel } from "../orders/unified-order.js";
import type { Result } from "../shared/result.js";
import type { CatalogueImporter } from "./catalogue-import-port.js";
import type { ChannelCallResult, ChannelOrderWriter, ChannelReturnWriter, OrderPoller } from "./channel-connector-port.js";
import type { ChannelReturns } from "./channel-returns-port.js";
import type { StockPusher } from "./stock-pusher-port.js";

/**
 * One connector shape (DESIGN rule 14). Every outside sales channel is ONE module
 * (connectors/<channel>/<channel>-channel-module.ts) that:
 * - declares what it can do (`capabilities`), so jobs and the admin ask the module, never a
 *   per-capability map;
 * - owns its credentials: parses them, says when they are about to expire and refreshes them;
 *   the refreshed ones are persisted (encrypted, through the CredentialStore port that db/
 *   implements) before any request uses them;
 * - opens a stored connection into one implementation per capability, each answering in the
 *   port's vocabulary (ChannelFailureReason, StockPushItemStatus) mapped in one place per channel.
 *
 * The registry is a plain list of modules assembled at the composition root (server/) and
 * handed to the worker and the app; nothing below server/ knows which channels exist.
 */

export const CHANNEL_CAPABILITIES = [
  /** Orders arrive as signed webhooks (Shopify, WooCommerce); see `webhook`. */
  "capture_orders_webhook",
  /** Orders are fetched by polling (Amazon, eBay; Woo's fallback); see ChannelCapabilities.orderPoller. */
  "capture_orders_poll",
  /** Locations, catalogue and stock (and recent orders) can be imported; see `catalogue`. */
  "import_catalogue",
  /** Available-to-sell can be pushed (and, where `stock.read` exists, read back); see `stock`. */
  "push_stock",
  /** Fulfillments (with tracking) and cancellations are written back; see `orderWriter`. */
  "write_back",
  /** Returns are mirrored on the channel (request, decision, label, processing, refund); see `returnWriter`. */
  "write_returns",
  /** Access tokens expire and are refreshed with a stored refresh token; see ChannelModule.credentials.refresh. */
  "refresh_credentials",
  /** A cheap authenticated call that says whether the connection works; see `health`. */
  "health",
  /** Returns read from the channel and/or decisions and refunds written to it; see `returns`. */
  "returns",
] as const;
export type ChannelCapability = (typeof CHANNEL_CAPABILITIES)[number];

/** A stored connection as a module sees it. The ciphertext is opened by the CredentialStore, never by a connector. */
export interface ChannelConnectionRecord {
  id: string;
  channel: string;
  name: string;
  /** The shop's myshopify.com domain: Shopify's API host when no base URL is configured. */
  shopDomain: string;
  credentialsEncrypted: string | null;
  /** Non-secret settings: base URL (the sandbox), marketplace, site id... */
  settings: Record<string, unknown>;
}

export type ConnectorUnavailableReason =
  /** No module for the channel, or the module lacks the capability asked for. */
  | "no_connector"
  /** No credentials stored, or they do not decrypt / lack what the module needs. */
  | "missing_credentials"
  /** Settings the module cannot work with; the detail says which. */
  | "misconfigured";

/**
 * Where connection credentials live, encrypted at rest (rule 10). Implemented in db/ with the
 * process's cipher and injected at the composition root, so connectors never see a key.
 */
export interface CredentialStore {
  /** The credentials in clear from a row already read; an error when absent or undecryptable. */
  decrypt(credentialsEncrypted: string | null): Result<unknown, "missing_credentials">;
  /**
   * Replaces a connection's credentials under its row lock: `rotate` gets what is stored now
   * (another worker may have refreshed it already) and answers what to keep. The answer is
   * encrypted and committed before this resolves, so a refreshed token is never used unsaved.
   */
  rotate(
    connectionId: string,
    rotate: (stored: unknown) => Promise<ChannelCallResult<{ readonly credentials: unknown; readonly changed: boolean }>>,
  ): Promise<ChannelCallResult<unknown>>;
}

/** HTTP and time, injected so tests and sandboxes replace them. */
export interface ChannelTransport {
  readonly fetch: typeof fetch;
  readonly now: () => Date;
}

/** What a capability calls for the connection's credentials (built by connectors/channel-connectors.ts). */
export interface CredentialSession<C> {
  /** The credentials to use now; refreshed (and persisted) first when the module says they expire soon. */
  current(): Promise<ChannelCallResult<C>>;
  /**
   * The channel refused `rejected` (401): new credentials to retry the request with ONCE, or a
   * failure (`unauthorized` when nothing can be refreshed). Concurrent callers share one refresh.
   */
  renew(rejected: C): Promise<ChannelCallResult<C>>;
}

export interface ChannelCredentials<C> {
  /** Validates what the store decrypted. */
  parse(raw: unknown): Result<C, "missing_credentials">;
  /** True when the access token expires within the module's margin (refresh before use). */
  expiresSoon?(credentials: C, now: Date): boolean;
  /** Exchanges the refresh token for new credentials (only modules declaring `refresh_credentials`). */
  refresh?(connection: ChannelConnectionRecord, credentials: C, transport: ChannelTransport): Promise<ChannelCallResult<C>>;
}

/** A connection's health: the call worked, or the port's failure. */
export interface ChannelHealthCheck {
  check(): Promise<ChannelCallResult<{ readonly detail?: string }>>;
}

/** Verifies a webhook delivery over the raw bytes (constant time) with the connection's or app's secret. */
export interface WebhookVerifier {
  verify(rawBody: string | Buffer, headers: { get(name: string): string | null }, secret: string): boolean;
}

/** One implementation per declared capability; absent fields are capabilities the channel lacks. */
export interface ChannelCapabilities {
  readonly orderPoller?: OrderPoller;
  readonly catalogue?: CatalogueImporter;
  readonly stock?: StockPusher;
  readonly orderWriter?: ChannelOrderWriter;
  readonly returnWriter?: ChannelReturnWriter;
  readonly health?: ChannelHealthCheck;
  readonly returns?: ChannelReturns;
}

export interface ChannelModule<C = unknown> {
  readonly channel: Channel;
  /** Shown in the admin ("Amazon", "eBay"). */
  readonly displayName: string;
  readonly capabilities: readonly ChannelCapability[];
  readonly credentials: ChannelCredentials<C>;
  /** Present exactly when `capture_orders_webhook` is declared. */
  readonly webhook?: WebhookVerifier;
  /** Builds the capabilities for one connection; a value (not a throw) when it cannot. */
  open(
    connection: ChannelConnectionRecord,
    session: CredentialSession<C>,
    transport: ChannelTransport,
  ): Result<ChannelCapabilities, ConnectorUnavailableReason>;
}
