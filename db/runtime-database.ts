import path from "node:path";
import { startEmbeddedPostgres } from "./embedded-postgres";
import { ensureDatabaseExists, migrateDatabase } from "./migrate";

export interface RuntimeDatabase {
  url: string;
  embedded: boolean;
  stop(): Promise<void>;
}

export const DEFAULT_EMBEDDED_PORT = 54329;

/**
 * The database the product runs on: DATABASE_URL when set, otherwise an embedded
 * PostgreSQL under .data/pg (created on first start, reused after). Always migrated.
 */
export async function openRuntimeDatabase(log: (line: string) => void = console.log): Promise<RuntimeDatabase> {
  const configured = process.env.DATABASE_URL;
  if (configured) {
    await migrateDatabase(configured);
    return { url: configured, embedded: false, stop: async () => {} };
  }
  const port = Number(process.env.SWITCHYARD_PG_PORT ?? DEFAULT_EMBEDDED_PORT);
  const dataDir = path.resolve(process.env.SWITCHYARD_DATA_DIR ?? ".data", "pg");
  log(`[db] starting embedded PostgreSQL on 127.0.0.1:${port} (data in ${dataDir})`);
  // Supervised: if the postmaster dies, it is started again and the pools reconnect by themselves.
  const cluster = await startEmbeddedPostgres({ dataDir, port, supervise: true, log: (line) => process.env.SWITCHYARD_PG_LOG && log(line) });
  await ensureDatabaseExists(cluster.adminUrl, "switchyard");
  const url = cluster.urlFor("switchyard");
  await migrateDatabase(url);
  return { url, embedded: true, stop: () => cluster.stop() };
}
