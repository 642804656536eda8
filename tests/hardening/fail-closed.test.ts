import { spawnSync } from "node:child_process";
import { eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { setDatabaseForTests } from "../../app/db.server";
import { action as ordersCreate } from "../../app/routes/webhooks.orders.create";
import { action as shopRedact } from "../../app/routes/webhooks.shop.redact";
import { shops, webhookDeliveries } from "../../db/schema";
import { processWebhookDelivery } from "../../jobs/tasks/webhooks-process.task";
import { appUrl, DEMO_WEBHOOK_SECRET, listenHost, MissingSecretError, startupConfigProblems, webhookSecret } from "../../app/config/demo-mode.server";
import { fixtureText, orderWebhookPayload, postWebhook } from "../fixtures/shopify/webhooks/shopify-webhook-requests";
import { createShop } from "../helpers/ledger-fixtures";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";

/** Issue 7 "Forged webhooks accepted when misconfigured": the app now fails closed. */
const PRODUCTION_WITHOUT_SECRET = { SHOPIFY_API_KEY: "real-key", SHOPIFY_APP_URL: "https://oms.example.com" };

describe("configuration", () => {
  it("has no webhook secret outside demo mode unless SHOPIFY_API_SECRET is set", () => {
    expect(() => webhookSecret(PRODUCTION_WITHOUT_SECRET)).toThrow(MissingSecretError);
    expect(() => webhookSecret({ ...PRODUCTION_WITHOUT_SECRET, SHOPIFY_API_SECRET: "  " })).toThrow(/SHOPIFY_API_SECRET is not set/);
    expect(webhookSecret({ ...PRODUCTION_WITHOUT_SECRET, SHOPIFY_API_SECRET: "s3cret" })).toBe("s3cret");
    expect(webhookSecret({})).toBe(DEMO_WEBHOOK_SECRET);
    expect(startupConfigProblems(PRODUCTION_WITHOUT_SECRET)).toEqual([expect.stringMatching(/SHOPIFY_API_SECRET is not set/)]);
    expect(startupConfigProblems({})).toEqual([]);
  });

  it("listens on loopback in the demo unless HOST says otherwise, and everywhere with credentials", () => {
    expect(listenHost({})).toBe("127.0.0.1");
    expect(listenHost({ HOST: "0.0.0.0" })).toBe("0.0.0.0");
    // The Shopify CLI puts the tunnel URL in HOST: not an address to bind.
    expect(listenHost({ HOST: "https://tunnel.example.com" })).toBe("127.0.0.1");
    expect(listenHost({ SHOPIFY_API_KEY: "k", SHOPIFY_API_SECRET: "s" })).toBe("0.0.0.0");
  });

  it("defaults SHOPIFY_APP_URL to http://localhost:<PORT> as the README says", () => {
    expect(appUrl({})).toBe("http://localhost:3000");
    expect(appUrl({ PORT: "3012" })).toBe("http://localhost:3012");
    expect(appUrl({ SHOPIFY_APP_URL: "https://oms.example.com/" })).toBe("https://oms.example.com");
  });

  it("refuses to start with an API key but no secret, saying why, before opening anything", () => {
    const result = spawnSync("npx", ["tsx", "scripts/start.ts"], {
      env: { ...process.env, ...PRODUCTION_WITHOUT_SECRET, SHOPIFY_API_SECRET: "", SWITCHYARD_DEMO: "", DATABASE_URL: "postgres://127.0.0.1:1/never-opened" },
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/cannot start: SHOPIFY_API_SECRET is not set/);
    expect(result.stdout).not.toMatch(/Switchyard is running/);
  });
});

describe("webhooks when misconfigured, and forged ones", () => {
  let database: TestDatabase;
  const saved = { ...process.env };
  beforeAll(async () => {
    database = await createTestDatabase();
    setDatabaseForTests(database.db);
  });
  afterEach(() => {
    for (const key of ["SHOPIFY_API_KEY", "SHOPIFY_API_SECRET", "SWITCHYARD_DEMO"]) {
      if (saved[key] === undefined) delete process.env[key];
      else process.env[key] = saved[key];
    }
  });
  afterAll(() => setDatabaseForTests(undefined));

  it("accepts nothing signed with the public demo secret when credentials are set without a secret", async () => {
    const shop = await createShop(database.db);
    process.env.SHOPIFY_API_KEY = "real-key";
    delete process.env.SHOPIFY_API_SECRET;
    delete process.env.SWITCHYARD_DEMO;
    const { response, deliveryId } = await postWebhook(ordersCreate, {
      topic: "orders/create",
      shopDomain: shop.domain,
      body: JSON.stringify(orderWebhookPayload({ id: "6001" })),
      secret: DEMO_WEBHOOK_SECRET,
    });
    expect(response.status).toBe(503);
    expect(await database.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.deliveryId, deliveryId))).toHaveLength(0);
  });

  it("refuses a forged signature with 401 when a secret is configured", async () => {
    const shop = await createShop(database.db);
    process.env.SHOPIFY_API_KEY = "real-key";
    process.env.SHOPIFY_API_SECRET = "the-real-secret";
    const { response } = await postWebhook(ordersCreate, {
      topic: "orders/create",
      shopDomain: shop.domain,
      body: JSON.stringify(orderWebhookPayload({ id: "6002" })),
      secret: DEMO_WEBHOOK_SECRET,
    });
    expect(response.status).toBe(401);
  });

  it("processes shop/redact only for an uninstalled shop; for an installed one it is kept as failed", async () => {
    const shop = await createShop(database.db);
    const { response, deliveryId } = await postWebhook(shopRedact, { topic: "shop/redact", shopDomain: shop.domain, body: fixtureText("shop-redact.json", shop.domain) });
    expect(response.status).toBe(200);
    const [row] = await database.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.deliveryId, deliveryId));
    await processWebhookDelivery({ db: database.db }, row!.id);
    const [after] = await database.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.id, row!.id));
    expect(after).toMatchObject({ status: "failed", error: expect.stringMatching(/still installed/) });
    expect(await database.db.select().from(shops).where(eq(shops.id, shop.id))).toHaveLength(1);
  });
});
