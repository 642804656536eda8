import { randomBytes } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { amazonChannelModule } from "../../connectors/amazon/amazon-channel-module";
import { startAmazonSandbox, type AmazonSandbox } from "../../connectors/amazon/sandbox/amazon-sandbox.server";
import type { ChannelConnectors } from "../../connectors/channel-connectors";
import { CredentialCipher } from "../../db/crypto/credential-cipher";
import { adjustInventory } from "../../db/repositories/inventory-repository";
import { createCredentialStore } from "../../db/repositories/channel-credential-store";
import { webhookDeliveries } from "../../db/schema";
import { pollConnectionOrders } from "../../jobs/tasks/channels-poll-orders.task";
import { syncConnectionStock } from "../../jobs/tasks/inventory-sync.task";
import { processWebhookDelivery } from "../../jobs/tasks/webhooks-process.task";
import { createConnection, createListing, listingById } from "../helpers/channel-fixtures";
import { createLocation, createShop, createVariant, receive } from "../helpers/ledger-fixtures";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";

/**
 * A sale Amazon made itself already came off Amazon's quantity: capturing it must not push the
 * same figure back (an echo), and the quantity Amazon shows must still end right when one of
 * our pushes overwrote Amazon's own decrement before the sale was captured.
 */

const LWA = { clientId: "amzn1.application-oa2-client.echo", clientSecret: "echo-secret", refreshToken: "Atzr|echo-refresh" };
const SELLER = "A2ECHOSELLER";
const PATCH = "listingsItems_2021-08-01.json:patchListingsItem";
const cipher = new CredentialCipher(randomBytes(32));

let database: TestDatabase;
let sandbox: AmazonSandbox | undefined;
// The sandbox's clock is ours: the sale's time is compared with when our figure settled.
let clock = Date.now();
beforeAll(async () => {
  database = await createTestDatabase();
});
afterEach(async () => {
  await sandbox?.stop();
  sandbox = undefined;
});

async function setup() {
  const { db } = database;
  clock = Date.now();
  sandbox = await startAmazonSandbox({ port: 0, sellerId: SELLER, ...LWA, listings: [{ sku: "ECHO-MUG", title: "Mug", price: "12.50", quantity: 3 }], now: () => clock, log: () => {} });
  const shop = await createShop(db);
  const location = await createLocation(db, shop.id, { name: "Main" });
  const mug = await createVariant(db, shop.id, "ECHO-MUG", 1250);
  await receive(db, shop.id, mug.id, location.id, 20);
  const connection = await createConnection(db, shop.id, {
    channel: "amazon",
    locationIds: [location.id],
    credentialsEncrypted: cipher.encryptJson(LWA),
    settings: { baseUrl: sandbox.url, sellerId: SELLER, marketplaceId: "ATVPDKIKX0DER", feedThreshold: 100, pollStartAt: new Date(clock - 60_000).toISOString() },
  });
  const listing = await createListing(db, shop.id, connection.id, mug.id, { externalId: "ECHO-MUG", externalSku: "ECHO-MUG", externalVariantRef: "ECHO-MUG" });
  const connectors: ChannelConnectors = { modules: [amazonChannelModule({ sleep: async () => {} })], credentials: createCredentialStore(db, cipher), now: () => new Date(clock) };
  const context = { db, connectors };
  const sync = () => syncConnectionStock(context, { shopId: shop.id, connectionId: connection.id }, { reference: `echo-${Math.random()}` });
  const capture = async () => {
    // searchOrders shows an order two minutes after it changed.
    clock += 3 * 60_000;
    await pollConnectionOrders(context, connection.id);
    const deliveries = await db.select().from(webhookDeliveries).where(and(eq(webhookDeliveries.shopId, shop.id), eq(webhookDeliveries.status, "received")));
    for (const delivery of deliveries) await processWebhookDelivery(context, delivery.id);
    return deliveries.length;
  };
  const patches = () => sandbox!.calls.get(PATCH)?.total ?? 0;
  const shown = () => sandbox!.state.listings.get("ECHO-MUG")!.quantity;
  return { db, shop, mug, location, listing, sandbox, sync, capture, patches, shown };
}

describe("an Amazon sale is not pushed back to Amazon", () => {
  it("captures a sale Amazon already took off its quantity without pushing the figure Amazon already shows", async () => {
    const { db, listing, sandbox, sync, capture, patches, shown } = await setup();
    expect(await sync()).toMatchObject({ outcome: "pushed", applied: 1 });
    expect(shown()).toBe(20);
    const before = patches();

    // The buyer orders on Amazon after our figure landed there: Amazon shows 18 at once.
    clock = Date.now() + 10_000;
    sandbox.generateOrder({ items: [{ sku: "ECHO-MUG", quantity: 2 }], status: "UNSHIPPED" });
    expect(shown()).toBe(18);
    expect(await capture()).toBe(1);

    expect(await listingById(db, listing.id)).toMatchObject({ lastPushedAvailable: 18 });
    expect(await sync()).toMatchObject({ outcome: "up_to_date", batches: 0 });
    expect(patches()).toBe(before);
    expect(shown()).toBe(18);
  });

  it("pushes the figure when one of ours overwrote Amazon's own decrement before the sale was captured", async () => {
    const { db, shop, mug, location, sandbox, sync, capture, shown } = await setup();
    // The buyer orders on Amazon (18 there) before our first figure lands.
    sandbox.generateOrder({ items: [{ sku: "ECHO-MUG", quantity: 2 }], status: "UNSHIPPED" });
    await adjustInventory(db, { shopId: shop.id, variantId: mug.id, locationId: location.id, delta: -1, actor: "test", reason: "count" });
    expect(await sync()).toMatchObject({ outcome: "pushed", applied: 1 });
    // Our 19 replaced Amazon's 18: the sale is no longer in Amazon's figure.
    expect(shown()).toBe(19);

    expect(await capture()).toBe(1);
    expect(await sync()).toMatchObject({ outcome: "pushed", applied: 1 });
    expect(shown()).toBe(17);
  });
});
