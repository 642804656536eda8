import pg from "pg";
import { drizzle, type NodePgDatabase } from "drizzle-orm/node-postgres";
import { describeError } from "./safe-error-text";
import * as schema from "./schema";

export type Database = NodePgDatabase<typeof schema>;
/** A transaction handle: repositories accept either and never open their own transactions. */
export type Tx = Parameters<Parameters<Database["transaction"]>[0]>[0];
export type DbOrTx = Database | Tx;

export interface DatabaseClient {
  db: Database;
  pool: pg.Pool;
  /** Opens the connections `keepOpen` asks for now, before the first request needs one. */
  warm(): Promise<void>;
  close(): Promise<void>;
}

export interface DatabaseClientOptions {
  max?: number;
  /**
   * Connections kept open while idle (the pool closes the others after 10 s). A web process's
   * ingress keeps a few, so the first deliveries of a burst after a quiet spell do not each wait
   * for a TCP connect and SCRAM authentication: warmed, bench:intake's ack p99 at 1,000 orders
   * went from 40–63 ms (four runs of nine above 50) to 38–50 ms (none above; docs/adr/0026).
   */
  keepOpen?: number;
}

// PostgreSQL bigint (int8) counts come back as strings by default; every count we read fits a JS number.
pg.types.setTypeParser(20, (value) => Number(value));

const CLOSE_GRACE_MS = 5000;

export function createDatabaseClient(url: string, options: DatabaseClientOptions = {}): DatabaseClient {
  const keepOpen = options.keepOpen ?? 0;
  // A dead server must fail a checkout within seconds (then a 503 or a job retry), not hang it.
  // Pipelined connections (node-postgres 8.23): a statement is sent as soon as it is issued, not
  // after the answer to the one before, so statements a transaction issues together travel in one
  // round trip (statements-together.ts); code that awaits each statement behaves exactly as before.
  // For intake's batches, which hold a shop's levels while they write, that is the difference
  // between one round trip and eight under the locks (docs/adr/0027). (@types/pg lacks the option.)
  const pool = new pg.Pool({ connectionString: url, max: options.max ?? 20, min: keepOpen, connectionTimeoutMillis: 5000, pipeline: true } as pg.PoolConfig);
  // A client that errors (the server restarted or was killed) must not crash the process: idle
  // clients report to the pool, checked-out ones to their own listener, which pg leaves unset.
  // The query in flight fails on its own and the pool replaces the broken client.
  pool.on("error", (error) => console.error(`[db] idle connection lost: ${describeError(error)}`));
  pool.on("connect", (client) => {
    client.on("error", (error) => console.error(`[db] connection lost: ${describeError(error)}`));
  });
  const db = drizzle(pool, { schema });
  // pool.end() waits for every checked-out client; after a server was killed one may never come
  // back, and a shutdown must not hang on it.
  const close = async () => {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([pool.end().catch(() => {}), new Promise((resolve) => (timer = setTimeout(resolve, CLOSE_GRACE_MS)))]);
    clearTimeout(timer);
  };
  const warm = async () => {
    const opened = await Promise.all(Array.from({ length: keepOpen }, () => pool.connect()));
    for (const client of opened) client.release();
  };
  return { db, pool, warm, close };
}
