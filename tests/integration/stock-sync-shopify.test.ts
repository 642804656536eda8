import { randomBytes, randomUUID } from "node:crypto";
import nock from "nock";
import { and, eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createChannelConnectorRegistry } from "../../connectors/channel-connector-registry";
import { CredentialCipher } from "../../db/crypto/credential-cipher";
import { adjustInventory } from "../../db/repositories/inventory-repository";
import { recordMovements } from "../../db/repositories/stock-ledger-repository";
import { channelListings, exceptions, inventoryLevels, products, variants } from "../../db/schema";
import { syncShopStock } from "../../jobs/tasks/inventory-sync.task";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";
import { createLocation, createShop } from "../helpers/ledger-fixtures";
import { connectionById, createConnection, listingById } from "../helpers/channel-fixtures";

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
  return { shop, main, connection, variants: variantRows, listings };
}

const context = () => ({ db: database.db, connectors: createChannelConnectorRegistry({ cipher }) });

describe("pushing stock to Shopify", () => {
  it("sets 260 listings' available at the connection's Shopify location in two inventorySetQuantities calls", async () => {
    const { shop, connection, listings } = await shopifyShop(260);
    const requests: SetQuantitiesRequest[] = [];
    const scope = nock(SANDBOX)
      .matchHeader("X-Shopify-Access-Token", TOKEN)
      .post(GRAPHQL_PATH)
      .times(2)
      .reply(200, (_uri, body) => {
        const request = body as SetQuantitiesRequest;
        requests.push(request);
        return setQuantitiesResponse(request);
      });

    const summary = await syncShopStock(context(), shop.id, { reference: "job-7" });

    expect(scope.isDone()).toBe(true);
    expect(summary.connections[0]).toMatchObject({ outcome: "pushed", batches: 2, applied: 260 });
    expect(requests.map((r) => r.variables.input.quantities.length)).toEqual([250, 10]);
    const first = requests[0]!;
    expect(first.query).toContain("inventorySetQuantities(input: $input) @idempotent(key: $idempotencyKey)");
    expect(first.variables.idempotencyKey).toMatch(/^switchyard-inv-[0-9a-f]{40}$/);
    expect(requests[1]!.variables.idempotencyKey).not.toBe(first.variables.idempotencyKey);
    expect(first.variables.input).toMatchObject({ name: "available", reason: "correction", referenceDocumentUri: "gid://switchyard/StockSync/job-7" });
    // Both locations pooled (3 + 2), set at the highest-priority mirrored location, no CAS on a first push.
    expect(first.variables.input.quantities[0]).toEqual({
      inventoryItemId: "gid://shopify/InventoryItem/1000",
      locationId: "gid://shopify/Location/111",
      quantity: 5,
      changeFromQuantity: null,
    });
    expect(await listingById(database.db, listings[259]!.id)).toMatchObject({ lastPushedAvailable: 5, lastPushError: null });
    expect((await connectionById(database.db, connection.id)).lastPushAt).not.toBeNull();
  });

  it("records Shopify's per-item answers: stale quantity as a conflict, refusal on the listing, the rest applied on the re-send", async () => {
    const { db } = database;
    const { shop, main, variants: rows, listings } = await shopifyShop(3);
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
    expect(requests[0]!.variables.input.quantities.map((q) => [q.quantity, q.changeFromQuantity])).toEqual([
      [4, 5],
      [4, 5],
      [4, 5],
    ]);
    expect(requests[1]!.variables.input.quantities.map((q) => q.inventoryItemId)).toEqual([listings[2]!.externalId]);
    expect(summary.connections[0]).toMatchObject({ outcome: "pushed", applied: 1, conflicts: 1, rejected: 1 });
    expect(summary.followUpInMs).toBe(30_000);
    expect(await listingById(db, listings[0]!.id)).toMatchObject({ lastPushedAvailable: null, lastPushError: expect.stringContaining("compare quantity") });
    expect(await listingById(db, listings[1]!.id)).toMatchObject({ lastPushedAvailable: 5, lastPushError: expect.stringContaining("ITEM_NOT_STOCKED_AT_LOCATION") });
    expect(await listingById(db, listings[2]!.id)).toMatchObject({ lastPushedAvailable: 4, lastPushError: null });
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
