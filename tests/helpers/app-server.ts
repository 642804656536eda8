import { setDatabaseForTests } from "../../app/db.server";
import type { Database } from "../../db/client";
import { seedDemoShop } from "../../db/seed/demo-seed";
import type { ShopRecord } from "../../db/repositories/shop-repository";
import { startWorker } from "../../jobs/worker-runner";
import { channelConnectors } from "../../server/channel-modules";
import { ensureProductionBuild, startAppServer } from "../../server/app-server";
import { createTestDatabase } from "./test-database";

export interface TestApp {
  url: string;
  db: Database;
  shop: ShopRecord;
  stop(): Promise<void>;
}

/**
 * The whole product for browser tests: this file's own database with the demo shop seeded,
 * a worker, and the admin's production build (built here when stale) on a free port in demo mode.
 */
export async function startTestApp(options: { historicalOrders?: number } = {}): Promise<TestApp> {
  delete process.env.SHOPIFY_API_KEY;
  process.env.SWITCHYARD_DEMO = "1";
  const database = await createTestDatabase();
  process.env.DATABASE_URL = database.url;
  setDatabaseForTests(database.db);
  const { shop } = await seedDemoShop(database.db, { historicalOrders: options.historicalOrders ?? 80 });
  const worker = await startWorker({ connectionString: database.url, db: database.db, connectors: channelConnectors(database.db), concurrency: 2, quiet: true });
  ensureProductionBuild();
  const server = await startAppServer({ port: 0, host: "127.0.0.1", mode: "production" });
  return {
    url: server.url,
    db: database.db,
    shop,
    stop: async () => {
      await server.stop();
      await worker.stop();
      setDatabaseForTests(undefined);
      await database.close();
    },
  };
}
