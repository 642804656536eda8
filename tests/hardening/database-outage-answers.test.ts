import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setDatabaseForTests } from "../../app/db.server";
import { createDatabaseClient, type DatabaseClient } from "../../db/client";
import { createApiToken } from "../../db/repositories/api-token-repository";
import { startTestApp, type TestApp } from "../helpers/app-server";
import { freePort } from "../../server/free-port";

/**
 * Issue 7 "500s from the read API and admin": while PostgreSQL is away, the admin and the
 * integration API answer 503 with Retry-After (try again), not 500 (broken), and answer as
 * usual again once it is back. "Away" is a pool pointed at a port nothing listens on.
 */
let app: TestApp;
let unreachable: DatabaseClient;
let token: string;

beforeAll(async () => {
  app = await startTestApp({ historicalOrders: 5 });
  token = await createApiToken(app.db, app.shop.id, "outage test");
  unreachable = createDatabaseClient(`postgres://switchyard@127.0.0.1:${await freePort()}/switchyard`, { max: 2 });
}, 240_000);

afterAll(async () => {
  setDatabaseForTests(app.db);
  await unreachable?.close();
  await app?.stop();
});

describe("while the database is away", () => {
  it("the API answers 503 in its own error shape, with Retry-After", async () => {
    setDatabaseForTests(unreachable.db);
    const response = await fetch(`${app.url}/api/v1/orders?limit=5`, { headers: { Authorization: `Bearer ${token}` } });
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe("5");
    expect(await response.json()).toEqual({ error: { code: "database_unavailable", message: expect.stringMatching(/temporarily unavailable/) } });
  });

  it("admin pages and their data requests answer 503, still rendered by the app", async () => {
    setDatabaseForTests(unreachable.db);
    const page = await fetch(`${app.url}/app/orders`);
    expect(page.status).toBe(503);
    expect(page.headers.get("retry-after")).toBe("5");
    expect(page.headers.get("content-type")).toMatch(/text\/html/);
    await page.text();

    const data = await fetch(`${app.url}/app/orders?_data=routes/app.orders._index`);
    expect(data.status).toBe(503);
    await data.text();
  });

  it("a bad request is still a 4xx, not a 503", async () => {
    setDatabaseForTests(unreachable.db);
    const response = await fetch(`${app.url}/api/v1/orders?limit=5`);
    expect(response.status).toBe(401);
    await response.text();
  });
});

describe("once the database is back", () => {
  it("the same requests answer 200", async () => {
    setDatabaseForTests(app.db);
    const api = await fetch(`${app.url}/api/v1/orders?limit=5`, { headers: { Authorization: `Bearer ${token}` } });
    expect(api.status).toBe(200);
    expect((await api.json()).data.length).toBeGreaterThan(0);
    const page = await fetch(`${app.url}/app/orders`);
    expect(page.status).toBe(200);
    await page.text();
  });
});

