import { z } from "zod";
import { err, ok, type Result } from "../../core/shared/result.js";
import type { ChannelFailure, ChannelFailureReason } from "../../core/ports/channel-connector-port.js";
import type { StockPushItem, StockPushItemResult, StockPusher, StockPushResult } from "../../core/ports/stock-pusher-port.js";
import type { ConnectionForConnector, ConnectorUnavailableReason, StockPusherFactory } from "../channel-connector-registry.js";
import { AdminGraphqlClient } from "./admin-graphql-client.js";
import { SHOPIFY_ADMIN_API_VERSION, shopifyAdminGraphqlUrl } from "./admin-api-version.js";
import { SHOPIFY_SET_QUANTITIES_MAX_BATCH, type AvailablePushItem, type AvailablePushOutcome } from "./inventory-push.js";
import { ShopifyConnector } from "./shopify-connector.js";

/**
 * Shopify as a stock-sync target. Shopify keeps stock per location (inventorySetQuantities
 * takes an inventory item and a location) and Switchyard's locations mirror Shopify's 1:1
 * (locations.external_id is the Shopify Location GID), so the pusher is `per_location`: the
 * sync hands it one item per (listing, location) carrying that location's share of the
 * channel's figure, and each goes to its own location.
 */

const credentialsSchema = z.object({ accessToken: z.string().min(1) });
const settingsSchema = z
  .object({
    /** The demo's Shopify sandbox (or any Admin API compatible server); the shop's own domain when absent. */
    baseUrl: z.string().url().nullish(),
  })
  .passthrough();

/** When the client still sees THROTTLED after its own waits, try the whole run again after this. */
const THROTTLED_RETRY_AFTER_MS = 10_000;

export const shopifyStockPusherFactory: StockPusherFactory = (connection, dependencies) => {
  const connector = shopifyConnectorFromCredentials(connection, dependencies);
  return connector.ok ? ok(new ShopifyStockPusher(connector.value)) : connector;
};

/** The Shopify connector for a registry connection whose credentials are already decrypted. */
export function shopifyConnectorFromCredentials(
  connection: ConnectionForConnector,
  { credentials, fetch }: { credentials: unknown; fetch?: typeof globalThis.fetch },
): Result<ShopifyConnector, ConnectorUnavailableReason> {
  const parsedCredentials = credentialsSchema.safeParse(credentials);
  if (!parsedCredentials.success) return err("missing_credentials", "the Shopify connection has no access token");
  const settings = settingsSchema.safeParse(connection.settings);
  if (!settings.success) return err("misconfigured", `invalid Shopify settings: ${settings.error.issues.map((i) => i.path.join(".") + " " + i.message).join("; ")}`);
  const endpoint = settings.data.baseUrl
    ? `${settings.data.baseUrl.replace(/\/+$/, "")}/admin/api/${SHOPIFY_ADMIN_API_VERSION}/graphql.json`
    : shopifyAdminGraphqlUrl(connection.shopDomain);
  const client = new AdminGraphqlClient({ endpoint, accessToken: parsedCredentials.data.accessToken, ...(fetch ? { fetch } : {}) });
  return ok(new ShopifyConnector({ client }));
}

export class ShopifyStockPusher implements StockPusher {
  readonly channel = "shopify" as const;
  readonly scope = "per_location" as const;
  /** inventorySetQuantities' input limit; the connector then sends each batch as one call. */
  readonly maxBatchSize = SHOPIFY_SET_QUANTITIES_MAX_BATCH;

  constructor(private readonly connector: Pick<ShopifyConnector, "pushAvailable">) {}

  async push(batch: readonly StockPushItem[], options: { readonly reference: string }): Promise<StockPushResult> {
    if (batch.length > this.maxBatchSize) throw new RangeError(`batch of ${batch.length} exceeds ${this.maxBatchSize}`);
    const results: StockPushItemResult[] = [];
    const keyOf = new Map<AvailablePushItem, string>();
    const items: AvailablePushItem[] = [];
    for (const item of batch) {
      if (!item.locationExternalId?.startsWith("gid://shopify/Location/")) {
        // The sync only sends mirrored locations; anything else is a caller bug, kept per item.
        results.push({ key: item.key, status: "rejected", problem: "no Shopify location id for this item" });
        continue;
      }
      const pushItem: AvailablePushItem = {
        inventoryItemId: item.externalId,
        locationId: item.locationExternalId,
        available: item.available,
        lastPushed: item.previousAvailable,
      };
      keyOf.set(pushItem, item.key);
      items.push(pushItem);
    }
    if (items.length === 0) return ok(results);
    const outcomes = await this.connector.pushAvailable(items, {
      referenceDocumentUri: `gid://switchyard/StockSync/${encodeURIComponent(options.reference)}`,
    });

    const whole = wholeCallFailure(outcomes);
    if (whole) return whole;
    for (const outcome of outcomes) {
      const key = keyOf.get(outcome.item);
      if (key === undefined) throw new Error("the Shopify connector returned an item it was not given");
      results.push(toItemResult(key, outcome));
    }
    return ok(results);
  }
}

function toItemResult(key: string, outcome: AvailablePushOutcome): StockPushItemResult {
  switch (outcome.status) {
    case "applied":
      return { key, status: "applied" };
    case "stale":
      return { key, status: "conflict", problem: outcome.message };
    case "rejected":
      return { key, status: "rejected", problem: outcome.code ? `${outcome.code}: ${outcome.message}` : outcome.message };
    case "failed":
      return { key, status: "not_applied", problem: outcome.message };
  }
}

/** Every item failed for the same transport reason: the call itself failed, not the items. */
function wholeCallFailure(outcomes: readonly AvailablePushOutcome[]): ChannelFailure | undefined {
  const first = outcomes[0];
  if (!first || first.status !== "failed" || first.reason === "batch_refused") return undefined;
  if (!outcomes.every((o) => o.status === "failed" && o.reason === first.reason)) return undefined;
  const reason = channelReasonOf(first.reason);
  const failure = err(reason, first.message);
  return reason === "rate_limited" ? { ...failure, retryAfterMs: THROTTLED_RETRY_AFTER_MS } : failure;
}

function channelReasonOf(adminReason: string): ChannelFailureReason {
  switch (adminReason) {
    case "throttled":
      return "rate_limited";
    case "unauthorized":
      return "unauthorized";
    case "graphql_errors":
    case "cost_exceeds_bucket":
      return "rejected";
    default:
      // network_error, http_error (5xx after the client's retries), an empty payload.
      return "unavailable";
  }
}
