import { err, ok } from "../../core/shared/result.js";
import type { ChannelModule } from "../../core/ports/channel-module-port.js";
import { amazonSettingsSchema, type AmazonCredentials } from "./amazon-connection-config.js";
import { AmazonConnector } from "./amazon-connector.js";
import { amazonCredentials } from "./amazon-credentials.js";
import { AmazonStockPusher } from "./amazon-stock-pusher.js";
import { SpApiClient } from "./sp-api-client.js";
import { amazonReturns, returnsReportEveryMs } from "./returns/amazon-returns-report.js";

/**
 * Amazon (SP-API, seller-fulfilled) as one channel module: orders captured by polling
 * searchOrders, stock pushed by listing patches or a JSON_LISTINGS_FEED (pending, settled
 * later), shipments and cancellations written back, LWA access tokens refreshed and persisted
 * through the channel session, and a health call. All capabilities of one connection share one
 * client, so they share the seller's rate buckets.
 */
export function amazonChannelModule(options: { sleep?: (ms: number) => Promise<void> } = {}): ChannelModule<AmazonCredentials> {
  return {
    channel: "amazon",
    displayName: "Amazon",
    capabilities: ["capture_orders_poll", "push_stock", "write_back", "refresh_credentials", "health", "returns"],
    credentials: amazonCredentials(),
    open(connection, session, transport) {
      const settings = amazonSettingsSchema.safeParse(connection.settings);
      if (!settings.success) {
        return err("misconfigured", `invalid Amazon settings: ${settings.error.issues.map((i) => `${i.path.join(".")} ${i.message}`).join("; ")}`);
      }
      const now = () => transport.now().getTime();
      const client = new SpApiClient({
        settings: settings.data,
        tokens: { current: () => session.current(), renew: (rejected) => session.renew(rejected) },
        now,
        ...(options.sleep ? { sleep: options.sleep } : {}),
      });
      const amazon = new AmazonConnector(settings.data, client, now);
      return ok({
        orderPoller: amazon,
        stock: new AmazonStockPusher(client, settings.data),
        orderWriter: amazon,
        returns: amazonReturns(client, settings.data, now, returnsReportEveryMs(connection.settings)),
        health: {
          async check() {
            const checked = await amazon.health();
            return checked.ok ? ok({ detail: `seller ${settings.data.sellerId} on ${settings.data.marketplaceId}` }) : checked;
          },
        },
      });
    },
  };
}
