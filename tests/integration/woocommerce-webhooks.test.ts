import { eq, like } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setDatabaseForTests } from "../../app/db.server";
import { action as wooWebhook } from "../../app/routes/webhooks.woocommerce.$connectionId";
import { signWooCommerceWebhook } from "../../connectors/woocommerce/woocommerce-webhook-signature";
import { credentialCipher } from "../../db/crypto/encryption-key";
import { webhookDeliveries } from "../../db/schema";
import { createConnection } from "../helpers/channel-fixtures";
import { createShop } from "../helpers/ledger-fixtures";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";

let database: TestDatabase;
let connectionId: string;
const SECRET = "woo-webhook-secret";

beforeAll(async () => {
  database = await createTestDatabase();
  setDatabaseForTests(database.db);
  const shop = await createShop(database.db, "woo-webhooks.myshopify.com");
  const connection = await createConnection(database.db, shop.id, {
    channel: "woocommerce",
    locationIds: [],
    credentialsEncrypted: credentialCipher().encryptJson({ consumerKey: "ck", consumerSecret: "cs", webhookSecret: SECRET }),
  });
  connectionId = connection.id;
});
afterAll(() => setDatabaseForTests(undefined));

const order = (id: number, modified = "2026-12-01T10:00:00") => ({ id, status: "processing", currency: "USD", date_created_gmt: "2026-12-01T09:59:00", date_modified_gmt: modified, total: "10.00", line_items: [] });

async function post(body: string, headers: Record<string, string>, id = connectionId) {
  const request = new Request(`http://localhost/webhooks/woocommerce/${id}`, { method: "POST", body, headers: { "Content-Type": "application/json", ...headers } });
  return (wooWebhook as (args: unknown) => Promise<Response>)({ request, params: { connectionId: id }, context: {} });
}

function signed(body: string, topic = "order.created", deliveryId = "1") {
  return { "X-WC-Webhook-Topic": topic, "X-WC-Webhook-Delivery-ID": deliveryId, "X-WC-Webhook-Signature": signWooCommerceWebhook(body, SECRET) };
}

const rows = (prefix: string) => database.db.select().from(webhookDeliveries).where(like(webhookDeliveries.deliveryId, `${prefix}%`));

describe("WooCommerce webhook ingress", () => {
  it("answers the creation ping with 200 and stores nothing", async () => {
    const response = await post("webhook_id=42", { "Content-Type": "application/x-www-form-urlencoded" });
    expect(response.status).toBe(200);
    expect(await rows("webhook_id")).toHaveLength(0);
  });

  it("refuses a wrong or missing signature with 401 and stores nothing", async () => {
    const body = JSON.stringify(order(901));
    expect((await post(body, { ...signed(body), "X-WC-Webhook-Signature": signWooCommerceWebhook(body, "other") })).status).toBe(401);
    expect((await post(body, { "X-WC-Webhook-Topic": "order.created" })).status).toBe(401);
    expect(await rows("order.created:901:")).toHaveLength(0);
  });

  it("stores a signed order once per version, although Woo repeats the delivery id", async () => {
    const first = JSON.stringify(order(902));
    expect(await (await post(first, signed(first, "order.created", "7"))).json()).toEqual({ received: true, stored: true });
    expect(await (await post(first, signed(first, "order.created", "7"))).json()).toEqual({ received: true, stored: false, reason: "duplicate" });
    const changed = JSON.stringify(order(902, "2026-12-01T10:05:00"));
    expect(await (await post(changed, signed(changed, "order.updated", "7"))).json()).toEqual({ received: true, stored: true });
    const stored = await database.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.resourceId, "902"));
    expect(stored.map((r) => [r.channel, r.deliveryId, r.status])).toEqual([
      ["woocommerce", "order.created:902:2026-12-01T10:00:00.000Z", "received"],
      ["woocommerce", "order.updated:902:2026-12-01T10:05:00.000Z", "received"],
    ]);
  });

  it("keeps a signed body that is not JSON or not an order, marked failed", async () => {
    const broken = "{not json";
    expect((await post(broken, signed(broken))).status).toBe(400);
    const noDate = JSON.stringify({ id: 903 });
    expect((await post(noDate, signed(noDate))).status).toBe(200);
    const kept = [...(await rows("order.created:unparseable:")), ...(await rows("order.created:malformed:"))];
    expect(kept.map((r) => r.status)).toEqual(["failed", "failed"]);
  });

  it("answers 404 for an unknown connection", async () => {
    const body = JSON.stringify(order(904));
    expect((await post(body, signed(body), "00000000-0000-0000-0000-000000000000")).status).toBe(404);
  });
});
