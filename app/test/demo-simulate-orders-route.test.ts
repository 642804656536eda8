import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { action } from "../routes/app.demo.simulate-orders";
import { registerDemoControls } from "../config/demo-controls.server";
import { setDatabaseForTests } from "../db.server";
import { seedDemoShop } from "../../db/seed/demo-seed";
import { createTestDatabase } from "../../tests/helpers/test-database";
import { adminPostHeaders } from "./route-test-kit";

function post(count: string) {
  return new Request("http://localhost/app/demo/simulate-orders", {
    method: "POST",
    body: new URLSearchParams({ count }),
    headers: adminPostHeaders("http://localhost"),
  });
}

describe("simulating orders in the demo", () => {
  beforeAll(async () => {
    process.env.SWITCHYARD_DEMO = "1";
    const database = await createTestDatabase();
    setDatabaseForTests(database.db);
    await seedDemoShop(database.db, { historicalOrders: 0 });
  });
  afterEach(() => registerDemoControls(undefined));
  afterAll(() => {
    setDatabaseForTests(undefined);
    delete process.env.SWITCHYARD_DEMO;
  });

  it("asks the Shopify sandbox for the requested number of orders", async () => {
    const asked: number[] = [];
    registerDemoControls({ simulateShopifyOrders: async (count) => (asked.push(count), count) });
    const response = await action({ request: post("5"), params: {}, context: {} });
    expect(await response.json()).toEqual({ ok: true, requested: 5, sent: 5 });
    expect(asked).toEqual([5]);
  });

  it("refuses a count outside 1..50", async () => {
    registerDemoControls({ simulateShopifyOrders: async (count) => count });
    const response = await action({ request: post("500"), params: {}, context: {} });
    expect(response.status).toBe(400);
  });

  it("says plainly when no sandbox runs in this process", async () => {
    const response = await action({ request: post("1"), params: {}, context: {} });
    expect(response.status).toBe(503);
  });
});
