import { describe, expect, it } from "vitest";
import type { AvailablePushItem, AvailablePushOutcome } from "./inventory-push.js";
import { ShopifyStockPusher } from "./shopify-stock-pusher.js";

/** The stock capability's mapping of Shopify's per-item and whole-call answers to the port. */

const item = {
  key: "l1",
  externalId: "gid://shopify/InventoryItem/9",
  locationExternalId: "gid://shopify/Location/1",
  sku: "SKU",
  available: 3,
  previousAvailable: null,
};

const pusherAnswering = (answer: (items: readonly AvailablePushItem[]) => AvailablePushOutcome[]) =>
  new ShopifyStockPusher({ pushAvailable: async (items) => answer(items) });

describe("ShopifyStockPusher", () => {
  it("turns a throttled call into a rate limit with a time to come back", async () => {
    const pusher = pusherAnswering((items) => items.map((i) => ({ status: "failed", item: i, reason: "throttled", message: "still throttled after 5 retries" })));
    expect(await pusher.push([item, { ...item, key: "l2" }], { reference: "r" })).toMatchObject({ ok: false, reason: "rate_limited", retryAfterMs: 10_000 });
  });

  it("turns a network failure of the whole call into 'unavailable', keeping Shopify's reason", async () => {
    const pusher = pusherAnswering((items) => items.map((i) => ({ status: "failed", item: i, reason: "network_error", message: "ECONNRESET" })));
    expect(await pusher.push([item], { reference: "r" })).toMatchObject({ ok: false, reason: "unavailable", detail: "network_error: ECONNRESET" });
  });

  it("calls a query too costly for the bucket a refusal, not a rate limit (waiting never helps)", async () => {
    const pusher = pusherAnswering((items) => items.map((i) => ({ status: "failed", item: i, reason: "cost_exceeds_bucket", message: "costs 2500" })));
    expect(await pusher.push([item], { reference: "r" })).toMatchObject({ ok: false, reason: "rejected" });
  });

  it("keeps per-item answers per item, by key, whatever order Shopify's answers come in", async () => {
    const pusher = pusherAnswering((items) => [
      { status: "stale", item: items[1]!, message: "stale" },
      { status: "failed", item: items[0]!, reason: "batch_refused", message: "not applied because other items in the batch were refused" },
    ]);
    const result = await pusher.push([item, { ...item, key: "l2" }], { reference: "r" });
    expect(result).toEqual({
      ok: true,
      value: [
        { key: "l2", status: "conflict", problem: "stale" },
        { key: "l1", status: "not_applied", problem: "not applied because other items in the batch were refused" },
      ],
    });
  });

  it("refuses an item without a Shopify location instead of guessing one, and sends the rest", async () => {
    const sent: AvailablePushItem[] = [];
    const pusher = pusherAnswering((items) => {
      sent.push(...items);
      return items.map((i) => ({ status: "applied", item: i }));
    });
    const { locationExternalId: _omitted, ...unlocated } = item;
    const result = await pusher.push([{ ...unlocated, key: "nowhere" }, { ...item, key: "l2" }], { reference: "r" });
    expect(result).toEqual({
      ok: true,
      value: [
        { key: "nowhere", status: "rejected", problem: "no Shopify location id for this item" },
        { key: "l2", status: "applied" },
      ],
    });
    expect(sent.map((i) => i.locationId)).toEqual(["gid://shopify/Location/1"]);
  });

  it("refuses a batch larger than one inventorySetQuantities call takes", async () => {
    const pusher = pusherAnswering(() => []);
    await expect(pusher.push(Array.from({ length: 251 }, (_, i) => ({ ...item, key: `l${i}` })), { reference: "r" })).rejects.toThrow(RangeError);
  });
});
