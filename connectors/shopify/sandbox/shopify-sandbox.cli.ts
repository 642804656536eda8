import { readFileSync } from "node:fs";
import { startShopifySandbox } from "./shopify-sandbox.server.js";
import type { SandboxSeed } from "./sandbox-state.js";

/**
 * Runs the Shopify sandbox on its own, for the demo and for poking at it by hand:
 *
 *   SHOPIFY_SANDBOX_PORT=4010 APP_URL=http://127.0.0.1:3000 \
 *   SHOPIFY_ACCESS_TOKEN=... SHOPIFY_API_SECRET=... \
 *   SHOPIFY_SANDBOX_SEED=./seed.json SHOPIFY_SANDBOX_ORDERS_PER_MINUTE=6 \
 *   npx tsx connectors/shopify/sandbox/shopify-sandbox.cli.ts
 *
 * Secrets come from the environment and are never printed (rule 10).
 */
function required(name: string): string {
  const value = process.env[name];
  if (!value) {
    console.error(`[shopify-sandbox] ${name} is required`);
    process.exit(2);
  }
  return value;
}

const seedPath = process.env.SHOPIFY_SANDBOX_SEED;
const seed = seedPath ? (JSON.parse(readFileSync(seedPath, "utf8")) as SandboxSeed) : undefined;
const sandbox = await startShopifySandbox({
  port: Number(process.env.SHOPIFY_SANDBOX_PORT ?? 4010),
  host: process.env.SHOPIFY_SANDBOX_HOST ?? "127.0.0.1",
  shopDomain: process.env.SHOPIFY_SHOP_DOMAIN ?? "switchyard-demo.myshopify.com",
  accessToken: required("SHOPIFY_ACCESS_TOKEN"),
  webhookSecret: required("SHOPIFY_API_SECRET"),
  appUrl: required("APP_URL"),
  ...(seed ? { seed } : {}),
});

const perMinute = Number(process.env.SHOPIFY_SANDBOX_ORDERS_PER_MINUTE ?? 0);
const timer =
  perMinute > 0 && sandbox.state.variants.length > 0
    ? setInterval(() => {
        sandbox.simulateOrder().catch((error: unknown) => console.error(`[shopify-sandbox] simulated order not delivered: ${String(error)}`));
      }, 60_000 / perMinute)
    : undefined;

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    if (timer) clearInterval(timer);
    void sandbox.stop().then(() => process.exit(0));
  });
}
