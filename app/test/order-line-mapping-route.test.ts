import { and, eq, sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { action as ordersCreate } from "../routes/webhooks.orders.create";
import { loader as ordersLoader } from "../routes/app.orders._index";
import { action as orderAction, loader as orderLoader } from "../routes/app.orders.$id";
import { action as variantAction, loader as variantLoader } from "../routes/app.inventory.$variantId";
import { loader as exceptionsLoader } from "../routes/app.exceptions";
import { loader as variantSearchLoader } from "../routes/app.variants.search";
import { channelConnections, channelListings, exceptions, inventoryLevels, lineMappings, orderEvents, orderLines, orders, variants, webhookDeliveries } from "../../db/schema";
import { processWebhookDelivery } from "../../jobs/tasks/webhooks-process.task";
import { createLocation, createVariant, ledgerMismatches, receive } from "../../tests/helpers/ledger-fixtures";
import { fixtureText, postWebhook } from "../../tests/fixtures/shopify/webhooks/shopify-webhook-requests";
import { adminPostHeaders, callAction, callLoader, readJson, TEST_ORIGIN, thrownResponse, useDemoAdmin } from "./route-test-kit";

const context = useDemoAdmin();
const DOMAIN = "switchyard-demo.myshopify.com";
const TOTE_GID = "gid://shopify/ProductVariant/44730116391000";
const APRON_GID = "gid://shopify/ProductVariant/44730116391999";
let toteId: string;
let apronId: string;

beforeAll(async () => {
  const { db } = context.database;
  const shopId = context.demoShop.id;
  const [connection] = await db.insert(channelConnections).values({ shopId, channel: "shopify", name: DOMAIN }).returning();
  const location = await createLocation(db, shopId, { name: "Columbus DC" });
  const tote = await createVariant(db, shopId, "TOTE-NAT");
  await db.update(variants).set({ externalId: TOTE_GID }).where(eq(variants.id, tote.id));
  const apron = await createVariant(db, shopId, "APRON-RUST");
  await receive(db, shopId, tote.id, location.id, 10);
  await receive(db, shopId, apron.id, location.id, 5);
  toteId = tote.id;
  apronId = apron.id;
  // Both are listed on Shopify: every stock change of theirs marks them for the next push.
  await db.insert(channelListings).values([
    { shopId, connectionId: connection!.id, variantId: tote.id, externalId: "gid://shopify/InventoryItem/1" },
    { shopId, connectionId: connection!.id, variantId: apron.id, externalId: "gid://shopify/InventoryItem/2" },
  ]);
});

async function apronMarkedForSync(): Promise<boolean> {
  const rows = await context.database.db.execute(sql`SELECT 1 FROM stock_sync_dirty WHERE variant_id = ${apronId}`);
  return rows.rows.length > 0;
}

/** A real-shaped draft order (blank SKUs, no customer, no address) with this order's own ids. */
function draftOrder(id: number, overrides: Record<string, unknown> = {}): string {
  const payload = JSON.parse(fixtureText("../orders-create-draft-blank-skus.json")) as Record<string, unknown>;
  return JSON.stringify({ ...payload, id, admin_graphql_api_id: `gid://shopify/Order/${id}`, name: `#${id}`, ...overrides });
}

const ADDRESS = {
  first_name: "Ada",
  last_name: "Lovelace",
  name: "Ada Lovelace",
  address1: "1 Infinite Loop",
  city: "Cupertino",
  province_code: "CA",
  zip: "95014",
  country_code: "US",
};

/** Signed POST to the webhook route, then the worker's processing of the stored delivery. */
async function deliver(body: string) {
  const { response, deliveryId } = await postWebhook(ordersCreate, { topic: "orders/create", shopDomain: DOMAIN, body });
  expect(response.status).toBe(200);
  const [row] = await context.database.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.deliveryId, deliveryId));
  const outcome = await processWebhookDelivery({ db: context.database.db }, row!.id);
  expect(outcome).toMatchObject({ delivery: "handled", status: "processed" });
  const [order] = await context.database.db.select().from(orders).where(eq(orders.externalId, JSON.parse(body).admin_graphql_api_id));
  return order!;
}

async function linesOf(orderId: string) {
  return context.database.db.select().from(orderLines).where(eq(orderLines.orderId, orderId)).orderBy(orderLines.externalLineId);
}

async function openExceptionKinds(orderId: string) {
  const rows = await context.database.db
    .select({ kind: exceptions.kind })
    .from(exceptions)
    .where(and(eq(exceptions.orderId, orderId), eq(exceptions.status, "open")));
  return rows.map((row) => row.kind).sort();
}

async function reservedOf(variantId: string) {
  const rows = await context.database.db.select().from(inventoryLevels).where(eq(inventoryLevels.variantId, variantId));
  return rows.reduce((sum, level) => sum + level.reserved, 0);
}

describe("a real Shopify draft order with blank SKUs, no customer and no address", () => {
  let orderId: string;

  it("becomes an order held for its address, matched by variant id where known, its unknown line flagged", async () => {
    const order = await deliver(draftOrder(5912204460116));
    orderId = order.id;
    expect(order).toMatchObject({ status: "on_hold", number: "#5912204460116", customerName: null, customerEmail: null, shippingAddress: null });
    const lines = await linesOf(order.id);
    expect(lines.map((l) => [l.title, l.sku, l.variantId, l.carriesStock, l.quantity])).toEqual([
      ["Canvas Tote", null, toteId, true, 2],
      ["Linen Apron", null, null, true, 1],
      ["Monogram embroidery", null, null, false, 1],
      ["Gift Card", null, null, false, 1],
    ]);
    expect(await openExceptionKinds(order.id)).toEqual(["address_invalid", "unknown_sku"]);
    // Held orders still hold their stock; the gift card and the custom item hold none.
    expect(await reservedOf(toteId)).toBe(2);
    expect(await reservedOf(apronId)).toBe(0);

    const list = await readJson(await callLoader(ordersLoader, "/app/orders"));
    expect(list.page.rows.find((row: { id: string }) => row.id === order.id)).toMatchObject({ number: "#5912204460116", status: "on_hold" });
    const queue = await readJson(await callLoader(exceptionsLoader, "/app/exceptions"));
    const flagged = queue.page.rows.find((row: { kind: string; orderId: string | null }) => row.kind === "unknown_sku" && row.orderId === order.id);
    expect(flagged.message).toContain(APRON_GID);
  });

  it("shows the unmatched line on the order page with the other open orders waiting on it", async () => {
    const second = await deliver(draftOrder(5912204460200, { shipping_address: ADDRESS, line_items: [JSON.parse(draftOrder(1)).line_items[1]] }));
    expect(second.status).toBe("backordered");
    const page = await readJson(await callLoader(orderLoader, `/app/orders/${orderId}`, { id: orderId }));
    // Every line is shown; the gift card and the custom item hold nothing and are not short.
    expect(page.lines.map((l: { title: string; carriesStock: boolean; reserved: number; short: number }) => [l.title, l.carriesStock, l.reserved, l.short])).toEqual([
      ["Canvas Tote", true, 2, 0],
      ["Linen Apron", true, 0, 1],
      ["Monogram embroidery", false, 0, 0],
      ["Gift Card", false, 0, 0],
    ]);
    expect(page.unmatched).toEqual([
      expect.objectContaining({
        title: "Linen Apron",
        units: 1,
        identity: { channel: "shopify", matchKey: `ref:${APRON_GID}` },
        otherOrders: [{ orderId: second.id, number: "#5912204460200" }],
      }),
    ]);
    const picks = await readJson(await callLoader(variantSearchLoader, "/app/variants/search?q=APRON"));
    expect(picks.variants).toEqual([expect.objectContaining({ id: apronId, sku: "APRON-RUST", available: 5 })]);
  });

  it("refuses a mapping post from another origin or with a bad variant, and changes nothing", async () => {
    const [apronLine] = (await linesOf(orderId)).filter((l) => l.title === "Linen Apron");
    const form = new FormData();
    form.set("intent", "map_line");
    form.set("lineId", apronLine!.id);
    form.set("variantId", apronId);
    const foreign = await thrownResponse(
      orderAction({
        request: new Request(`${TEST_ORIGIN}/app/orders/${orderId}`, { method: "POST", body: form, headers: adminPostHeaders("https://evil.example") }),
        params: { id: orderId },
        context: {},
      }),
    );
    expect(foreign.status).toBe(403);
    const bad = await callAction(orderAction, `/app/orders/${orderId}`, { intent: "map_line", lineId: apronLine!.id, variantId: "not-a-uuid" }, { id: orderId });
    expect(bad.status).toBe(400);
    const giftCard = (await linesOf(orderId)).find((l) => l.title === "Gift Card")!;
    const noStock = await callAction(orderAction, `/app/orders/${orderId}`, { intent: "map_line", lineId: giftCard.id, variantId: apronId }, { id: orderId });
    expect(noStock.status).toBe(409);
    expect(await readJson(noStock)).toMatchObject({ ok: false, reason: "line_holds_no_stock" });
    expect((await linesOf(orderId)).find((l) => l.title === "Linen Apron")!.variantId).toBeNull();
    expect(await context.database.db.select().from(lineMappings)).toEqual([]);
  });

  it("maps the line from the order page: remembered, reserved, exception resolved, the waiting order matched, the next order matched at once", async () => {
    const [apronLine] = (await linesOf(orderId)).filter((l) => l.title === "Linen Apron");
    expect(await apronMarkedForSync()).toBe(false);
    const response = await callAction(
      orderAction,
      `/app/orders/${orderId}`,
      { intent: "map_line", lineId: apronLine!.id, variantId: apronId, alsoOtherOrders: "true" },
      { id: orderId },
    );
    expect(response.status).toBe(200);
    const body = await readJson(response);
    expect(body.message).toContain("Mapped to APRON-RUST: reserved 1 unit");
    expect(body.message).toContain("also matched 1 other order (#5912204460200)");

    expect((await linesOf(orderId)).find((l) => l.title === "Linen Apron")!.variantId).toBe(apronId);
    // The order page now names the catalogue SKU of the line that carried none, and offers nothing more to map.
    const page = await readJson(await callLoader(orderLoader, `/app/orders/${orderId}`, { id: orderId }));
    expect(page.lines.find((l: { title: string }) => l.title === "Linen Apron")).toMatchObject({ sku: null, variantSku: "APRON-RUST", reserved: 1, short: 0 });
    expect(page.allocations.map((a: { sku: string }) => a.sku).sort()).toEqual(["APRON-RUST", "TOTE-NAT"]);
    expect(page.unmatched).toEqual([]);
    // Still held for its address; the unmatched-line exception is closed, the address one is not.
    const [first] = await context.database.db.select().from(orders).where(eq(orders.id, orderId));
    expect(first!.status).toBe("on_hold");
    expect(await openExceptionKinds(orderId)).toEqual(["address_invalid"]);
    const [second] = await context.database.db.select().from(orders).where(eq(orders.externalId, "gid://shopify/Order/5912204460200"));
    expect(second!.status).toBe("reserved");
    expect(await openExceptionKinds(second!.id)).toEqual([]);
    expect(await reservedOf(apronId)).toBe(2);
    // The channels hear of the two units now held, through the dirty set written with the mapping.
    expect(await apronMarkedForSync()).toBe(true);
    const timeline = await context.database.db.select().from(orderEvents).where(and(eq(orderEvents.orderId, orderId), eq(orderEvents.kind, "line_mapped")));
    expect(timeline[0]!.message).toContain(`later shopify orders with channel id ${APRON_GID} match it at once`);
    expect(await context.database.db.select({ matchKey: lineMappings.matchKey, variantId: lineMappings.variantId }).from(lineMappings)).toEqual([
      { matchKey: `ref:${APRON_GID}`, variantId: apronId },
    ]);

    const third = await deliver(draftOrder(5912204460300, { shipping_address: ADDRESS, line_items: [JSON.parse(draftOrder(1)).line_items[1]] }));
    expect(third.status).toBe("reserved");
    expect((await linesOf(third.id))[0]!.variantId).toBe(apronId);
    expect(await openExceptionKinds(third.id)).toEqual([]);
    expect(await reservedOf(apronId)).toBe(3);
    expect(await ledgerMismatches(context.database.db, context.demoShop.id)).toEqual([]);

    const again = await callAction(orderAction, `/app/orders/${orderId}`, { intent: "map_line", lineId: apronLine!.id, variantId: toteId }, { id: orderId });
    expect(again.status).toBe(409);
    expect(await readJson(again)).toMatchObject({ reason: "line_already_matched" });
  });

  it("an identity added on the inventory page maps the orders already waiting on it", async () => {
    const legacy = JSON.parse(draftOrder(1)).line_items[1];
    const waiting = await deliver(
      draftOrder(5912204460400, { shipping_address: ADDRESS, line_items: [{ ...legacy, sku: "LEGACY-TOTE", variant_id: 44730116399999 }] }),
    );
    expect(waiting.status).toBe("backordered");
    const response = await callAction(variantAction, `/app/inventory/${toteId}`, { intent: "add_identity", channel: "shopify", kind: "sku", value: "LEGACY-TOTE" }, {
      variantId: toteId,
    });
    expect(response.status).toBe(200);
    expect((await readJson(response)).message).toContain("Matched 1 waiting order (#5912204460400), reserved 1 unit");
    const [after] = await context.database.db.select().from(orders).where(eq(orders.id, waiting.id));
    expect(after!.status).toBe("reserved");
    const page = await readJson(await callLoader(variantLoader, `/app/inventory/${toteId}`, { variantId: toteId }));
    expect(page.identities).toEqual([expect.objectContaining({ channel: "shopify", matchKey: "sku:LEGACY-TOTE", createdBy: "user:demo" })]);

    // The same alias cannot quietly move to another variant.
    const clash = await callAction(variantAction, `/app/inventory/${apronId}`, { intent: "add_identity", channel: "shopify", kind: "sku", value: "LEGACY-TOTE" }, {
      variantId: apronId,
    });
    expect(clash.status).toBe(409);
    expect((await readJson(clash)).message).toContain("already mapped to TOTE-NAT");
    expect(await ledgerMismatches(context.database.db, context.demoShop.id)).toEqual([]);
  });
});
