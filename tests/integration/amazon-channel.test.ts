import { randomBytes } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { amazonChannelModule } from "../../connectors/amazon/amazon-channel-module";
import { startAmazonSandbox, type AmazonSandbox } from "../../connectors/amazon/sandbox/amazon-sandbox.server";
import { openChannelConnection, type ChannelConnectors } from "../../connectors/channel-connectors";
import { CredentialCipher } from "../../db/crypto/credential-cipher";
import { createCredentialStore } from "../../db/repositories/channel-credential-store";
import { orderLines, orders, webhookDeliveries } from "../../db/schema";
import { pollConnectionOrders } from "../../jobs/tasks/channels-poll-orders.task";
import { processWebhookDelivery } from "../../jobs/tasks/webhooks-process.task";
import type { TaskContext } from "../../jobs/task-context";
import { connectionById, createConnection, createListing } from "../helpers/channel-fixtures";
import { createLocation, createShop, createVariant, receive } from "../helpers/ledger-fixtures";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";

/**
 * Amazon end to end on real PostgreSQL, against the SP-API sandbox: the module opened from a
 * stored connection refreshes its LWA token through the credential store (persisted encrypted
 * before use), the poll job stores each order version once in the inbox and moves the cursor,
 * the inbox turns them into orders matched by SellerSKU, and stock pushes answer per listing
 * key, a feed's items `pending` until the feed settles.
 */

const LWA = { clientId: "amzn1.application-oa2-client.it", clientSecret: "it-secret", refreshToken: "Atzr|it-refresh" };
const SELLER = "A2ITSELLER";
const cipher = new CredentialCipher(randomBytes(32));

let database: TestDatabase;
let sandbox: AmazonSandbox | undefined;
let clock = Date.parse("2026-11-30T12:00:00Z");
beforeAll(async () => {
  database = await createTestDatabase();
});
afterEach(async () => {
  await sandbox?.stop();
  sandbox = undefined;
});

async function setup() {
  const { db } = database;
  sandbox = await startAmazonSandbox({
    port: 0,
    sellerId: SELLER,
    ...LWA,
    listings: [
      { sku: "AMZ-MUG", title: "Mug", price: "12.50", quantity: 20 },
      { sku: "AMZ-CAP", title: "Cap", price: "9.00", quantity: 5 },
    ],
    now: () => clock,
    log: () => {},
  });
  const shop = await createShop(db);
  const location = await createLocation(db, shop.id, { name: "Main" });
  const mug = await createVariant(db, shop.id, "AMZ-MUG", 1250);
  await receive(db, shop.id, mug.id, location.id, 20);
  const connection = await createConnection(db, shop.id, {
    channel: "amazon",
    locationIds: [location.id],
    credentialsEncrypted: cipher.encryptJson(LWA),
    settings: { baseUrl: sandbox.url, sellerId: SELLER, marketplaceId: "ATVPDKIKX0DER", feedThreshold: 1, pollStartAt: new Date(clock - 60_000).toISOString() },
  });
  await createListing(db, shop.id, connection.id, mug.id, { externalId: "AMZ-MUG", externalSku: "AMZ-MUG", externalVariantRef: "AMZ-MUG" });
  const connectors: ChannelConnectors = {
    modules: [amazonChannelModule({ sleep: async (ms) => void (clock += ms) })],
    credentials: createCredentialStore(db, cipher),
    now: () => new Date(clock),
  };
  const context: TaskContext = { db, connectors };
  return { db, shop, connection, connectors, context, sandbox };
}

describe("Amazon channel on PostgreSQL", () => {
  it("polls orders into the inbox once per version and ingests them matched by SellerSKU", async () => {
    const { db, shop, connection, context, sandbox } = await setup();
    const placed = sandbox.generateOrder({ items: [{ sku: "AMZ-MUG", quantity: 2 }] })!;
    sandbox.generateOrder({ items: [{ sku: "AMZ-CAP", quantity: 1 }], status: "PENDING", pendingMs: 10 * 60_000 });
    clock += 3 * 60_000;

    const first = await pollConnectionOrders(context, connection.id);
    expect(first).toMatchObject({ status: "polled", stored: 2, duplicates: 0 });
    // The refreshed LWA token was stored encrypted before it was used.
    const stored = await connectionById(db, connection.id);
    expect(cipher.decryptJson<Record<string, string>>(stored.credentialsEncrypted!)).toMatchObject({ ...LWA, accessToken: expect.stringMatching(/^Atza\|/) });
    expect(String(stored.settings.pollCursor)).toContain("after");

    const deliveries = await db.select().from(webhookDeliveries).where(and(eq(webhookDeliveries.channel, "amazon"), eq(webhookDeliveries.shopId, shop.id)));
    expect(deliveries.map((d) => d.deliveryId).sort()).toEqual(
      [...sandbox.state.orders.values()].map((o) => `${o.orderId}@${o.lastUpdatedTime}`).sort(),
    );
    for (const delivery of deliveries) await processWebhookDelivery(context, delivery.id);

    const [order] = await db.select().from(orders).where(and(eq(orders.shopId, shop.id), eq(orders.externalId, placed.orderId)));
    expect(order).toMatchObject({ channel: "amazon", number: placed.orderId, currency: "USD", totalMinor: 2500 + 200 + 499 });
    const lines = await db.select().from(orderLines).where(eq(orderLines.orderId, order!.id));
    expect(lines).toEqual([expect.objectContaining({ channelVariantRef: "AMZ-MUG", quantity: 2 })]);

    // Nothing changed since: the next poll stores nothing; the pending order's authorisation
    // later arrives as a new version of the same order.
    clock += 60_000;
    expect(await pollConnectionOrders(context, connection.id)).toMatchObject({ status: "polled", stored: 0 });
    clock += 10 * 60_000;
    expect(await pollConnectionOrders(context, connection.id)).toMatchObject({ status: "polled", stored: 1 });
  });

  it("pushes stock keyed by listing: patches answer at once, a feed answers pending until it settles", async () => {
    const { connection, connectors, sandbox } = await setup();
    const opened = openChannelConnection(connectors, { ...connection, shopDomain: "x", settings: { ...connection.settings, feedThreshold: 1 } });
    if (!opened.ok) throw new Error(opened.detail);
    expect(opened.value.module.capabilities).toEqual(["capture_orders_poll", "push_stock", "write_back", "refresh_credentials", "health", "returns"]);
    const stock = opened.value.stock!;
    expect(stock.scope).toBe("pooled");

    const single = await stock.push([{ key: "listing-1", externalId: "AMZ-MUG", sku: "AMZ-MUG", available: 7, previousAvailable: null }], { reference: "r1" });
    expect(single).toEqual({ ok: true, value: [{ key: "listing-1", status: "applied" }] });
    expect(sandbox.state.listings.get("AMZ-MUG")!.quantity).toBe(7);

    const batch = await stock.push(
      [
        { key: "listing-1", externalId: "AMZ-MUG", sku: "AMZ-MUG", available: 6, previousAvailable: 7 },
        { key: "listing-2", externalId: "AMZ-GONE", sku: "AMZ-GONE", available: 1, previousAvailable: null },
      ],
      { reference: "r2" },
    );
    if (!batch.ok) throw new Error(batch.detail);
    expect(batch.value.map((r) => r.status)).toEqual(["pending", "pending"]);
    const pendingId = batch.value[0]!.pendingId!;
    // The sync keeps each item's message number with the pending submission and hands it back.
    expect(batch.value.map((r) => r.channelRef)).toEqual(["1", "2"]);
    const settled = await stock.settle!(pendingId, batch.value.map((r) => ({ key: r.key, channelRef: r.channelRef! })));
    expect(settled).toEqual({
      ok: true,
      value: { done: true, results: [{ key: "listing-1", status: "applied" }, { key: "listing-2", status: "rejected", problem: expect.stringContaining("AMZ-GONE") }] },
    });
    expect(sandbox.state.listings.get("AMZ-MUG")!.quantity).toBe(6);
    // An item kept without its message number cannot be found in the report: it is pushed again.
    expect(await stock.settle!(pendingId, [{ key: "listing-9" }])).toEqual({
      ok: true,
      value: { done: true, results: [{ key: "listing-9", status: "not_applied", problem: expect.stringContaining("no message number") }] },
    });
    expect(await stock.read!([{ key: "listing-1", externalId: "AMZ-MUG", sku: "AMZ-MUG" }])).toEqual({ ok: true, value: [{ key: "listing-1", available: 6 }] });
    expect((await opened.value.health!.check()).ok).toBe(true);
  });
});
