import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "postgresql",
  schema: "./db/schema/index.ts",
  out: "./db/migrations",
  // generate needs no database; migrate runs through db/migrate-cli.ts (embedded PG aware).
  dbCredentials: { url: process.env.DATABASE_URL ?? "postgres://localhost/switchyard" },
});
