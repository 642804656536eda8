import { createDatabaseClient } from "../db/client";
import { warmDatabase } from "../app/db.server";
import { openRuntimeDatabase } from "../db/runtime-database";
import { seedDemoShop } from "../db/seed/demo-seed";
import { startWorker } from "../jobs/worker-runner";
import { ensureProductionBuild, startAppServer } from "../server/app-server";
import { ensureDemoApiToken } from "../server/demo-api-token";
import { appUrl as configuredAppUrl, demoModeEnabled, listenHost, startupConfigProblems } from "../app/config/demo-mode.server";
import { startDemoChannels } from "../server/demo-channels";
import { channelConnectors } from "../server/channel-modules";

/**
 * `npm start`: everything Switchyard needs on one machine — PostgreSQL (embedded unless
 * DATABASE_URL is set), migrations, the demo shop and its sandbox channels, the worker and
 * the admin on http://localhost:3000. Ctrl-C stops it all; the next start reuses the data.
 */
const started = Date.now();
const development = process.env.SWITCHYARD_DEV === "1";
process.env.NODE_ENV ??= development ? "development" : "production";
const port = Number(process.env.PORT ?? 3000);
const appUrl = configuredAppUrl();
const host = listenHost();

// Fail closed before touching anything: a misconfigured production app must not serve at all.
const problems = startupConfigProblems();
if (problems.length > 0) {
  for (const problem of problems) console.error(`[switchyard] cannot start: ${problem}`);
  process.exit(1);
}

const database = await openRuntimeDatabase();
// The Remix app reads DATABASE_URL when it first touches the database.
process.env.DATABASE_URL = database.url;
const client = createDatabaseClient(database.url);
const stops: (() => Promise<void>)[] = [async () => database.stop(), async () => client.close()];

let shutdownStarted = false;
async function shutdown(code = 0) {
  if (shutdownStarted) return;
  shutdownStarted = true;
  console.log("\n[switchyard] stopping…");
  for (const stop of stops.reverse()) {
    await stop().catch((error: Error) => console.error("[switchyard] while stopping:", error.message));
  }
  process.exit(code);
}
process.on("SIGINT", () => void shutdown());
process.on("SIGTERM", () => void shutdown());

try {
  const demo = demoModeEnabled();
  let demoSummary: string[] = [];
  if (demo) {
    const channels = await startDemoChannels({ db: client.db, appUrl });
    stops.push(channels.stop);
    const { shop, seeded } = await seedDemoShop(client.db, { shopifySandbox: channels.shopify, log: console.log });
    await channels.loadShop(shop.id);
    const token = await ensureDemoApiToken(client.db, shop.id);
    demoSummary = [
      `  demo shop      ${shop.domain}${seeded ? " (seeded now)" : ""}`,
      `  API token      ${token}`,
      `  try            curl -H "Authorization: Bearer ${token}" ${appUrl}/api/v1/orders`,
      `  Shopify sandbox ${channels.shopify.baseUrl}`,
      `  EasyPost sandbox ${channels.easypost.baseUrl}`,
      `  eBay sandbox   ${channels.marketplaces.ebay.url}`,
      `  Woo sandbox    ${channels.marketplaces.woocommerce.url}/wp-json/wc/v3`,
      `  Amazon sandbox ${channels.amazon.baseUrl}   (SP-API + LWA; orders polled every minute)`,
      `  returns portal ${channels.shopify.baseUrl}/apps/returns   (the storefront's app proxy, signing like Shopify)`,
    ];
  }

  const worker = await startWorker({ connectionString: database.url, db: client.db, connectors: channelConnectors(client.db), concurrency: Number(process.env.WORKER_CONCURRENCY ?? 4), quiet: true });
  stops.push(worker.stop);

  if (!development) ensureProductionBuild();
  // The app's kept connections open before the first request (app/db.server.ts).
  await warmDatabase();
  const server = await startAppServer({ port, host, mode: development ? "development" : "production" });
  stops.push(server.stop);

  console.log(
    [
      "",
      `Switchyard is running (${((Date.now() - started) / 1000).toFixed(1)} s)`,
      `  admin          ${appUrl}/app${demo ? "   (demo mode: no Shopify account needed)" : ""}`,
      `  health         ${appUrl}/healthz`,
      `  listening on   ${host}:${port}${host === "127.0.0.1" ? " (loopback only; set HOST=0.0.0.0 to serve other machines)" : ""}`,
      `  database       ${database.embedded ? "embedded PostgreSQL in .data/pg" : "DATABASE_URL"}`,
      ...demoSummary,
      "Press Ctrl-C to stop.",
      "",
    ].join("\n"),
  );
} catch (error) {
  console.error("[switchyard] failed to start:", error);
  await shutdown(1);
}
