import nock from "nock";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { AdminGraphqlClient } from "./admin-graphql-client.js";
import { buildSetQuantitiesBatches, pushAvailableQuantities, type AvailablePushItem } from "./inventory-push.js";

const SHOP = "https://switchyard-test.myshopify.com";
const PATH = "/admin/api/2026-04/graphql.json";
const URI = "gid://switchyard/StockSync/sync-42";

interface SentBody {
  query: string;
  variables: { idempotencyKey: string; input: { name: string; reason: string; referenceDocumentUri: string; quantities: { inventoryItemId: string; locationId: string; quantity: number; changeFromQuantity: number | null }[] } };
}

beforeAll(() => nock.disableNetConnect());
afterAll(() => nock.enableNetConnect());
afterEach(() => nock.cleanAll());

const items = (n: number): AvailablePushItem[] =>
  Array.from({ length: n }, (_, i) => ({
    inventoryItemId: `gid://shopify/InventoryItem/${1000 + i}`,
    locationId: "gid://shopify/Location/1",
    available: i % 17,
    lastPushed: i % 3 === 0 ? null : (i % 17) + 1,
  }));

const ok = { data: { inventorySetQuantities: { inventoryAdjustmentGroup: { id: "gid://shopify/InventoryAdjustmentGroup/1" }, userErrors: [] } } };
const newClient = () => new AdminGraphqlClient({ endpoint: `${SHOP}${PATH}`, accessToken: "shpat_test", sleep: async () => {} });

describe("inventory push", () => {
  it("sends 600 items as 3 inventorySetQuantities calls of at most 250, each with its own deterministic key", async () => {
    const sent: SentBody[] = [];
    nock(SHOP)
      .post(PATH, (body: SentBody) => (sent.push(body), true))
      .times(3)
      .reply(200, ok);
    const outcomes = await pushAvailableQuantities(newClient(), items(600), { referenceDocumentUri: URI });

    expect(sent.map((b) => b.variables.input.quantities.length)).toEqual([250, 250, 100]);
    expect(outcomes).toHaveLength(600);
    expect(outcomes.every((o) => o.status === "applied")).toBe(true);
    for (const body of sent) {
      expect(body.query).toMatch(/@idempotent\(key: \$idempotencyKey\)/);
      expect(body.variables.input).toMatchObject({ name: "available", reason: "correction", referenceDocumentUri: URI });
      // changeFromQuantity is always present, null where nothing was pushed before.
      for (const q of body.variables.input.quantities) expect(q).toHaveProperty("changeFromQuantity");
    }
    expect(sent[0]!.variables.input.quantities[0]).toEqual({ inventoryItemId: "gid://shopify/InventoryItem/1000", locationId: "gid://shopify/Location/1", quantity: 0, changeFromQuantity: null });
    expect(sent[0]!.variables.input.quantities[1]!.changeFromQuantity).toBe(2);

    const keys = sent.map((b) => b.variables.idempotencyKey);
    expect(new Set(keys).size).toBe(3);
    // Same content -> same keys (a retried job replays instead of applying twice).
    expect(buildSetQuantitiesBatches(items(600), { referenceDocumentUri: URI }).map((b) => b.idempotencyKey)).toEqual(keys);
    // Different content or cause -> different key.
    const changed = items(600);
    changed[10]!.available += 1;
    expect(buildSetQuantitiesBatches(changed, { referenceDocumentUri: URI })[0]!.idempotencyKey).not.toBe(keys[0]);
    expect(buildSetQuantitiesBatches(items(600), { referenceDocumentUri: `${URI}-b` })[0]!.idempotencyKey).not.toBe(keys[0]);
  });

  it("reports a compare-and-set mismatch as stale and re-sends the rest of the refused batch once", async () => {
    const sent: SentBody[] = [];
    nock(SHOP)
      .post(PATH, (body: SentBody) => (sent.push(body), true))
      .reply(200, {
        data: {
          inventorySetQuantities: {
            inventoryAdjustmentGroup: null,
            userErrors: [
              { field: ["input", "quantities", "1", "changeFromQuantity"], message: "The specified compare quantity does not match the current quantity.", code: "CHANGE_FROM_QUANTITY_STALE" },
              { field: ["input", "quantities", "3", "inventoryItemId"], message: "The specified inventory item could not be found.", code: "INVALID_INVENTORY_ITEM" },
            ],
          },
        },
      })
      .post(PATH, (body: SentBody) => (sent.push(body), true))
      .reply(200, ok);
    const input = items(5);
    const outcomes = await pushAvailableQuantities(newClient(), input, { referenceDocumentUri: URI });

    const byItem = new Map(outcomes.map((o) => [o.item.inventoryItemId, o.status]));
    expect(byItem.get(input[1]!.inventoryItemId)).toBe("stale");
    expect(byItem.get(input[3]!.inventoryItemId)).toBe("rejected");
    expect([0, 2, 4].map((i) => byItem.get(input[i]!.inventoryItemId))).toEqual(["applied", "applied", "applied"]);
    expect(sent).toHaveLength(2);
    expect(sent[1]!.variables.input.quantities.map((q) => q.inventoryItemId)).toEqual([0, 2, 4].map((i) => input[i]!.inventoryItemId));
    expect(sent[1]!.variables.idempotencyKey).not.toBe(sent[0]!.variables.idempotencyKey);
  });

  it("marks every item failed (safe to retry) when the request itself fails", async () => {
    nock(SHOP).post(PATH).reply(200, { errors: [{ message: "Internal error", extensions: { code: "INTERNAL_SERVER_ERROR" } }] });
    const outcomes = await pushAvailableQuantities(newClient(), items(3), { referenceDocumentUri: URI });
    expect(outcomes.map((o) => o.status)).toEqual(["failed", "failed", "failed"]);
  });

  it("refuses every item alike when the error is about the whole input", async () => {
    nock(SHOP)
      .post(PATH)
      .reply(200, { data: { inventorySetQuantities: { inventoryAdjustmentGroup: null, userErrors: [{ field: ["input", "reason"], message: "The specified reason is invalid.", code: "INVALID_REASON" }] } } });
    const outcomes = await pushAvailableQuantities(newClient(), items(2), { referenceDocumentUri: URI });
    expect(outcomes).toMatchObject([{ status: "rejected", code: "INVALID_REASON" }, { status: "rejected", code: "INVALID_REASON" }]);
  });
});
