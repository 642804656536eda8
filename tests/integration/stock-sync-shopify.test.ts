import { randomBytes, randomUUID } from "node:crypto";
import nock from "nock";
import { and, eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { CredentialCipher } from "../../db/crypto/credential-cipher";
import { adjustInventory } from "../../db/repositories/inventory-repository";
import { recordMovements, scheduleStockSync } from "../../db/repositories/stock-ledger-repository";
import { channelListingLocations, channelListings, exceptions, inventoryLevels, products, variants } from "../../db/schema";
import { syncShopStock } from "../../jobs/tasks/inventory-sync.task";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";
import { createLocation, createShop } from "../helpers/ledger-fixtures";
import { connectionById, createConnection, listingById, shopifyConnectorsFor } from "../helpers/channel-fixtures";

/**
 * The stock sync end to end through the real registry, ShopifyConnector and Admin GraphQL
 * client, with Shopify answered by nock in the 2026-04 wire format.
 */

const SANDBOX = "https://shopify-sandbox.switchyard.test";
const GRAPHQL_PATH = "/admin/api/2026-04/graphql.json";
const TOKEN = "shpat_test_token";
const cipher = new CredentialCipher(randomBytes(32));

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
  nock.disableNetConnect();
});
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

interface SetQuantitiesRequest {
  query: string;
  variables: {
    idempotencyKey: string;
    input: {
      name: string;
      reason: string;
      referenceDocumentUri: string;
      quantities: { inventoryItemId: string; locationId: string; quantity: number; changeFromQuantity: number | null }[];
    };
  };
}

type UserError = { field: string[] | null; message: string; code: string };

/** inventorySetQuantities' payload as Shopify 2026-04 returns it, with cost extensions. */
function setQuantitiesResponse(request: SetQuantitiesRequest, userErrors: UserError[] = []) {
  const applied = userErrors.length === 0;
  return {
    data: {
      inventorySetQuantities: {
        inventoryAdjustmentGroup: applied
          ? {
              id: `gid://shopify/InventoryAdjustmentGroup/${Math.floor(Math.random() * 1e9)}`,
              reason: "correction",
              referenceDocumentUri: request.variables.input.referenceDocumentUri,
              changes: request.variables.input.quantities.map((q) => ({
                name: "available",
                delta: q.quantity - (q.changeFromQuantity ?? 0),
                quantityAfterChange: q.quantity,
                item: { id: q.inventoryItemId },
                location: { id: q.locationId },
              })),
            }
          : null,
        userErrors,
      },
    },
    extensions: {
      cost: {
        requestedQueryCost: 10,
        actualQueryCost: 10,
        throttleStatus: { maximumAvailable: 2000, currentlyAvailable: 1990, restoreRate: 100 },
      },
    },
  };
}

/** A shop whose Shopify connection talks to the nock'd sandbox, with `count` listed SKUs in stock. */
async function shopifyShop(count: number) {
  const { db } = database;
  const shop = await createShop(db);
  const main = await createLocation(db, shop.id, { name: "Main", priority: 1, externalId: "gid://shopify/Location/111" });
  const second = await createLocation(db, shop.id, { name: "Second", priority: 2, externalId: "gid://shopify/Location/222" });
  const connection = await createConnection(db, shop.id, {
    name: shop.domain,
    locationIds: [main.id, second.id],
    credentialsEncrypted: cipher.encryptJson({ accessToken: TOKEN }),
    settings: { baseUrl: SANDBOX, sandbox: true },
  });
  const [product] = await db.insert(products).values({ shopId: shop.id, title: "Bulk product" }).returning();
  const variantRows = await db
    .insert(variants)
    .values(
      Array.from({ length: count }, (_, i) => ({
        shopId: shop.id,
        productId: product!.id,
        sku: `SHOP-${String(i).padStart(3, "0")}`,
        title: `Variant ${i}`,
        externalInventoryItemId: `gid://shopify/InventoryItem/${1000 + i}`,
      })),
    )
    .returning();
  await db.transaction(async (tx) => {
    const levels = await tx
      .insert(inventoryLevels)
      .values(variantRows.flatMap((v) => [main, second].map((l) => ({ shopId: shop.id, variantId: v.id, locationId: l.id }))))
      .returning();
    await recordMovements(
      tx,
      shop.id,
      levels.map((level) => ({
        level,
        movement: { kind: "receive" as const, quantity: level.locationId === main.id ? 3 : 2, cause: { type: "receipt" as const, id: "opening" }, actor: "test" },
      })),
    );
  });
  const listings = await db
    .insert(channelListings)
    .values(variantRows.map((v) => ({ shopId: shop.id, connectionId: connection.id, variantId: v.id, externalId: v.externalInventoryItemId!, externalSku: v.sku })))
    .returning();
  // New listings have never been told their figure: all of them are dirty, as after an import.
  await scheduleStockSync(db, shop.id);
  return { shop, main, second, connection, variants: variantRows, listings };
}

/** What Switchyard last told Shopify per location of a listing, by location id. */
async function pushedByLocation(listingId: string) {
  const rows = await database.db.select().from(channelListingLocations).where(eq(channelListingLocations.listingId, listingId));
  return Object.fromEntries(rows.map((r) => [r.locationId, { available: r.lastPushedAvailable, error: r.lastPushError }]));
}

const context = () => ({ db: database.db, connectors: shopifyConnectorsFor(database.db, cipher) });

describe("pushing stock to Shopify", () => {
  it("sets 260 listings' available at each of the connection's two Shopify locations in inventorySetQuantities calls of 250", async () => {
    const { shop, main, second, connection, listings } = await shopifyShop(260);
    const requests: SetQuantitiesRequest[] = [];
    const scope = nock(SANDBOX)
      .matchHeader("X-Shopify-Access-Token", TOKEN)
      .post(GRAPHQL_PATH)
      .times(3)
      .reply(200, (_uri, body) => {
        const request = body as SetQuantitiesRequest;
        requests.push(request);
        return setQuantitiesResponse(request);
      });

    const summary = await syncShopStock(context(), shop.id, { reference: "job-7" });

    expect(scope.isDone()).toBe(true);
    expect(summary.connections[0]).toMatchObject({ outcome: "pushed", batches: 3, applied: 520 });
    expect(summary.connections[0]!.warning).toBeUndefined();
    expect(requests.map((r) => r.variables.input.quantities.length)).toEqual([250, 250, 20]);
    const first = requests[0]!;
    expect(first.query).toContain("inventorySetQuantities(input: $input) @idempotent(key: $idempotencyKey)");
    expect(first.variables.idempotencyKey).toMatch(/^switchyard-inv-[0-9a-f]{40}$/);
    expect(requests[1]!.variables.idempotencyKey).not.toBe(first.variables.idempotencyKey);
    expect(first.variables.input).toMatchObject({ name: "available", reason: "correction", referenceDocumentUri: "gid://switchyard/StockSync/job-7" });
    // Each location is told its own stock (3 at Main, 2 at Second), each item carrying its own
    // locationId; no CAS on a first push. Shopify's total is our pooled 5, not 5 at one location.
    expect(first.variables.input.quantities.slice(0, 2)).toEqual([
      { inventoryItemId: "gid://shopify/InventoryItem/1000", locationId: "gid://shopify/Location/111", quantity: 3, changeFromQuantity: null },
      { inventoryItemId: "gid://shopify/InventoryItem/1000", locationId: "gid://shopify/Location/222", quantity: 2, changeFromQuantity: null },
    ]);
    const all = requests.flatMap((r) => r.variables.input.quantities);
    expect(all).toHaveLength(520);
    expect(new Set(all.map((q) => `${q.inventoryItemId}|${q.locationId}`)).size).toBe(520);
    for (const q of all) expect(q).toMatchObject(q.locationId === "gid://shopify/Location/111" ? { quantity: 3 } : { locationId: "gid://shopify/Location/222", quantity: 2 });
    expect(await listingById(database.db, listings[259]!.id)).toMatchObject({ lastPushedAvailable: 5, lastPushError: null });
    expect(await pushedByLocation(listings[259]!.id)).toEqual({
      [main.id]: { available: 3, error: null },
      [second.id]: { available: 2, error: null },
    });
    expect((await connectionById(database.db, connection.id)).lastPushAt).not.toBeNull();
  });

  it("records Shopify's per-item answers per location: stale quantity as a conflict, refusal kept, the rest applied on the re-send", async () => {
    const { db } = database;
    const { shop, main, second, variants: rows, listings } = await shopifyShop(3);
    nock(SANDBOX).post(GRAPHQL_PATH).reply(200, (_uri, body) => setQuantitiesResponse(body as SetQuantitiesRequest));
    await syncShopStock(context(), shop.id, { reference: "job-1" });
    for (const variant of rows) {
      await adjustInventory(db, { shopId: shop.id, variantId: variant.id, locationId: main.id, delta: -1, actor: "test", reason: "count" });
    }

    const requests: SetQuantitiesRequest[] = [];
    const scope = nock(SANDBOX)
      .post(GRAPHQL_PATH)
      .reply(200, (_uri, body) => {
        const request = body as SetQuantitiesRequest;
        requests.push(request);
        return setQuantitiesResponse(request, [
          {
            field: ["input", "quantities", "0", "changeFromQuantity"],
            message: "The specified compare quantity does not match the current quantity.",
            code: "CHANGE_FROM_QUANTITY_STALE",
          },
          { field: ["input", "quantities", "1", "locationId"], message: "The item is not stocked at the location.", code: "ITEM_NOT_STOCKED_AT_LOCATION" },
        ]);
      })
      .post(GRAPHQL_PATH)
      .reply(200, (_uri, body) => {
        const request = body as SetQuantitiesRequest;
        requests.push(request);
        return setQuantitiesResponse(request);
      });

    const summary = await syncShopStock(context(), shop.id, { reference: "job-2" });

    expect(scope.isDone()).toBe(true);
    // Only Main moved (3 -> 2): Second is not re-sent.
    expect(requests[0]!.variables.input.quantities.map((q) => [q.locationId, q.quantity, q.changeFromQuantity])).toEqual([
      ["gid://shopify/Location/111", 2, 3],
      ["gid://shopify/Location/111", 2, 3],
      ["gid://shopify/Location/111", 2, 3],
    ]);
    expect(requests[1]!.variables.input.quantities.map((q) => [q.inventoryItemId, q.locationId])).toEqual([[listings[2]!.externalId, "gid://shopify/Location/111"]]);
    expect(summary.connections[0]).toMatchObject({ outcome: "pushed", applied: 1, conflicts: 1, rejected: 1, unchanged: 3 });
    expect(summary.followUpInMs).toBe(30_000);
    // The conflict forgets Main's figure only; the listing's sum is unknown until it is re-told.
    expect(await pushedByLocation(listings[0]!.id)).toEqual({
      [main.id]: { available: null, error: expect.stringContaining("compare quantity") },
      [second.id]: { available: 2, error: null },
    });
    expect(await listingById(db, listings[0]!.id)).toMatchObject({ lastPushedAvailable: null, lastPushError: expect.stringContaining("Main: The specified compare quantity") });
    expect(await listingById(db, listings[1]!.id)).toMatchObject({ lastPushedAvailable: 5, lastPushError: expect.stringContaining("ITEM_NOT_STOCKED_AT_LOCATION") });
    expect(await listingById(db, listings[2]!.id)).toMatchObject({ lastPushedAvailable: 4, lastPushError: null });

    // The follow-up re-tells Main without a check (conflict); the refusal settled (a retry cannot
    // fix it; the next change of that variant, or reconciliation, sends it again); Second stays untouched.
    const followUp: SetQuantitiesRequest[] = [];
    nock(SANDBOX)
      .post(GRAPHQL_PATH)
      .reply(200, (_uri, body) => {
        followUp.push(body as SetQuantitiesRequest);
        return setQuantitiesResponse(body as SetQuantitiesRequest);
      });
    await syncShopStock(context(), shop.id, { reference: "job-3" });
    expect(followUp[0]!.variables.input.quantities.map((q) => [q.inventoryItemId, q.locationId, q.quantity, q.changeFromQuantity])).toEqual([
      [listings[0]!.externalId, "gid://shopify/Location/111", 2, null],
    ]);
    for (const listing of [listings[0]!, listings[2]!]) expect(await listingById(db, listing.id)).toMatchObject({ lastPushedAvailable: 4, lastPushError: null });
    expect(await listingById(db, listings[1]!.id)).toMatchObject({ lastPushError: expect.stringContaining("ITEM_NOT_STOCKED_AT_LOCATION") });
  });

  it("records a revoked token on the connection and raises one exception, never echoing the token", async () => {
    const { db } = database;
    const { shop, connection, listings } = await shopifyShop(2);
    nock(SANDBOX)
      .post(GRAPHQL_PATH)
      .times(2)
      .reply(401, { errors: "[API] Invalid API key or access token (unrecognized login or wrong password)" });

    await syncShopStock(context(), shop.id, { reference: `job-${randomUUID()}` });
    await syncShopStock(context(), shop.id, { reference: `job-${randomUUID()}` });

    const after = await connectionById(db, connection.id);
    expect(after.lastError).toContain("unauthorized");
    expect(after.lastError).not.toContain(TOKEN);
    expect(await listingById(db, listings[0]!.id)).toMatchObject({ lastPushedAvailable: null, lastPushError: expect.stringContaining("unauthorized") });
    const raised = await db.select().from(exceptions).where(and(eq(exceptions.shopId, shop.id), eq(exceptions.kind, "sync_failed")));
    expect(raised).toHaveLength(1);
    expect(raised[0]!.message).not.toContain(TOKEN);
  });
});
