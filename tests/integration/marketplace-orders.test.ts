import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setDatabaseForTests } from "../../app/db.server";
import { action as wooWebhook } from "../../app/routes/webhooks.woocommerce.$connectionId";
import { ebayChannelModule } from "../../connectors/ebay/ebay-channel-module";
import { startEbaySandbox, type EbaySandbox } from "../../connectors/ebay/sandbox/ebay-sandbox.server";
import { wooCommerceChannelModule } from "../../connectors/woocommerce/woocommerce-channel-module";
import { startWooCommerceSandbox, type WooCommerceSandbox } from "../../connectors/woocommerce/sandbox/woocommerce-sandbox.server";
import { signWooCommerceWebhook } from "../../connectors/woocommerce/woocommerce-webhook-signature";
import { credentialCipher } from "../../db/crypto/encryption-key";
import { createCredentialStore } from "../../db/repositories/channel-credential-store";
import { channelConnections, orders, webhookDeliveries } from "../../db/schema";
import { pollConnectionOrders } from "../../jobs/tasks/channels-poll-orders.task";
import { processWebhookDelivery } from "../../jobs/tasks/webhooks-process.task";
import { createConnection, createListing } from "../helpers/channel-fixtures";
import { createLocation, createShop, createVariant, receive } from "../helpers/ledger-fixtures";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";

/** eBay orders by polling and WooCommerce orders by webhook, through the inbox into the ledger. */

const APP = { appId: "Switchya-int-PRD-1", certId: "PRD-int-secret" };
const KEYS = { consumerKey: "ck_int", consumerSecret: "cs_int" };
let database: TestDatabase;
let ebay: EbaySandbox;
let woo: WooCommerceSandbox;
let shopId = "";

beforeAll(async () => {
  database = await createTestDatabase();
  setDatabaseForTests(database.db);
  ebay = await startEbaySandbox({ port: 0, ...APP, log: () => {}, seed: { items: [{ sku: "MUG-BLK", title: "Black mug", price: "12.00", quantity: 10 }] } });
  woo = await startWooCommerceSandbox({ port: 0, ...KEYS, log: () => {}, seed: { products: [{ name: "Tee", price: "20.00", variations: [{ sku: "TEE-M", option: "M", price: "20.00", stock: 5 }] }] } });
  const shop = await createShop(database.db);
  shopId = shop.id;
  const location = await createLocation(database.db, shopId, { name: "Main" });
  for (const sku of ["MUG-BLK", "TEE-M"]) await receive(database.db, shopId, (await createVariant(database.db, shopId, sku)).id, location.id, 20);
});
afterAll(async () => {
  setDatabaseForTests(undefined);
  await ebay.stop();
  await woo.stop();
});

const context = () => ({ db: database.db, connectors: { modules: [ebayChannelModule(), wooCommerceChannelModule()], credentials: createCredentialStore(database.db) } });

async function processAll(channel: string) {
  const rows = await database.db.select().from(webhookDeliveries).where(and(eq(webhookDeliveries.channel, channel), eq(webhookDeliveries.status, "received")));
  for (const row of rows) await processWebhookDelivery(context(), row.id);
  return rows.length;
}

describe("marketplace orders into the ledger", () => {
  it("polls eBay orders into the inbox once per version, maps and reserves them", async () => {
    const token = ebay.issueUserToken();
    const connection = await createConnection(database.db, shopId, {
      channel: "ebay",
      locationIds: [],
      credentialsEncrypted: credentialCipher().encryptJson({ ...APP, accessToken: token.accessToken, refreshToken: token.refreshToken }),
      settings: { baseUrl: ebay.url },
    });
    const sold = ebay.simulateOrder({ lines: [{ sku: "MUG-BLK", quantity: 2 }] });
    expect(await pollConnectionOrders(context(), connection.id)).toMatchObject({ status: "polled", stored: 1 });
    // The cursor was saved; the one-second overlap re-reads the order, and the inbox knows it.
    expect(await pollConnectionOrders(context(), connection.id)).toMatchObject({ stored: 0 });
    const [saved] = await database.db.select().from(channelConnections).where(eq(channelConnections.id, connection.id));
    expect(typeof saved!.settings.pollCursor).toBe("string");
    expect(await processAll("ebay")).toBe(1);
    const [order] = await database.db.select().from(orders).where(and(eq(orders.shopId, shopId), eq(orders.channel, "ebay")));
    expect(order).toMatchObject({ externalId: sold.orderId, status: "reserved" });
  });

  it("takes a signed WooCommerce webhook through the inbox and matches the line by its variation id", async () => {
    const connection = await createConnection(database.db, shopId, {
      channel: "woocommerce",
      locationIds: [],
      credentialsEncrypted: credentialCipher().encryptJson({ ...KEYS, webhookSecret: "whsec" }),
      settings: { baseUrl: woo.url },
    });
    const variation = [...woo.state.variations.values()][0]!;
    const [tee] = (await database.db.execute<{ id: string }>(sql`SELECT id FROM variants WHERE shop_id = ${shopId} AND sku = 'TEE-M'`)).rows;
    await createListing(database.db, shopId, connection.id, tee!.id, { externalId: String(variation.id), externalVariantRef: String(variation.id) });
    woo.state.webhooks.set(1, { id: 1, name: "orders", status: "active", topic: "order.created", deliveryUrl: "http://127.0.0.1:9/unused", secret: "whsec", createdAt: Date.now() });
    const { payload } = await woo.simulateOrder({ lines: [{ listingId: variation.id, quantity: 1 }], send: false });
    // No SKU on the line: matched by the listing's variation id alone.
    const body = JSON.stringify({ ...(payload as object), line_items: (payload as { line_items: object[] }).line_items.map((l) => ({ ...l, sku: "" })) });
    const request = new Request(`http://localhost/webhooks/woocommerce/${connection.id}`, {
      method: "POST",
      body,
      headers: { "Content-Type": "application/json", "X-WC-Webhook-Topic": "order.created", "X-WC-Webhook-Signature": signWooCommerceWebhook(body, "whsec") },
    });
    const response = await (wooWebhook as (args: unknown) => Promise<Response>)({ request, params: { connectionId: connection.id }, context: {} });
    expect(response.status).toBe(200);
    expect(await processAll("woocommerce")).toBe(1);
    const [order] = await database.db.select().from(orders).where(and(eq(orders.shopId, shopId), eq(orders.channel, "woocommerce")));
    expect(order).toMatchObject({ status: "reserved" });
  });
});
