import { randomBytes } from "node:crypto";
import nock from "nock";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadAdminSchema } from "../../connectors/shopify/admin-schema-loader";
import { startShopifySandbox, type ShopifySandbox } from "../../connectors/shopify/sandbox/shopify-sandbox.server";
import { CredentialCipher } from "../../db/crypto/credential-cipher";
import { shipReservedOrder } from "../../db/repositories/fulfillment-repository";
import { applyMerchantOrderAction } from "../../db/repositories/order-action-repository";
import { ingestOrder } from "../../db/repositories/order-ingest-repository";
import { orderEvents, shipments } from "../../db/schema";
import { sendCancellationToChannel } from "../../jobs/tasks/channels-cancel-order.task";
import { confirmShipmentOnChannel } from "../../jobs/tasks/channels-confirm-fulfillment.task";
import { createConnection, shopifyConnectorsFor } from "../helpers/channel-fixtures";
import { createLocation, createShop, createVariant, line, makeOrder, receive } from "../helpers/ledger-fixtures";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";

/** Fulfillment and cancellation written back to the demo's Shopify sandbox (real HTTP on 127.0.0.1 only). */

const TOKEN = "shpat_sandbox_writes";
const cipher = new CredentialCipher(randomBytes(32));
let database: TestDatabase;
let sandbox: ShopifySandbox;
let shopId: string;
let locationId: string;

// Building the 3.4 MB SDL takes a second or more under load; do it once, outside the hooks' budget.
beforeAll(() => void loadAdminSchema(), 60_000);

beforeAll(async () => {
  nock.disableNetConnect();
  nock.enableNetConnect("127.0.0.1");
  database = await createTestDatabase();
  sandbox = await startShopifySandbox({
    port: 0,
    shopDomain: "sandbox-writes.myshopify.com",
    accessToken: TOKEN,
    webhookSecret: "unused",
    appUrl: "http://127.0.0.1:9",
    seed: { locations: [{ name: "Main" }], variants: [{ sku: "SBX-TEE", title: "Tee", price: "20.00" }], inventory: [{ sku: "SBX-TEE", location: "Main", available: 50 }] },
    log: () => {},
  });
  const { db } = database;
  const shop = await createShop(db);
  shopId = shop.id;
  locationId = (await createLocation(db, shopId, { name: "Main", externalId: sandbox.state.locations[0]!.id })).id;
  const variant = await createVariant(db, shopId, "SBX-TEE");
  await receive(db, shopId, variant.id, locationId, 50);
  await createConnection(db, shopId, {
    locationIds: [locationId],
    credentialsEncrypted: cipher.encryptJson({ accessToken: TOKEN }),
    settings: { baseUrl: sandbox.url },
  });
});
afterAll(async () => {
  await sandbox?.stop();
  nock.enableNetConnect();
});

const context = () => ({ db: database.db, connectors: shopifyConnectorsFor(database.db, cipher) });
const firstAttempt = { attempts: 1, maxAttempts: 8 };

/** An order placed in the sandbox and ingested into Switchyard under its Shopify ids. */
async function simulatedOrder(quantity: number) {
  const { order } = await sandbox.simulateOrder({ send: false, lines: [{ sku: "SBX-TEE", quantity }] });
  const ingested = await ingestOrder(database.db, {
    shopId,
    actor: "test",
    order: makeOrder({ externalId: order.id, number: order.name, lines: [line("SBX-TEE", quantity, order.lineItems[0]!.id)] }),
  });
  expect(ingested.status).toBe("reserved");
  return { sandboxOrder: order, orderId: ingested.orderId };
}

describe("channel writes against the Shopify sandbox", () => {
  it("creates the fulfillment with tracking at the shipment's location and records it", async () => {
    const { sandboxOrder, orderId } = await simulatedOrder(2);
    const shipped = await shipReservedOrder(database.db, {
      shopId,
      orderId,
      actor: "user:test",
      shipment: () => ({ carrier: "USPS", service: "Manual", trackingNumber: "9400111899223344556677", trackingUrl: "https://tools.usps.com/go/TrackConfirmAction?tLabels=9400111899223344556677" }),
    });
    if (!shipped.ok) throw new Error(shipped.reason);
    const shipmentId = shipped.value.shipmentIds[0]!;

    expect(await confirmShipmentOnChannel(context(), { shopId, shipmentId }, firstAttempt)).toEqual({ status: "sent" });

    const fulfillments = sandbox.state.fulfillments.filter((f) => f.orderId === sandboxOrder.id);
    expect(fulfillments).toHaveLength(1);
    expect(fulfillments[0]).toMatchObject({
      notifyCustomer: true,
      trackingInfo: [expect.objectContaining({ company: "USPS", number: "9400111899223344556677" })],
    });
    const fo = sandbox.state.fulfillmentOrders.find((f) => f.orderId === sandboxOrder.id)!;
    expect(fo.lineItems.map((l) => l.remainingQuantity)).toEqual([0]);
    const [row] = await database.db.select().from(shipments).where(eq(shipments.id, shipmentId));
    expect(row).toMatchObject({ channelFulfillmentId: fulfillments[0]!.id, channelError: null });

    // A retry after a lost answer finds the fulfillment by its tracking number instead of shipping twice.
    await database.db.update(shipments).set({ channelConfirmedAt: null }).where(eq(shipments.id, shipmentId));
    expect(await confirmShipmentOnChannel(context(), { shopId, shipmentId }, firstAttempt)).toEqual({ status: "already_done" });
    expect(sandbox.state.fulfillments.filter((f) => f.orderId === sandboxOrder.id)).toHaveLength(1);
  });

  it("cancels the order there after the merchant cancelled it in Switchyard", async () => {
    const { sandboxOrder, orderId } = await simulatedOrder(1);
    expect(await applyMerchantOrderAction(database.db, { shopId, orderId, action: "cancel", actor: "user:test" })).toMatchObject({ ok: true });

    expect(await sendCancellationToChannel(context(), { shopId, orderId }, firstAttempt)).toEqual({ status: "sent" });

    expect(sandbox.state.orders.find((o) => o.id === sandboxOrder.id)!.cancelledAt).not.toBeNull();
    const events = await database.db.select().from(orderEvents).where(eq(orderEvents.orderId, orderId)).orderBy(orderEvents.id);
    expect(events.at(-1)!.message).toBe("Cancellation sent to Shopify");
  });
});
