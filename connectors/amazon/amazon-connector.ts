import { err, ok, type Result } from "../../core/shared/result.js";
import type {
  CancelOrderRequest,
  ChannelCallResult,
  ChannelOrderWriter,
  ConfirmFulfillmentRequest,
  OrderPoller,
  FetchOrdersPage,
  PolledOrderDelivery,
  RejectedChannelOrder,
} from "../../core/ports/channel-connector-port.js";
import type { UnifiedOrderInput } from "../../core/orders/unified-order.js";
import { amazonCredentialsSchema, amazonSettingsSchema, type AmazonCredentials, type AmazonSettings } from "./amazon-connection-config.js";
import { amazonCredentials, refreshAmazonAccessToken } from "./amazon-credentials.js";
import { mapAmazonOrder } from "./amazon-order-mapper.js";
import { pollAmazonOrders, type AmazonOrderPage } from "./amazon-order-poll.js";
import { cancelAmazonOrder, confirmAmazonShipment } from "./amazon-order-write-back.js";
import { pushAmazonStock, settleAmazonStockFeed, type AmazonFeedSettlement, type AmazonStockItemResult } from "./amazon-stock-push.js";
import type { AmazonStockUpdate } from "./listings-stock-request.js";
import { SpApiClient, type SpApiBuckets, type SpApiTokenSource } from "./sp-api-client.js";

/** The inbox topic of a polled Amazon order (the intake maps it with mapAmazonOrder). */
export const AMAZON_ORDER_TOPIC = "orders/poll";

/**
 * The Amazon connector as one object: order capture by poll, stock push (patch or feed, with
 * pending results settled later), write-back of shipments and cancellations, health. The
 * channel module (amazon-channel-module.ts) opens it over the channel's credential session;
 * `createAmazonConnector` builds it over plain settings and credentials (tools, tests), with
 * refreshed credentials handed to `onCredentialsRefreshed`.
 */

export type AmazonConnectorUnavailable = "missing_credentials" | "misconfigured";

export interface AmazonConnectorOptions {
  settings: unknown;
  credentials: unknown;
  onCredentialsRefreshed?: (credentials: AmazonCredentials) => Promise<void>;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  buckets?: SpApiBuckets;
}

export function createAmazonConnector(options: AmazonConnectorOptions): Result<AmazonConnector, AmazonConnectorUnavailable> {
  const credentials = amazonCredentialsSchema.safeParse(options.credentials);
  // Never echo the credentials, only which field is missing.
  if (!credentials.success) return err("missing_credentials", `Amazon credentials lack ${credentials.error.issues.map((i) => i.path.join(".")).join(", ")}`);
  const settings = amazonSettingsSchema.safeParse(options.settings);
  if (!settings.success) return err("misconfigured", `invalid Amazon settings: ${settings.error.issues.map((i) => `${i.path.join(".")} ${i.message}`).join("; ")}`);
  const now = options.now ?? Date.now;
  let current = credentials.data;
  const refresh = async (): Promise<ChannelCallResult<AmazonCredentials>> => {
    const refreshed = await refreshAmazonAccessToken(settings.data, current, now);
    if (!refreshed.ok) return refreshed;
    current = refreshed.value;
    await options.onCredentialsRefreshed?.(current);
    return ok(current);
  };
  const tokens: SpApiTokenSource = {
    current: async () => (amazonCredentials().expiresSoon!(current, new Date(now())) ? refresh() : ok(current)),
    renew: async () => refresh(),
  };
  const client = new SpApiClient({
    settings: settings.data,
    tokens,
    now,
    ...(options.sleep ? { sleep: options.sleep } : {}),
    ...(options.buckets ? { buckets: options.buckets } : {}),
  });
  return ok(new AmazonConnector(settings.data, client, now));
}

export class AmazonConnector implements ChannelOrderWriter, OrderPoller {
  readonly channel = "amazon" as const;

  constructor(
    readonly settings: AmazonSettings,
    readonly client: SpApiClient,
    private readonly now: () => number,
  ) {}

  /** Raw orders as Amazon sent them, each with its inbox delivery id (order id + lastUpdatedTime). */
  pollOrders(cursor: string | null, options: { pageSize?: number } = {}): Promise<ChannelCallResult<AmazonOrderPage>> {
    return pollAmazonOrders(this.client, this.settings, cursor, { now: this.now(), ...options });
  }

  /** The same page mapped: unified orders, and rejections with their payload kept. */
  async fetchOrders(cursor: string | null, options: { limit?: number } = {}): Promise<ChannelCallResult<FetchOrdersPage>> {
    const page = await this.pollOrders(cursor, options.limit ? { pageSize: options.limit } : {});
    if (!page.ok) return page;
    const orders: UnifiedOrderInput[] = [];
    const rejected: RejectedChannelOrder[] = [];
    const deliveries: PolledOrderDelivery[] = [];
    for (const polled of page.value.orders) {
      // A malformed order still goes to the inbox (kept, and failed there with the mapper's reason).
      deliveries.push({
        deliveryId: polled.deliveryId,
        topic: AMAZON_ORDER_TOPIC,
        resourceId: polled.orderId ?? polled.deliveryId,
        triggeredAt: polled.lastUpdatedTime ?? new Date(this.now()),
        payload: polled.payload,
      });
      const mapped = mapAmazonOrder(polled.payload);
      if (mapped.ok) orders.push(mapped.value);
      else rejected.push({ ...(polled.orderId ? { externalId: polled.orderId } : {}), problem: mapped.detail ?? mapped.reason, raw: polled.payload });
    }
    return ok({ orders, rejected, deliveries, nextCursor: page.value.nextCursor, hasMore: page.value.hasMore });
  }

  pushStock(updates: readonly AmazonStockUpdate[], options: { readonly feedInFlight?: boolean } = {}): Promise<ChannelCallResult<AmazonStockItemResult[]>> {
    return pushAmazonStock(this.client, this.settings, updates, options);
  }

  settleStockFeed(feedId: string, messageIds: readonly number[]): Promise<ChannelCallResult<AmazonFeedSettlement>> {
    return settleAmazonStockFeed(this.client, feedId, messageIds);
  }

  confirmFulfillment(request: ConfirmFulfillmentRequest) {
    return confirmAmazonShipment(this.client, this.settings, request);
  }

  async cancelOrder(request: CancelOrderRequest): Promise<ChannelCallResult<{ alreadyCancelled: boolean }>> {
    const result = await cancelAmazonOrder(this.client, this.settings, request);
    return result.ok ? ok({ alreadyCancelled: result.value.alreadyCancelled }) : result;
  }

  /** Health: the credentials still yield a token and the seller's listings answer. */
  async health(): Promise<ChannelCallResult<{ checkedAt: Date }>> {
    const response = await this.client.call("listingsItems_2021-08-01.json:searchListingsItems", {
      path: { sellerId: this.settings.sellerId },
      query: { marketplaceIds: [this.settings.marketplaceId], pageSize: 1 },
      maxWaitMs: 1_000,
    });
    return response.ok ? ok({ checkedAt: new Date(this.now()) }) : response;
  }
}
