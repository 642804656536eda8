import path from "node:path";
import type { TestProject } from "vitest/node";
import { startEmbeddedPostgres } from "../../db/embedded-postgres";
import { ensureDatabaseExists, migrateDatabase } from "../../db/migrate";
import pg from "pg";
import { freePort } from "../../server/free-port";

export const TEMPLATE_DATABASE = "switchyard_test_template";

/**
 * One PostgreSQL for the whole run (TEST_DATABASE_URL's server when set, else a throwaway
 * embedded cluster) and one migrated template database; each test file clones it.
 */
export default async function setup(project: TestProject) {
  const configured = process.env.TEST_DATABASE_URL;
  let adminUrl: string;
  let stop = async () => {};
  if (configured) {
    adminUrl = configured;
  } else {
    const port = await freePort();
    const cluster = await startEmbeddedPostgres({
      dataDir: path.resolve(".data", `test-pg-${process.pid}`),
      port,
      fresh: true,
    });
    adminUrl = cluster.adminUrl;
    stop = async () => {
      await cluster.stop();
      const fs = await import("node:fs");
      fs.rmSync(path.resolve(".data", `test-pg-${process.pid}`), { recursive: true, force: true });
    };
  }
  await dropDatabase(adminUrl, TEMPLATE_DATABASE);
  await ensureDatabaseExists(adminUrl, TEMPLATE_DATABASE);
  await migrateDatabase(withDatabase(adminUrl, TEMPLATE_DATABASE));
  project.provide("postgresAdminUrl", adminUrl);
  project.provide("postgresTemplateDatabase", TEMPLATE_DATABASE);
  return stop;
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

async function dropDatabase(adminUrl: string, name: string) {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}


declare module "vitest" {
  export interface ProvidedContext {
    postgresAdminUrl: string;
    postgresTemplateDatabase: string;
  }
}
