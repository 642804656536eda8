import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEbaySession, standaloneEbayTokens, type EbayCredentials } from "../ebay-client.js";
import { confirmEbayFulfillment } from "../ebay-fulfillment.js";
import { createEbayPublicKeyFetcher } from "../ebay-notification-keys.js";
import { ebayChallengeResponse, verifyEbayNotification } from "../ebay-notification-signature.js";
import { ebaySchemaValidator } from "../ebay-openapi-validator.js";
import { mapEbayOrder } from "../ebay-order-mapper.js";
import { initialEbayPollCursor, pollEbayOrders } from "../ebay-order-poll.js";
import { cancelEbayOrder } from "../ebay-order-cancel.js";
import { pushEbayStock, readEbayStock } from "../ebay-stock-push.js";
import { startEbaySandbox, type EbaySandbox } from "./ebay-sandbox.server.js";

/** A session on a standalone token source (what the channel module's credential session does in production). */
function sessionWith(config: Parameters<typeof standaloneEbayTokens>[0]) {
  const tokens = standaloneEbayTokens(config);
  return Object.assign(createEbaySession({ ...(config.baseUrl ? { baseUrl: config.baseUrl } : {}), tokens }), { credentials: tokens.credentials });
}


/** The official ebay-api client against the sandbox over real HTTP. */

const APP = { appId: "Switchya-demo-PRD-1234", certId: "PRD-cert-secret" };
let sandbox: EbaySandbox;
const skus = Array.from({ length: 30 }, (_, i) => `SKU-${String(i).padStart(2, "0")}`);

beforeAll(async () => {
  sandbox = await startEbaySandbox({ port: 0, ...APP, log: () => {}, random: () => 0.5, seed: { items: skus.map((sku) => ({ sku, title: `Item ${sku}`, price: "9.99", quantity: 5 })) } });
});
afterAll(() => sandbox.stop());

function session(persisted: EbayCredentials[] = []) {
  const token = sandbox.issueUserToken();
  return sessionWith({
    baseUrl: sandbox.url,
    credentials: { ...APP, accessToken: token.accessToken, refreshToken: token.refreshToken, accessTokenExpiresAt: token.expiresAt.toISOString() },
    onCredentialsRefreshed: async (c) => {
      persisted.push(c);
    },
  });
}

describe("eBay sandbox with the official client", () => {
  it("pages getOrders by lastmodifieddate with limit/offset and maps each order", async () => {
    for (let i = 0; i < 5; i++) sandbox.simulateOrder();
    const s = session();
    const seen: unknown[] = [];
    let cursor = initialEbayPollCursor(new Date(Date.now() - 60_000));
    for (let guard = 0; guard < 10; guard++) {
      const page = await pollEbayOrders(s, cursor, { limit: 2 });
      if (!page.ok) throw new Error(page.detail);
      seen.push(...page.value.orders);
      cursor = page.value.nextCursor;
      if (!page.value.hasMore) break;
    }
    expect(seen).toHaveLength(5);
    expect(seen.map((o) => mapEbayOrder(o).ok)).toEqual([true, true, true, true, true]);
    // The sandbox's orders are valid Fulfillment API Orders (when the specs are present).
    const validate = ebaySchemaValidator("sell_fulfillment_v1_oas3.json", "Order");
    expect(seen.flatMap((o) => validate?.(o) ?? [])).toEqual([]);
  });

  it("pushes 30 SKUs in two bulkUpdatePriceQuantity calls and maps the 207 per item", async () => {
    const items = [...skus, "NOT-LISTED"].map((sku, i) => ({ key: sku, externalId: sku, sku, available: i, previousAvailable: null }));
    const before = sandbox.requests.length;
    const result = await pushEbayStock(session(), items);
    if (!result.ok) throw new Error(result.detail);
    expect(result.value.filter((r) => r.status === "applied")).toHaveLength(30);
    expect(result.value.at(-1)).toMatchObject({ key: "NOT-LISTED", status: "rejected" });
    expect(sandbox.state.items.get("SKU-07")!.quantity).toBe(7);
    expect(sandbox.requests.slice(before).map((r) => r.status)).toEqual([200, 207]);
  });

  it("refreshes an expired token, persists it before use, and retries the call once", async () => {
    const persisted: EbayCredentials[] = [];
    const s = session(persisted);
    const expiredToken = s.credentials().accessToken;
    sandbox.expireAccessTokens();
    const page = await pollEbayOrders(s, initialEbayPollCursor(new Date(0)), { limit: 1 });
    expect(page.ok).toBe(true);
    expect(persisted).toHaveLength(1);
    expect(persisted[0]!.accessToken).not.toBe(expiredToken);
    expect(s.credentials().accessToken).toBe(persisted[0]!.accessToken);
  });

  it("reports a refused refresh token as unauthorized", async () => {
    const s = sessionWith({ baseUrl: sandbox.url, credentials: { ...APP, accessToken: "expired", refreshToken: "revoked" } });
    expect(await pollEbayOrders(s, initialEbayPollCursor(new Date(0)))).toMatchObject({ ok: false, reason: "unauthorized" });
  });

  it("creates a shipping fulfillment once for the whole order", async () => {
    const order = sandbox.simulateOrder({ lines: [{ sku: "SKU-01", quantity: 2 }] });
    const request = { orderExternalId: order.orderId, tracking: { carrier: "USPS", trackingNumber: "9400111899223100000001", shippedAt: new Date() }, notifyCustomer: true, idempotencyKey: "k" };
    const first = await confirmEbayFulfillment(session(), request);
    const again = await confirmEbayFulfillment(session(), request);
    expect(first).toEqual({ ok: true, value: { externalFulfillmentId: "9400111899223100000001" } });
    expect(again).toMatchObject({ ok: true, value: { alreadyConfirmed: true } });
    expect(sandbox.state.orders.get(order.orderId)!.fulfillments).toHaveLength(1);
  });

  it("cancels an order for the seller through the Post-Order API once; a retry finds it cancelled, and the next poll shows it", async () => {
    const order = sandbox.simulateOrder({ lines: [{ sku: "SKU-07", quantity: 1 }] });
    const s = session();
    const request = { orderExternalId: order.orderId, reason: "out_of_stock" as const, idempotencyKey: "cancel-1" };
    expect(await cancelEbayOrder(s, request)).toEqual({ ok: true, value: { alreadyCancelled: false } });
    expect(sandbox.state.orders.get(order.orderId)!.cancellation).toMatchObject({ reason: "OUT_OF_STOCK_OR_CANNOT_FULFILL" });
    expect(await cancelEbayOrder(s, request)).toEqual({ ok: true, value: { alreadyCancelled: true } });
    const page = await pollEbayOrders(s, initialEbayPollCursor(new Date(Date.now() - 60_000)), { limit: 200 });
    const polled = page.ok ? (page.value.orders as { orderId: string; cancelStatus: { cancelState: string } }[]).find((o) => o.orderId === order.orderId) : undefined;
    expect(polled?.cancelStatus.cancelState).toBe("CANCELED");
  });

  it("refuses to cancel a shipped order as eBay does, and the connector says so plainly", async () => {
    const order = sandbox.simulateOrder({ lines: [{ sku: "SKU-08", quantity: 1 }] });
    const s = session();
    const shippedAt = new Date().toISOString();
    const request = { orderExternalId: order.orderId, reason: "customer_request" as const, idempotencyKey: "cancel-shipped" };
    sandbox.state.orders.get(order.orderId)!.fulfillments.push({ fulfillmentId: "9400100000000000000001", trackingNumber: "9400100000000000000001", carrier: "USPS", shippedDate: shippedAt, lineItems: [{ lineItemId: order.lines[0]!.lineItemId, quantity: 1 }] });

    // eBay's own answers: not eligible, the shipped line named; a cancellation request gets no cancelId.
    const eligibility = await s.call((api) => api.postOrder.cancellation.checkCancellationEligibility(order.orderId) as Promise<Record<string, unknown>>);
    expect(eligibility).toMatchObject({ ok: true, value: { eligible: false, failureReason: ["ITEM_LEVEL_ELIGIBILITY_FAILURE"], itemEligibilityResult: [{ transactionId: order.lines[0]!.lineItemId, eligible: false }] } });
    const created = await s.call(
      (api) => api.postOrder.cancellation.createCancellation({ legacyOrderId: order.orderId, cancelReason: "BUYER_ASKED_CANCEL", buyerPaid: true, buyerPaidDate: { value: shippedAt } }) as Promise<Record<string, unknown>>,
    );
    expect(created).toMatchObject({ ok: true, value: { orderEligibilityResult: { eligible: false } } });
    expect(created.ok && created.value.cancelId).toBeUndefined();

    // Our connector: a refusal (surfaced to the merchant, not retried) that says why and what instead.
    const refused = await cancelEbayOrder(s, request);
    expect(refused).toMatchObject({ ok: false, reason: "rejected", detail: expect.stringContaining("already shipped") });
    expect(!refused.ok && refused.detail).toContain("return");
    expect(sandbox.state.orders.get(order.orderId)!.cancellation).toBeUndefined();
  });

  it("reads what eBay shows with bulkGetInventoryItem, 25 SKUs a call", async () => {
    sandbox.state.items.get("SKU-03")!.quantity = 17;
    const items = [...skus, "NOPE"].map((sku) => ({ key: sku, externalId: sku, sku }));
    const before = sandbox.requests.length;
    const read = await readEbayStock(session(), items);
    expect(sandbox.requests.slice(before).filter((r) => r.path.endsWith("/bulk_get_inventory_item")).map((r) => r.status)).toEqual([200, 207]);
    expect(read.ok && read.value.find((r) => r.key === "SKU-03")).toEqual({ key: "SKU-03", available: 17 });
    expect(read.ok && read.value.find((r) => r.key === "NOPE")).toEqual({ key: "NOPE", available: null });
  });

  it("answers 429 with eBay's error 2001 once an API's call limit is spent", async () => {

    const limited = await startEbaySandbox({ port: 0, ...APP, log: () => {}, callLimits: { fulfillment: 1 } });
    try {
      const token = limited.issueUserToken();
      const s = sessionWith({ baseUrl: limited.url, credentials: { ...APP, accessToken: token.accessToken, refreshToken: token.refreshToken } });
      expect((await pollEbayOrders(s, initialEbayPollCursor(new Date(0)))).ok).toBe(true);
      expect(await pollEbayOrders(s, initialEbayPollCursor(new Date(0)))).toMatchObject({ ok: false, reason: "rate_limited" });
    } finally {
      await limited.stop();
    }
  });
});

describe("eBay marketplace account deletion against the sandbox", () => {
  let endpoint: Server;
  let url = "";
  const outcomes: string[] = [];
  const TOKEN = "switchyard-verification-token-0123456789abcdef";
  beforeAll(async () => {
    const fetchKey = createEbayPublicKeyFetcher({ baseUrl: sandbox.url, ...APP });
    endpoint = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        void (async () => {
          const u = new URL(req.url ?? "/", url);
          if (req.method === "GET") {
            res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify({ challengeResponse: ebayChallengeResponse(u.searchParams.get("challenge_code") ?? "", TOKEN, url) }));
            return;
          }
          const verified = await verifyEbayNotification(Buffer.concat(chunks), req.headers["x-ebay-signature"] as string | undefined, fetchKey);
          outcomes.push(verified.ok ? "verified" : verified.reason);
          res.writeHead(verified.ok ? 204 : 412).end();
        })();
      });
    });
    await new Promise<void>((resolve) => endpoint.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(endpoint.address() as AddressInfo).port}/webhooks/ebay/account-deletion`;
  });
  afterAll(() => new Promise<void>((resolve) => endpoint.close(() => resolve())));

  it("passes eBay's challenge and verifies a signed notification with the key from getPublicKey", async () => {
    expect(await sandbox.verifyEndpoint(url, TOKEN)).toBe(true);
    expect(await sandbox.sendAccountDeletion(url, { username: "buyer_1", userId: "u1" })).toEqual({ status: 204 });
    expect(await sandbox.sendAccountDeletion(url, { username: "buyer_1", userId: "u1" }, { tamper: true })).toEqual({ status: 412 });
    expect(outcomes).toEqual(["verified", "bad_signature"]);
  });
});
