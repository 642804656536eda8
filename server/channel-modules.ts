import type { ChannelConnectors } from "../connectors/channel-connectors";
import { amazonChannelModule } from "../connectors/amazon/amazon-channel-module";
import { ebayChannelModule } from "../connectors/ebay/ebay-channel-module";
import { shopifyChannelModule } from "../connectors/shopify/shopify-channel-module";
import { wooCommerceChannelModule } from "../connectors/woocommerce/woocommerce-channel-module";
import type { ShopifyAppCredentials } from "../connectors/shopify/shopify-credentials";
import type { Database } from "../db/client";
import { createCredentialStore } from "../db/repositories/channel-credential-store";
import { demoModeEnabled, webhookSecret } from "../app/config/demo-mode.server";

/**
 * The composition root's list of channel modules: one line per channel. Jobs, the app and the
 * benches get this list and ask a module what it can do; nothing else knows which channels exist.
 */
export function channelConnectors(db: Database, env: Record<string, string | undefined> = process.env): ChannelConnectors {
  return {
    modules: [shopifyChannelModule({ app: shopifyAppCredentials(env) }), amazonChannelModule(), ebayChannelModule(), wooCommerceChannelModule()],
    credentials: createCredentialStore(db),
  };
}

/** The demo's sandbox takes the demo secret at its token endpoint, as Shopify takes the app's. */
export const DEMO_SHOPIFY_API_KEY = "switchyard-demo";

function shopifyAppCredentials(env: Record<string, string | undefined>): ShopifyAppCredentials | null {
  if (env.SHOPIFY_API_KEY && env.SHOPIFY_API_SECRET) return { apiKey: env.SHOPIFY_API_KEY, apiSecret: env.SHOPIFY_API_SECRET };
  return demoModeEnabled(env) ? { apiKey: DEMO_SHOPIFY_API_KEY, apiSecret: webhookSecret(env) } : null;
}
