import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, inject } from "vitest";
import { createDatabaseClient, type DatabaseClient } from "../../db/client";
import { withDatabase } from "./postgres-global-setup";

export interface TestDatabase extends DatabaseClient {
  url: string;
  name: string;
}

/**
 * A database of this test file's own, cloned from the migrated template (fast: a file copy
 * inside PostgreSQL). Dropped after the file's tests.
 */
export async function createTestDatabase(options: { max?: number } = {}): Promise<TestDatabase> {
  const adminUrl = inject("postgresAdminUrl");
  const template = inject("postgresTemplateDatabase");
  const name = `t_${randomBytes(6).toString("hex")}`;
  await adminQuery(adminUrl, `CREATE DATABASE "${name}" TEMPLATE "${template}"`);
  const url = withDatabase(adminUrl, name);
  const client = createDatabaseClient(url, options);
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await client.close();
    await dropDatabase(adminUrl, name);
  };
  afterAll(close);
  return { ...client, url, name, close };
}

/**
 * A worker's clients may still be closing when a file's tests end (a stop under load gives up
 * after its grace period). Terminating them at once makes their pool raise an unhandled
 * "terminating connection" error in the test process, so they get a few seconds to leave before
 * the drop is forced.
 */
async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  for (let attempt = 0; attempt < 10; attempt++) {
    try {
      await adminQuery(adminUrl, `DROP DATABASE IF EXISTS "${name}"`);
      return;
    } catch (error) {
      // 55006 object_in_use: someone is still connected.
      if ((error as { code?: string }).code !== "55006") throw error;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
  await adminQuery(adminUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
}

async function adminQuery(adminUrl: string, sql: string) {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
