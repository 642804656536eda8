import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ok } from "../core/shared/result.js";
import type { CredentialStore } from "../core/ports/channel-module-port.js";
import { openChannelConnection } from "./channel-connectors.js";
import { ebayChannelModule } from "./ebay/ebay-channel-module.js";
import { startEbaySandbox, type EbaySandbox } from "./ebay/sandbox/ebay-sandbox.server.js";
import { wooCommerceChannelModule } from "./woocommerce/woocommerce-channel-module.js";
import { startWooCommerceSandbox, type WooCommerceSandbox } from "./woocommerce/sandbox/woocommerce-sandbox.server.js";

/** eBay and WooCommerce opened as the jobs open them, against their sandboxes over real HTTP. */

const APP = { appId: "Switchya-mod-PRD-1", certId: "PRD-mod-secret" };
const KEYS = { consumerKey: "ck_mod", consumerSecret: "cs_mod" };
let ebay: EbaySandbox;
let woo: WooCommerceSandbox;

beforeAll(async () => {
  ebay = await startEbaySandbox({ port: 0, ...APP, log: () => {}, seed: { items: [{ sku: "MUG", title: "Mug", price: "12.00", quantity: 4 }] } });
  woo = await startWooCommerceSandbox({ port: 0, ...KEYS, log: () => {}, seed: { products: [{ name: "Mug", sku: "MUG", price: "12.00", stock: 4 }] } });
});
afterAll(async () => {
  await ebay.stop();
  await woo.stop();
});

/** A credential store over one row in memory, recording when the refreshed credentials were stored. */
function memoryStore(initial: unknown, events: string[]): CredentialStore & { stored(): unknown } {
  let stored = initial;
  return {
    stored: () => stored,
    decrypt: () => ok(stored),
    async rotate(_connectionId, rotate) {
      const answer = await rotate(stored);
      if (!answer.ok) return answer;
      if (answer.value.changed) {
        stored = answer.value.credentials;
        events.push("persisted");
      }
      return ok(stored);
    },
  };
}

describe("eBay channel module", () => {
  it("pushes stock, and refreshes an expired token through the credential store before retrying", async () => {
    const token = ebay.issueUserToken();
    const events: string[] = [];
    const store = memoryStore({ ...APP, accessToken: token.accessToken, refreshToken: token.refreshToken, accessTokenExpiresAt: token.expiresAt.toISOString() }, events);
    const opened = openChannelConnection(
      { modules: [ebayChannelModule()], credentials: store },
      { id: "e1", channel: "ebay", name: "eBay", shopDomain: "x.myshopify.com", credentialsEncrypted: "stored", settings: { baseUrl: ebay.url } },
    );
    if (!opened.ok) throw new Error(opened.detail);
    ebay.expireAccessTokens();
    const before = ebay.requests.length;
    const pushed = await opened.value.stock!.push([{ key: "l1", externalId: "MUG", sku: "MUG", available: 9, previousAvailable: null }], { reference: "r1" });
    expect(pushed).toEqual({ ok: true, value: [{ key: "l1", status: "applied" }] });
    expect(ebay.state.items.get("MUG")!.quantity).toBe(9);
    expect(ebay.requests.slice(before).map((r) => `${r.path} ${r.status}`)).toEqual([
      "/sell/inventory/v1/bulk_update_price_quantity 401",
      "/identity/v1/oauth2/token 200",
      "/sell/inventory/v1/bulk_update_price_quantity 200",
    ]);
    expect(events).toEqual(["persisted"]);
    expect((store.stored() as { accessToken: string }).accessToken).not.toBe(token.accessToken);
  });

  it("polls orders as inbox deliveries keyed by order version, and answers health", async () => {
    const order = ebay.simulateOrder({ lines: [{ sku: "MUG", quantity: 1 }] });
    const token = ebay.issueUserToken();
    const opened = openChannelConnection(
      { modules: [ebayChannelModule()], credentials: memoryStore({ ...APP, accessToken: token.accessToken, refreshToken: token.refreshToken }, []) },
      { id: "e2", channel: "ebay", name: "eBay", shopDomain: "x.myshopify.com", credentialsEncrypted: "stored", settings: { baseUrl: ebay.url } },
    );
    if (!opened.ok) throw new Error(opened.detail);
    const page = await opened.value.orderPoller!.fetchOrders(null);
    if (!page.ok) throw new Error(page.detail);
    expect(page.value.orders.map((o) => o.externalId)).toContain(order.orderId);
    expect(page.value.deliveries?.find((d) => d.resourceId === order.orderId)).toMatchObject({ topic: "order", deliveryId: `order:${order.orderId}:${new Date(order.modifiedAt).toISOString()}` });
    expect(await opened.value.health!.check()).toMatchObject({ ok: true });
  });
});

describe("WooCommerce channel module", () => {
  it("needs the store URL, then pushes stock and polls orders", async () => {
    const store = memoryStore({ ...KEYS, webhookSecret: "s" }, []);
    const record = { id: "w1", channel: "woocommerce", name: "Woo", shopDomain: "x.myshopify.com", credentialsEncrypted: "stored", settings: {} as Record<string, unknown> };
    expect(openChannelConnection({ modules: [wooCommerceChannelModule()], credentials: store }, record)).toMatchObject({ ok: false, reason: "misconfigured" });
    const opened = openChannelConnection({ modules: [wooCommerceChannelModule()], credentials: store }, { ...record, settings: { baseUrl: woo.url } });
    if (!opened.ok) throw new Error(opened.detail);
    const mug = [...woo.state.products.values()][0]!;
    expect(await opened.value.stock!.push([{ key: "l", externalId: String(mug.id), sku: "MUG", available: 7, previousAvailable: null }], { reference: "r" })).toEqual({ ok: true, value: [{ key: "l", status: "applied" }] });
    expect(woo.stockOf(mug.id)).toBe(7);
    const { order } = await woo.simulateOrder({ send: false });
    const page = await opened.value.orderPoller!.fetchOrders(null);
    expect(page.ok && page.value.deliveries?.map((d) => d.resourceId)).toContain(String(order.id));
    expect(opened.value.module.webhook).toBeDefined();
  });
});
