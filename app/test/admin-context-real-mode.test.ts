import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setDatabaseForTests } from "../db.server";
import { createTestDatabase } from "../../tests/helpers/test-database";
import { requireAdminContext } from "../auth/admin-context.server";
import { thrownResponse } from "./route-test-kit";

/** With Shopify credentials the admin is only reachable through Shopify's embedded auth. */
describe("admin context with Shopify credentials", () => {
  const saved = { ...process.env };

  beforeAll(async () => {
    const database = await createTestDatabase();
    setDatabaseForTests(database.db);
    process.env.SHOPIFY_API_KEY = "test-api-key";
    process.env.SHOPIFY_API_SECRET = "test-api-secret";
    process.env.SHOPIFY_APP_URL = "https://switchyard.example.com";
    process.env.SCOPES = "read_orders,write_orders";
    delete process.env.SWITCHYARD_DEMO;
  });

  afterAll(() => {
    setDatabaseForTests(undefined);
    for (const key of ["SHOPIFY_API_KEY", "SHOPIFY_API_SECRET", "SHOPIFY_APP_URL", "SCOPES", "SWITCHYARD_DEMO"]) {
      if (saved[key] === undefined) delete process.env[key];
      else process.env[key] = saved[key];
    }
  });

  it("sends a request without a Shopify session to the login page instead of serving the demo shop", async () => {
    const response = await thrownResponse(requireAdminContext(new Request("https://switchyard.example.com/app")));
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toMatch(/\/auth\/login/);
  });
});
