import { createDatabaseClient, type Database, type DatabaseClient } from "../db/client";
import { describeError } from "../db/safe-error-text";

/**
 * One connection pool per process. In development Vite re-evaluates server modules on every
 * change, so the client lives on globalThis; otherwise each edit would leak a pool.
 */
declare global {
  var __switchyardDatabaseClient: DatabaseClient | undefined;
  var __switchyardDatabaseOverride: Database | undefined;
}

export function getDatabase(): Database {
  if (globalThis.__switchyardDatabaseOverride) return globalThis.__switchyardDatabaseOverride;
  if (!globalThis.__switchyardDatabaseClient) {
    const url = process.env.DATABASE_URL;
    if (!url) {
      // scripts/start.ts opens (or starts) PostgreSQL and sets DATABASE_URL before loading the app.
      throw new Error("DATABASE_URL is not set: start the app through scripts/start.ts or set it yourself");
    }
    globalThis.__switchyardDatabaseClient = createDatabaseClient(url, { keepOpen: KEPT_OPEN });
  }
  return globalThis.__switchyardDatabaseClient.db;
}

// The webhook ingress's inserts in flight (webhook-inbox-group-store), plus two for the admin.
const KEPT_OPEN = 4;

/**
 * Opens the app's kept connections before the server listens (server/web.ts, scripts/start.ts).
 * A database that cannot be reached now does not stop the server: the ingress answers 503 until
 * it can, and the connections open on first use, as before.
 */
export async function warmDatabase(): Promise<void> {
  getDatabase();
  await globalThis.__switchyardDatabaseClient?.warm().catch((error: unknown) => {
    console.warn(`[db] kept connections not opened ahead: ${describeError(error)}; they open on first use`);
  });
}

/** Loader and action tests point the app at their own test database. */
export function setDatabaseForTests(db: Database | undefined): void {
  globalThis.__switchyardDatabaseOverride = db;
}
