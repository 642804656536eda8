import { eq } from "drizzle-orm";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setDatabaseForTests } from "../../app/db.server";
import { SHOPIFY_WEBHOOK_TOPICS } from "../../connectors/shopify/shopify-webhook-topics";
import { receiveShopifyWebhook } from "../../app/webhooks/shopify-webhook-ingress.server";
import { mapShopifyGraphqlOrder, mapShopifyOrderWebhook } from "../../connectors/shopify/shopify-order-mapper";
import { signShopifyWebhook } from "../../connectors/shopify/webhook-signature";
import { webhookDeliveries } from "../../db/schema";
import { processWebhookDelivery } from "../../jobs/tasks/webhooks-process.task";
import { webhookSecret } from "../../app/config/demo-mode.server";
import { orderWebhookPayload } from "../fixtures/shopify/webhooks/shopify-webhook-requests";
import { ledgerMismatches } from "../helpers/ledger-fixtures";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";
import { streamShop } from "./order-stream-fixtures";

/**
 * Property fuzzing of the Shopify webhook ingress and the order mapper: whatever arrives, signed
 * or not, the answer is 2xx or 4xx, never 5xx; a stored delivery is processed to `processed`,
 * `ignored_stale` or `failed` (a value, never a thrown bug); the ledger stays consistent.
 *
 * NUL characters and lone surrogates inside JSON strings and nesting thousands deep are part of
 * the generators: the raw bytes are stored as received and parsed by the worker, so none of them
 * can make a verified delivery unstorable (issue 7 item 4).
 */

let database: TestDatabase;
let shopDomain: string;
let shopId: string;
beforeAll(async () => {
  database = await createTestDatabase();
  setDatabaseForTests(database.db);
  const shop = await streamShop(database.db);
  shopDomain = shop.domain;
  shopId = shop.id;
});
afterAll(() => setDatabaseForTests(undefined));

/** Strings PostgreSQL's text and jsonb refuse, in every spelling JSON allows. */
const hostileString = fc.constantFrom("a\u0000b", "\ud800", "x\udfffy", "\u0000", "ok\ud83d", "😀\u0000😀");
/** JSON text nested `depth` levels deep (built as text: JSON.stringify itself overflows the stack there). */
const deepText = fc.integer({ min: 100, max: 6000 }).map((depth) => "[".repeat(depth) + "1" + "]".repeat(depth));

/** Order-shaped payloads with any field replaced by anything JSON can say. */
const mutatedOrder = fc
  .record({
    id: fc.bigInt({ min: 1n, max: 2n ** 63n }).map(String),
    field: fc.constantFrom("line_items", "total_price", "currency", "customer", "shipping_address", "created_at", "updated_at", "name", "email", "note", "id", "financial_status", "tax_lines", "discount_codes"),
    value: fc.oneof(fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)), hostileString.map((v) => JSON.stringify(v)), deepText),
  })
  .map(({ id, field, value }) => JSON.stringify({ ...orderWebhookPayload({ id: id.slice(0, 18) || "1" }), [field]: "\u0001value" }).replace('"\\u0001value"', () => value));

const anyBody = fc.oneof(
  mutatedOrder,
  fc.json({ maxDepth: 5 }),
  fc.string({ maxLength: 300 }),
  fc.string({ unit: "binary", maxLength: 300 }),
  fc.constantFrom("", "{", "[]", "null", "1e999", '{"id": 1}', '{"id": "x"}', '{"line_items": null}'),
);

const headers = fc.record({
  topic: fc.oneof(fc.constantFrom(...SHOPIFY_WEBHOOK_TOPICS), fc.string({ maxLength: 40 })),
  sign: fc.constantFrom("right", "wrong", "none"),
  shop: fc.oneof(fc.constant("known"), fc.constant("unknown.myshopify.com"), fc.string({ maxLength: 40 })),
  eventId: fc.oneof(fc.uuid(), fc.string({ maxLength: 60 })),
  triggeredAt: fc.oneof(fc.date({ noInvalidDate: false }).map((d) => (Number.isNaN(d.getTime()) ? "not a date" : d.toISOString())), fc.string({ maxLength: 30 })),
});

function headerSafe(value: string): string {
  // Header values cannot carry control characters or non-Latin-1; fetch would throw before we see it.
  return value.replace(/[^\x20-\x7e]/g, "?");
}

describe("webhook ingress under fuzzing", () => {
  it("answers every request with 2xx or 4xx and leaves every stored delivery processed or failed", async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(anyBody, headers, async (body, h) => {
        run++;
        const topic = headerSafe(h.topic);
        const requestHeaders: Record<string, string> = {
          "Content-Type": "application/json",
          "X-Shopify-Topic": topic,
          "X-Shopify-Shop-Domain": headerSafe(h.shop === "known" ? shopDomain : h.shop),
          "X-Shopify-Event-Id": `${run}-${headerSafe(h.eventId)}`,
          "X-Shopify-Triggered-At": headerSafe(h.triggeredAt),
        };
        if (h.sign !== "none") requestHeaders["X-Shopify-Hmac-Sha256"] = h.sign === "right" ? signShopifyWebhook(body, webhookSecret()) : "d3Jvbmc=";
        const route = SHOPIFY_WEBHOOK_TOPICS.includes(topic as never) ? (topic as (typeof SHOPIFY_WEBHOOK_TOPICS)[number]) : "orders/create";
        const response = await receiveShopifyWebhook(new Request(`http://localhost/webhooks/${route}`, { method: "POST", headers: requestHeaders, body }), route);
        expect(response.status, `${response.status} for ${body.slice(0, 200)}`).toBeLessThan(500);
        if (h.sign !== "right") expect(response.status).toBe(401);

        const [row] = await database.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.deliveryId, `${topic}:${requestHeaders["X-Shopify-Event-Id"]!.trim()}`));
        if (response.status >= 400 && response.status !== 400) expect(row).toBeUndefined();
        if (row?.status === "received") {
          await processWebhookDelivery({ db: database.db }, row.id);
          const [after] = await database.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.id, row.id));
          expect(["processed", "ignored_stale", "failed"]).toContain(after!.status);
        }
      }),
      { numRuns: 150 },
    );
    expect(await ledgerMismatches(database.db, shopId)).toEqual([]);
  });
});

describe("Shopify order mapper under fuzzing", () => {
  it("returns a result for any payload and never throws", () => {
    fc.assert(
      fc.property(fc.oneof(fc.anything(), mutatedOrder.map((text) => JSON.parse(text) as unknown)), (payload) => {
        const webhook = mapShopifyOrderWebhook(payload);
        const graphql = mapShopifyGraphqlOrder(payload);
        expect(typeof webhook.ok).toBe("boolean");
        expect(typeof graphql.ok).toBe("boolean");
      }),
      { numRuns: 500 },
    );
  });
});
