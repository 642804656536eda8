import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { amazonChannelModule } from "../../connectors/amazon/amazon-channel-module";
import { startAmazonSandbox, type AmazonSandbox } from "../../connectors/amazon/sandbox/amazon-sandbox.server";
import { openChannelConnection, type ChannelConnectors } from "../../connectors/channel-connectors";
import { ebayChannelModule } from "../../connectors/ebay/ebay-channel-module";
import { startEbaySandbox, type EbaySandbox } from "../../connectors/ebay/sandbox/ebay-sandbox.server";
import type { ChannelConnectionRecord } from "../../core/ports/channel-module-port";
import { CredentialCipher } from "../../db/crypto/credential-cipher";
import { createCredentialStore } from "../../db/repositories/channel-credential-store";
import { connectionById, createConnection } from "../helpers/channel-fixtures";
import { createLocation, createShop } from "../helpers/ledger-fixtures";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";

/**
 * Token refresh of the marketplaces in background work, through the real channel modules, the
 * credential store and the sandboxes: an access token the channel refuses as expired is renewed
 * once with the stored refresh token (eBay OAuth refresh grant, Amazon LWA), the new one is
 * stored encrypted before the request is retried, and the request is retried exactly once.
 * (Shopify's offline tokens: channel-credential-refresh.test.ts.)
 */

const cipher = new CredentialCipher(randomBytes(32));
const EBAY_APP = { appId: "Switchya-refresh-PRD", certId: "PRD-refresh-cert" };
const LWA = { clientId: "amzn1.application-oa2-client.refresh", clientSecret: "refresh-secret", refreshToken: "Atzr|refresh-test" };
const SELLER = "A2REFRESHSELLER";

let database: TestDatabase;
let ebay: EbaySandbox;
let amazon: AmazonSandbox;
let amazonClock = Date.now();
beforeAll(async () => {
  database = await createTestDatabase();
  ebay = await startEbaySandbox({ port: 0, ...EBAY_APP, log: () => {}, seed: { items: [{ sku: "REFRESH-1", title: "Refresh", price: "5.00", quantity: 3 }] } });
  amazon = await startAmazonSandbox({
    port: 0,
    sellerId: SELLER,
    ...LWA,
    listings: [{ sku: "REFRESH-1", title: "Refresh", price: "5.00", quantity: 3 }],
    // The sandbox's clock runs ahead of ours when a test says so: Amazon decides expiry, not us.
    now: () => amazonClock,
    log: () => {},
  });
});
afterAll(async () => {
  await Promise.all([ebay.stop(), amazon.stop()]);
});

async function connection(channel: "ebay" | "amazon", credentials: Record<string, unknown>, settings: Record<string, unknown>): Promise<ChannelConnectionRecord> {
  const shop = await createShop(database.db);
  const location = await createLocation(database.db, shop.id, { name: "Main" });
  const row = await createConnection(database.db, shop.id, { channel, locationIds: [location.id], credentialsEncrypted: cipher.encryptJson(credentials), settings });
  return { id: row.id, channel, name: row.name, shopDomain: "refresh.myshopify.com", credentialsEncrypted: row.credentialsEncrypted, settings: row.settings };
}

function connectors(): ChannelConnectors {
  return { modules: [ebayChannelModule(), amazonChannelModule()], credentials: createCredentialStore(database.db, cipher) };
}

const item = { key: "k", externalId: "REFRESH-1", sku: "REFRESH-1", available: 2, previousAvailable: 3 };

describe("marketplace token refresh", () => {
  it("eBay: a token eBay refuses (401) is refreshed once with the refresh-token grant, stored encrypted, and the push retried once", async () => {
    const token = ebay.issueUserToken();
    // Our record says the token is good for an hour; eBay has revoked it.
    const stored = { ...EBAY_APP, accessToken: token.accessToken, refreshToken: token.refreshToken, accessTokenExpiresAt: new Date(Date.now() + 3600_000).toISOString() };
    const record = await connection("ebay", stored, { baseUrl: ebay.url, marketplaceId: "EBAY_US" });
    ebay.expireAccessTokens();
    const before = ebay.requests.length;

    const opened = openChannelConnection(connectors(), record);
    if (!opened.ok) throw new Error(opened.detail);
    const pushed = await opened.value.stock!.push([item], { reference: "refresh" });

    expect(pushed).toEqual({ ok: true, value: [{ key: "k", status: "applied" }] });
    expect(ebay.requests.slice(before).map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
      "POST /sell/inventory/v1/bulk_update_price_quantity 401",
      "POST /identity/v1/oauth2/token 200",
      "POST /sell/inventory/v1/bulk_update_price_quantity 200",
    ]);
    const saved = cipher.decryptJson<Record<string, string>>((await connectionById(database.db, record.id)).credentialsEncrypted!);
    expect(saved.accessToken).not.toBe(token.accessToken);
    expect(saved).toMatchObject({ refreshToken: token.refreshToken, appId: EBAY_APP.appId });
    expect(Date.parse(saved.accessTokenExpiresAt!)).toBeGreaterThan(Date.now());
    expect(ebay.state.items.get("REFRESH-1")!.quantity).toBe(2);
  });

  it("eBay: when the refreshed token is refused too, the push fails as unauthorized after exactly one refresh", async () => {
    const token = ebay.issueUserToken();
    const record = await connection("ebay", { ...EBAY_APP, accessToken: token.accessToken, refreshToken: "v^1.1#not-a-refresh-token" }, { baseUrl: ebay.url });
    ebay.expireAccessTokens();
    const before = ebay.requests.length;
    const opened = openChannelConnection(connectors(), record);
    if (!opened.ok) throw new Error(opened.detail);
    const pushed = await opened.value.stock!.push([item], { reference: "refresh-dead" });
    expect(pushed).toMatchObject({ ok: false, reason: "unauthorized" });
    expect(ebay.requests.slice(before).filter((r) => r.path === "/identity/v1/oauth2/token")).toHaveLength(1);
    // The stored credentials are kept for a person to reconnect, not replaced by nothing.
    expect(cipher.decryptJson<Record<string, string>>((await connectionById(database.db, record.id)).credentialsEncrypted!).accessToken).toBe(token.accessToken);
  });

  it("Amazon: an LWA token SP-API says has expired is renewed once through LWA, stored encrypted, and the patch retried once", async () => {
    const record = await connection("amazon", LWA, { baseUrl: amazon.url, sellerId: SELLER, marketplaceId: "ATVPDKIKX0DER" });
    const opened = openChannelConnection(connectors(), record);
    if (!opened.ok) throw new Error(opened.detail);
    // First use: no access token stored yet, so one is fetched and stored before the call.
    expect(await opened.value.stock!.push([item], { reference: "first" })).toEqual({ ok: true, value: [{ key: "k", status: "applied" }] });
    const first = cipher.decryptJson<Record<string, string>>((await connectionById(database.db, record.id)).credentialsEncrypted!);
    expect(first.accessToken).toMatch(/^Atza\|/);

    // Amazon's clock passes the token's hour while ours still believes it good.
    amazonClock += 2 * 3600_000;
    const patches = () => amazon.calls.get("listingsItems_2021-08-01.json:patchListingsItem")?.total ?? 0;
    const patchesBefore = patches();
    const again = openChannelConnection(connectors(), { ...record, credentialsEncrypted: (await connectionById(database.db, record.id)).credentialsEncrypted });
    if (!again.ok) throw new Error(again.detail);
    expect(await again.value.stock!.push([{ ...item, available: 1, previousAvailable: 2 }], { reference: "second" })).toEqual({ ok: true, value: [{ key: "k", status: "applied" }] });

    const second = cipher.decryptJson<Record<string, string>>((await connectionById(database.db, record.id)).credentialsEncrypted!);
    expect(second.accessToken).toMatch(/^Atza\|/);
    expect(second.accessToken).not.toBe(first.accessToken);
    expect(second.refreshToken).toBe(LWA.refreshToken);
    // The refused patch is not counted by the sandbox (refused before its rate is metered): one patch got through.
    expect(patches() - patchesBefore).toBe(1);
    expect(amazon.state.listings.get("REFRESH-1")!.quantity).toBe(1);
  });
});
