import { randomBytes } from "node:crypto";
import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setDatabaseForTests } from "../../app/db.server";
import { action as wooWebhook } from "../../app/routes/webhooks.woocommerce.$connectionId";
import { amazonChannelModule } from "../../connectors/amazon/amazon-channel-module";
import { startAmazonSandbox, type AmazonSandbox } from "../../connectors/amazon/sandbox/amazon-sandbox.server";
import { ebayChannelModule } from "../../connectors/ebay/ebay-channel-module";
import { startEbaySandbox, type EbaySandbox } from "../../connectors/ebay/sandbox/ebay-sandbox.server";
import { mapShopifyGraphqlOrder } from "../../connectors/shopify/shopify-order-mapper";
import { wooDocsJsonExample } from "../../connectors/woocommerce/woocommerce-docs-examples";
import { channelDisplayName } from "../../core/channels/channel-write-policy";
import { signWooCommerceWebhook } from "../../connectors/woocommerce/woocommerce-webhook-signature";
import { CredentialCipher } from "../../db/crypto/credential-cipher";
import { credentialCipher } from "../../db/crypto/encryption-key";
import { createCredentialStore } from "../../db/repositories/channel-credential-store";
import { ingestOrder } from "../../db/repositories/order-ingest-repository";
import { storeDelivery } from "../../db/repositories/webhook-inbox-repository";
import { exceptions, inventoryLevels, inventoryMovements, orderEvents, orderLines, orders, variants, webhookDeliveries } from "../../db/schema";
import { pollConnectionOrders } from "../../jobs/tasks/channels-poll-orders.task";
import { SHOPIFY_IMPORT_ACTOR } from "../../db/repositories/shopify-import-repository";
import { processWebhookDelivery } from "../../jobs/tasks/webhooks-process.task";
import type { TaskContext } from "../../jobs/task-context";
import { createConnection, createListing } from "../helpers/channel-fixtures";
import { createLocation, createShop, createVariant, ledgerMismatches, receive } from "../helpers/ledger-fixtures";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";
import { fixtureText } from "../fixtures/shopify/webhooks/shopify-webhook-requests";

/**
 * Line edits that reach Switchyard outside Shopify's edit webhooks (issue 6): an imported
 * Shopify order already held, a WooCommerce order.updated, eBay and Amazon orders polled again.
 * Each goes through the one update path (updateExistingOrder → planOrderEdit → applyOrderEdit):
 * one unit fewer is released and a new line reserved through ledger movements, the ledger
 * equals its movements, and an older version arriving late changes nothing.
 */
const cipher = new CredentialCipher(randomBytes(32));
let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
  setDatabaseForTests(database.db);
});
afterAll(() => setDatabaseForTests(undefined));

/** A shop with three variants (10 units each at one location); returns their ids by SKU. */
async function stockedShop(skus: readonly [string, string, string]) {
  const { db } = database;
  const shop = await createShop(db);
  const location = await createLocation(db, shop.id);
  const ids: Record<string, string> = {};
  for (const sku of skus) {
    const variant = await createVariant(db, shop.id, sku);
    await receive(db, shop.id, variant.id, location.id, 10);
    ids[sku] = variant.id;
  }
  return { shop, location, ids };
}

/** Units reserved per SKU on the levels, and the reserve/release movements in ledger order. */
async function stockOf(shopId: string) {
  const levels = await database.db
    .select({ sku: variants.sku, reserved: sql<number>`sum(${inventoryLevels.reserved})::int` })
    .from(inventoryLevels)
    .innerJoin(variants, eq(variants.id, inventoryLevels.variantId))
    .where(eq(inventoryLevels.shopId, shopId))
    .groupBy(variants.sku);
  const moves = await database.db
    .select({ kind: inventoryMovements.kind, sku: variants.sku, quantity: inventoryMovements.quantity })
    .from(inventoryMovements)
    .innerJoin(variants, eq(variants.id, inventoryMovements.variantId))
    .where(and(eq(inventoryMovements.shopId, shopId), sql`${inventoryMovements.kind} IN ('reserve', 'release')`))
    .orderBy(inventoryMovements.id);
  return { reserved: Object.fromEntries(levels.map((l) => [l.sku, l.reserved])), moves: moves.map((m) => `${m.kind} ${m.quantity} ${m.sku}`) };
}

async function linesOf(shopId: string, channel: string) {
  const rows = await database.db
    .select({ sku: orderLines.sku, quantity: orderLines.quantity })
    .from(orderLines)
    .innerJoin(orders, eq(orders.id, orderLines.orderId))
    .where(and(eq(orders.shopId, shopId), eq(orders.channel, channel)));
  return Object.fromEntries(rows.map((r) => [r.sku, r.quantity]));
}

/**
 * The scenario every channel runs: the first version holds A×2 and B×1; the next one has A×1,
 * B×1 and a new line C×1; then an older version (A×2, B×0) arrives late.
 */
async function expectEditFollowed(
  shopId: string,
  channel: string,
  skus: readonly [string, string, string],
  deliver: { first(): Promise<void>; edited(): Promise<void>; stale(): Promise<void> },
) {
  const [a, b, c] = skus;
  await deliver.first();
  expect((await stockOf(shopId)).reserved).toEqual({ [a]: 2, [b]: 1, [c]: 0 });

  await deliver.edited();
  const after = await stockOf(shopId);
  expect(after.reserved).toEqual({ [a]: 1, [b]: 1, [c]: 1 });
  expect(after.moves.slice(-2)).toEqual([`release 1 ${a}`, `reserve 1 ${c}`]);
  expect(await linesOf(shopId, channel)).toEqual({ [a]: 1, [b]: 1, [c]: 1 });
  expect(await ledgerMismatches(database.db, shopId)).toEqual([]);
  const [order] = await database.db.select({ id: orders.id, status: orders.status }).from(orders).where(and(eq(orders.shopId, shopId), eq(orders.channel, channel)));
  expect(order!.status).toBe("reserved");
  // What the merchant reads on the order's timeline.
  const edited = await database.db.select({ message: orderEvents.message }).from(orderEvents).where(and(eq(orderEvents.orderId, order!.id), eq(orderEvents.kind, "lines_edited")));
  expect(edited.map((e) => e.message)).toEqual([expect.stringMatching(new RegExp(`^Lines edited on ${channelDisplayName(channel)}: −1 .*, \\+1 .* \\(new line\\); released 1 unit, reserved 1$`))]);

  await deliver.stale();
  expect(await stockOf(shopId)).toEqual(after);
  expect(await linesOf(shopId, channel)).toEqual({ [a]: 1, [b]: 1, [c]: 1 });
  expect(await ledgerMismatches(database.db, shopId)).toEqual([]);
}

/** Processes every pending delivery of the shop as the worker does; returns their statuses. */
async function processPending(context: TaskContext, shopId: string) {
  const rows = await database.db.select().from(webhookDeliveries).where(and(eq(webhookDeliveries.shopId, shopId), eq(webhookDeliveries.status, "received"))).orderBy(webhookDeliveries.id);
  const statuses = [];
  for (const row of rows) {
    const outcome = await processWebhookDelivery(context, row.id);
    statuses.push(outcome.delivery === "handled" ? outcome.status : outcome.delivery);
  }
  return statuses;
}

describe("Shopify import of an order already held", () => {
  it("follows changed currentQuantity and a new line through the ledger; an older version changes nothing", async () => {
    const skus = ["IPOD2008PINK", "MUG-BLK-11OZ", "CASE-CLEAR"] as const;
    const { shop } = await stockedShop(skus);
    const fixture = JSON.parse(fixtureText("../graphql-order-node.json")) as { lineItems: { nodes: Record<string, unknown>[] } } & Record<string, unknown>;
    const [ipod, mug] = fixture.lineItems.nodes;
    const node = (updatedAt: string, lines: [Record<string, unknown>, number][]) => ({
      ...fixture,
      updatedAt,
      lineItems: { ...fixture.lineItems, nodes: lines.map(([line, quantity]) => ({ ...line, currentQuantity: quantity, unfulfilledQuantity: quantity })) },
    });
    const caseLine = { ...mug!, id: "gid://shopify/LineItem/141249953214599999", sku: "CASE-CLEAR", title: "Clear case", variant: { id: "gid://shopify/ProductVariant/49148399" } };
    const importOrder = async (updatedAt: string, lines: [Record<string, unknown>, number][]) => {
      const mapped = mapShopifyGraphqlOrder(node(updatedAt, lines));
      if (!mapped.ok) throw new Error(`${mapped.reason}: ${mapped.detail}`);
      return ingestOrder(database.db, { shopId: shop.id, order: mapped.value, actor: SHOPIFY_IMPORT_ACTOR, sourcePayload: node(updatedAt, lines) });
    };

    await expectEditFollowed(shop.id, "shopify", skus, {
      first: async () => void (await importOrder("2026-11-20T19:05:13Z", [[ipod!, 2], [mug!, 1]])),
      edited: async () => expect((await importOrder("2026-11-21T09:00:00Z", [[ipod!, 1], [mug!, 1], [caseLine, 1]])).outcome).toBe("updated"),
      stale: async () => expect((await importOrder("2026-11-20T20:00:00Z", [[ipod!, 2], [mug!, 0]])).outcome).toBe("unchanged"),
    });
  });
});

describe("WooCommerce order.updated", () => {
  const documented = wooDocsJsonExample("_orders.md", "Retrieve an order") as Record<string, unknown> | undefined;

  it.skipIf(!documented)("follows a removed unit and an added line through the ledger; an older version changes nothing", async () => {
    const skus = ["WOO-SINGLE", "WOO-IDEA-M", "WOO-CAP"] as const;
    const { shop } = await stockedShop(skus);
    const connection = await createConnection(database.db, shop.id, {
      channel: "woocommerce",
      locationIds: [],
      // The ingress reads the webhook secret with the app's own key.
      credentialsEncrypted: credentialCipher().encryptJson({ consumerKey: "ck_edit", consumerSecret: "cs_edit", webhookSecret: "whsec-edit" }),
      settings: { baseUrl: "http://127.0.0.1:9" },
    });
    const [single, idea] = documented!.line_items as Record<string, unknown>[];
    const cap = { ...idea!, id: 317, name: "Cap", product_id: 31, variation_id: 0, meta_data: [] };
    // The documented order with these lines (SKUs of this shop's catalogue) at this modification time.
    const version = (modified: string, lines: [Record<string, unknown>, string, number][]) => ({
      ...documented!,
      date_modified: modified,
      date_modified_gmt: modified,
      line_items: lines.map(([line, sku, quantity]) => ({ ...line, sku, quantity })),
    });
    const post = async (topic: string, body: unknown) => {
      const text = JSON.stringify(body);
      const request = new Request(`http://localhost/webhooks/woocommerce/${connection.id}`, {
        method: "POST",
        body: text,
        headers: { "Content-Type": "application/json", "X-WC-Webhook-Topic": topic, "X-WC-Webhook-Signature": signWooCommerceWebhook(text, "whsec-edit") },
      });
      const response = await (wooWebhook as (args: unknown) => Promise<Response>)({ request, params: { connectionId: connection.id }, context: {} });
      expect(response.status).toBe(200);
      return processPending({ db: database.db }, shop.id);
    };

    await expectEditFollowed(shop.id, "woocommerce", skus, {
      first: async () => expect(await post("order.created", version("2017-03-22T19:28:08", [[single!, skus[0], 2], [idea!, skus[1], 1]]))).toEqual(["processed"]),
      edited: async () =>
        expect(await post("order.updated", version("2017-03-23T10:00:00", [[single!, skus[0], 1], [idea!, skus[1], 1], [cap, skus[2], 1]]))).toEqual(["processed"]),
      stale: async () => expect(await post("order.updated", version("2017-03-22T20:00:00", [[single!, skus[0], 2], [idea!, skus[1], 0]]))).toEqual(["ignored_stale"]),
    });

    // Cancelled in WooCommerce, then a version adding units: refused as for a Shopify edit, nothing moves.
    expect(await post("order.updated", { ...version("2017-03-24T10:00:00", [[single!, skus[0], 1], [idea!, skus[1], 1], [cap, skus[2], 1]]), status: "cancelled" })).toEqual(["processed"]);
    const released = await stockOf(shop.id);
    expect(released.reserved).toEqual({ [skus[0]]: 0, [skus[1]]: 0, [skus[2]]: 0 });
    expect(await post("order.updated", version("2017-03-25T10:00:00", [[single!, skus[0], 3], [idea!, skus[1], 1], [cap, skus[2], 1]]))).toEqual(["processed"]);
    expect(await stockOf(shop.id)).toEqual(released);
    const [order] = await database.db.select().from(orders).where(and(eq(orders.shopId, shop.id), eq(orders.channel, "woocommerce")));
    expect(order!.status).toBe("cancelled");
    const refused = await database.db.select().from(exceptions).where(and(eq(exceptions.orderId, order!.id), eq(exceptions.kind, "order_edit_refused")));
    expect(refused.map((e) => e.details)).toEqual([expect.objectContaining({ reason: "order_cancelled" })]);
    expect(await ledgerMismatches(database.db, shop.id)).toEqual([]);
  });
});

describe("eBay orders polled again", () => {
  const APP = { appId: "Switchya-edit-PRD-1", certId: "PRD-edit-secret" };
  let ebay: EbaySandbox;
  beforeAll(async () => {
    ebay = await startEbaySandbox({
      port: 0,
      ...APP,
      log: () => {},
      seed: { items: ["EBAY-MUG", "EBAY-TEE", "EBAY-CAP"].map((sku) => ({ sku, title: sku, price: "12.00", quantity: 50 })) },
    });
  });
  afterAll(() => ebay.stop());

  it("follows a removed unit and an added line through the ledger; an older version changes nothing", async () => {
    const skus = ["EBAY-MUG", "EBAY-TEE", "EBAY-CAP"] as const;
    const { shop } = await stockedShop(skus);
    const token = ebay.issueUserToken();
    const connection = await createConnection(database.db, shop.id, {
      channel: "ebay",
      locationIds: [],
      credentialsEncrypted: cipher.encryptJson({ ...APP, accessToken: token.accessToken, refreshToken: token.refreshToken }),
      settings: { baseUrl: ebay.url },
    });
    const context: TaskContext = { db: database.db, connectors: { modules: [ebayChannelModule()], credentials: createCredentialStore(database.db, cipher) } };
    const sold = ebay.simulateOrder({ lines: [{ sku: skus[0], quantity: 2 }, { sku: skus[1], quantity: 1 }] });
    const poll = async () => {
      await pollConnectionOrders(context, connection.id);
      return processPending(context, shop.id);
    };

    await expectEditFollowed(shop.id, "ebay", skus, {
      first: async () => expect(await poll()).toEqual(["processed"]),
      edited: async () => {
        // The seller revised the order in Seller Hub: one mug fewer, a cap added.
        const order = ebay.state.orders.get(sold.orderId)!;
        order.lines[0]!.quantity = 1;
        order.lines.push({ ...order.lines[1]!, lineItemId: `${order.lines[1]!.lineItemId}9`, sku: skus[2], title: skus[2], quantity: 1 });
        order.modifiedAt += 60_000;
        expect(await poll()).toEqual(["processed"]);
      },
      stale: async () => expect(await redeliverFirstVersion(context, shop.id, "ebay")).toEqual(["ignored_stale"]),
    });
  });
});

describe("Amazon orders polled again", () => {
  const LWA = { clientId: "amzn1.application-oa2-client.edit", clientSecret: "edit-secret", refreshToken: "Atzr|edit-refresh" };
  const SELLER = "A2EDITSELLER";
  let clock = Date.parse("2026-11-30T12:00:00Z");
  let amazon: AmazonSandbox;
  beforeAll(async () => {
    amazon = await startAmazonSandbox({
      port: 0,
      sellerId: SELLER,
      ...LWA,
      listings: ["AMZ-MUG", "AMZ-TEE", "AMZ-CAP"].map((sku) => ({ sku, title: sku, price: "12.00", quantity: 50 })),
      now: () => clock,
      log: () => {},
    });
  });
  afterAll(() => amazon.stop());

  it("follows a removed unit and an added item through the ledger; an older version changes nothing", async () => {
    const skus = ["AMZ-MUG", "AMZ-TEE", "AMZ-CAP"] as const;
    const { shop, location, ids } = await stockedShop(skus);
    const connection = await createConnection(database.db, shop.id, {
      channel: "amazon",
      locationIds: [location.id],
      credentialsEncrypted: cipher.encryptJson(LWA),
      settings: { baseUrl: amazon.url, sellerId: SELLER, marketplaceId: "ATVPDKIKX0DER", pollStartAt: new Date(clock - 60_000).toISOString() },
    });
    for (const sku of skus) await createListing(database.db, shop.id, connection.id, ids[sku]!, { externalId: sku, externalSku: sku, externalVariantRef: sku });
    const context: TaskContext = {
      db: database.db,
      connectors: { modules: [amazonChannelModule({ sleep: async (ms) => void (clock += ms) })], credentials: createCredentialStore(database.db, cipher), now: () => new Date(clock) },
    };
    const placed = amazon.generateOrder({ items: [{ sku: skus[0], quantity: 2 }, { sku: skus[1], quantity: 1 }] })!;
    const poll = async () => {
      clock += 3 * 60_000;
      await pollConnectionOrders(context, connection.id);
      return processPending(context, shop.id);
    };

    await expectEditFollowed(shop.id, "amazon", skus, {
      first: async () => expect(await poll()).toEqual(["processed"]),
      edited: async () => {
        const order = amazon.state.orders.get(placed.orderId)!;
        order.items[0]!.quantityOrdered = 1;
        order.items.push({ ...order.items[1]!, orderItemId: `${order.items[1]!.orderItemId}9`, sku: skus[2], title: skus[2], quantityOrdered: 1 });
        order.lastUpdatedTime = new Date(clock + 60_000).toISOString();
        expect(await poll()).toEqual(["processed"]);
      },
      stale: async () => expect(await redeliverFirstVersion(context, shop.id, "amazon")).toEqual(["ignored_stale"]),
    });
  });
});

/** The first version a poll stored, stored again as a new delivery (an overlapping poll's late answer), and processed. */
async function redeliverFirstVersion(context: TaskContext, shopId: string, channel: string) {
  const [first] = await database.db
    .select()
    .from(webhookDeliveries)
    .where(and(eq(webhookDeliveries.shopId, shopId), eq(webhookDeliveries.channel, channel)))
    .orderBy(webhookDeliveries.id)
    .limit(1);
  const stored = await storeDelivery(database.db, {
    shopId,
    channel,
    deliveryId: `${first!.deliveryId}:late`,
    topic: first!.topic,
    resourceId: first!.resourceId,
    triggeredAt: first!.triggeredAt,
    ...(first!.rawBody ? { rawBody: first!.rawBody } : { payload: first!.payload }),
  });
  expect(stored.stored).toBe(true);
  return processPending(context, shopId);
}
