import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { CredentialCipher } from "../db/crypto/credential-cipher";
import { createChannelConnectorRegistry, type ConnectionForConnector } from "./channel-connector-registry";
import { ShopifyStockPusher } from "./shopify/shopify-stock-pusher";
import type { AvailablePushItem, AvailablePushOutcome } from "./shopify/inventory-push";

const cipher = new CredentialCipher(randomBytes(32));
const connection = (overrides: Partial<ConnectionForConnector> = {}): ConnectionForConnector => ({
  id: "c1",
  channel: "shopify",
  name: "demo.myshopify.com",
  shopDomain: "demo.myshopify.com",
  credentialsEncrypted: cipher.encryptJson({ accessToken: "shpat_secret" }),
  settings: {},
  ...overrides,
});

/** Captures where the connector sends its request and answers like Shopify with no errors. */
function recordingFetch() {
  const seen: { url: string; token: string | null; body: { variables: { input: { quantities: { locationId: string }[] } } } }[] = [];
  const fetchImpl: typeof fetch = async (input, init) => {
    const headers = new Headers(init?.headers);
    seen.push({ url: String(input), token: headers.get("X-Shopify-Access-Token"), body: JSON.parse(String(init?.body)) });
    return new Response(JSON.stringify({ data: { inventorySetQuantities: { inventoryAdjustmentGroup: null, userErrors: [] } } }), { status: 200 });
  };
  return { seen, fetchImpl };
}

const item = {
  key: "l1",
  externalId: "gid://shopify/InventoryItem/9",
  locationExternalId: "gid://shopify/Location/1",
  sku: "SKU",
  available: 3,
  previousAvailable: null,
};

describe("channel connector registry", () => {
  it.each(["amazon", "ebay", "woocommerce"])("has no stock connector for %s yet", (channel) => {
    const lookup = createChannelConnectorRegistry({ cipher }).stockPusherFor(connection({ channel }));
    expect(lookup).toMatchObject({ ok: false, reason: "no_connector" });
  });

  it("talks to the configured base URL (the demo's sandbox) with the decrypted token", async () => {
    const { seen, fetchImpl } = recordingFetch();
    const lookup = createChannelConnectorRegistry({ cipher, fetch: fetchImpl }).stockPusherFor(
      connection({ settings: { baseUrl: "http://127.0.0.1:4010/" } }),
    );
    if (!lookup.ok) throw new Error(lookup.reason);
    expect(lookup.value).toMatchObject({ maxBatchSize: 250, scope: "per_location" });
    await lookup.value.push([item], { reference: "r1" });
    expect(seen[0]).toMatchObject({ url: "http://127.0.0.1:4010/admin/api/2026-04/graphql.json", token: "shpat_secret" });
    expect(seen[0]!.body.variables.input.quantities[0]!.locationId).toBe("gid://shopify/Location/1");
  });

  it("talks to the shop's own domain without a base URL, setting each item at its own location", async () => {
    const { seen, fetchImpl } = recordingFetch();
    const lookup = createChannelConnectorRegistry({ cipher, fetch: fetchImpl }).stockPusherFor(connection());
    if (!lookup.ok) throw new Error(lookup.reason);
    await lookup.value.push([item, { ...item, key: "l1@2", locationExternalId: "gid://shopify/Location/2", available: 4 }], { reference: "r1" });
    expect(seen[0]!.url).toBe("https://demo.myshopify.com/admin/api/2026-04/graphql.json");
    expect(seen[0]!.body.variables.input.quantities.map((q) => q.locationId)).toEqual(["gid://shopify/Location/1", "gid://shopify/Location/2"]);
  });

  it("says what is missing instead of building a connector that cannot work", () => {
    const registry = createChannelConnectorRegistry({ cipher });
    expect(registry.stockPusherFor(connection({ credentialsEncrypted: null }))).toMatchObject({ ok: false, reason: "missing_credentials" });
    expect(registry.stockPusherFor(connection({ settings: { baseUrl: "not a url" } }))).toMatchObject({ ok: false, reason: "misconfigured" });
    const otherKey = new CredentialCipher(randomBytes(32)).encryptJson({ accessToken: "shpat_secret" });
    const undecryptable = registry.stockPusherFor(connection({ credentialsEncrypted: otherKey }));
    expect(undecryptable).toMatchObject({ ok: false, reason: "missing_credentials" });
    expect(JSON.stringify(undecryptable)).not.toContain(otherKey);
  });
});

describe("ShopifyStockPusher", () => {
  const pusherAnswering = (answer: (items: readonly AvailablePushItem[]) => AvailablePushOutcome[]) =>
    new ShopifyStockPusher({ pushAvailable: async (items) => answer(items) });

  it("turns a throttled call into a rate limit with a time to come back", async () => {
    const pusher = pusherAnswering((items) => items.map((i) => ({ status: "failed", item: i, reason: "throttled", message: "still throttled after 5 retries" })));
    expect(await pusher.push([item, { ...item, key: "l2" }], { reference: "r" })).toMatchObject({ ok: false, reason: "rate_limited", retryAfterMs: 10_000 });
  });

  it("turns a network failure of the whole call into 'unavailable'", async () => {
    const pusher = pusherAnswering((items) => items.map((i) => ({ status: "failed", item: i, reason: "network_error", message: "ECONNRESET" })));
    expect(await pusher.push([item], { reference: "r" })).toMatchObject({ ok: false, reason: "unavailable", detail: "ECONNRESET" });
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
