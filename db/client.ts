import pg from "pg";
import { drizzle, type NodePgDatabase } from "drizzle-orm/node-postgres";
import * as schema from "./schema";

export type Database = NodePgDatabase<typeof schema>;
/** A transaction handle: repositories accept either and never open their own transactions. */
export type Tx = Parameters<Parameters<Database["transaction"]>[0]>[0];
export type DbOrTx = Database | Tx;

export interface DatabaseClient {
  db: Database;
  pool: pg.Pool;
  close(): Promise<void>;
}

// PostgreSQL bigint (int8) counts come back as strings by default; every count we read fits a JS number.
pg.types.setTypeParser(20, (value) => Number(value));

export function createDatabaseClient(url: string, options: { max?: number } = {}): DatabaseClient {
  const pool = new pg.Pool({ connectionString: url, max: options.max ?? 20 });
  // An idle client that errors (the server restarted) must not crash the process.
  pool.on("error", (error) => console.error("[db] idle client error:", error.message));
  const db = drizzle(pool, { schema });
  return { db, pool, close: () => pool.end() };
}
