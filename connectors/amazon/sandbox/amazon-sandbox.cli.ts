import { readFileSync } from "node:fs";
import { startAmazonSandbox } from "./amazon-sandbox.server.js";
import type { SandboxSeedListing } from "./amazon-sandbox-state.js";

/**
 * Runs the Amazon SP-API sandbox on its own, for poking at it by hand:
 *
 *   AMAZON_SANDBOX_PORT=4140 AMAZON_SELLER_ID=A2SBXSELLER01 \
 *   AMAZON_LWA_CLIENT_ID=... AMAZON_LWA_CLIENT_SECRET=... AMAZON_LWA_REFRESH_TOKEN=... \
 *   AMAZON_SANDBOX_LISTINGS=./listings.json AMAZON_SANDBOX_ORDERS_PER_MINUTE=6 \
 *   npx tsx connectors/amazon/sandbox/amazon-sandbox.cli.ts
 *
 * Then: curl -X POST localhost:4140/auth/o2/token -d grant_type=refresh_token&refresh_token=...
 * and call /orders/2026-01-01/orders with the access token in x-amz-access-token.
 * Secrets come from the environment and are never printed (rule 10).
 */
function required(name: string): string {
  const value = process.env[name];
  if (!value) {
    console.error(`[amazon-sandbox] ${name} is required`);
    process.exit(2);
  }
  return value;
}

const listingsPath = process.env.AMAZON_SANDBOX_LISTINGS;
const listings = listingsPath ? (JSON.parse(readFileSync(listingsPath, "utf8")) as SandboxSeedListing[]) : undefined;
const sandbox = await startAmazonSandbox({
  port: Number(process.env.AMAZON_SANDBOX_PORT ?? 3102),
  host: process.env.AMAZON_SANDBOX_HOST ?? "127.0.0.1",
  sellerId: process.env.AMAZON_SELLER_ID ?? "A2SBXSELLER01",
  clientId: required("AMAZON_LWA_CLIENT_ID"),
  clientSecret: required("AMAZON_LWA_CLIENT_SECRET"),
  refreshToken: required("AMAZON_LWA_REFRESH_TOKEN"),
  feedProcessingDelayMs: Number(process.env.AMAZON_SANDBOX_FEED_DELAY_MS ?? 5_000),
  ...(listings ? { listings } : {}),
});

const perMinute = Number(process.env.AMAZON_SANDBOX_ORDERS_PER_MINUTE ?? 0);
const timer = perMinute > 0 ? setInterval(() => sandbox.generateOrder(), 60_000 / perMinute) : undefined;

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    if (timer) clearInterval(timer);
    void sandbox.stop().then(() => process.exit(0));
  });
}
