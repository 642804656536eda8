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
    await adminQuery(adminUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  };
  afterAll(close);
  return { ...client, url, name, close };
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
