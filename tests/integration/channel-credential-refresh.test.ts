import { randomBytes } from "node:crypto";
import nock from "nock";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { openChannelConnection } from "../../connectors/channel-connectors";
import type { ChannelConnectionRecord } from "../../core/ports/channel-module-port";
import { CredentialCipher } from "../../db/crypto/credential-cipher";
import { createLocation, createShop } from "../helpers/ledger-fixtures";
import { connectionById, createConnection, shopifyConnectorsFor } from "../helpers/channel-fixtures";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";

/**
 * Expiring offline Shopify tokens in background work: the Shopify module refreshes through the
 * shop's token endpoint, the credential store persists the new pair encrypted before the new
 * token is used, and a refused request is retried exactly once. Shopify is answered by nock in
 * the documented wire format (POST /admin/oauth/access_token, grant_type=refresh_token).
 */

const SHOP = "https://refresh-test.switchyard.test";
const GRAPHQL_PATH = "/admin/api/2026-04/graphql.json";
const cipher = new CredentialCipher(randomBytes(32));

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
  nock.disableNetConnect();
});
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

const countAnswer = { data: { productsCount: { count: 3, precision: "EXACT" } } };

async function connectionWith(credentials: Record<string, unknown>): Promise<ChannelConnectionRecord> {
  const shop = await createShop(database.db);
  const location = await createLocation(database.db, shop.id, { name: "Main" });
  const row = await createConnection(database.db, shop.id, {
    locationIds: [location.id],
    credentialsEncrypted: cipher.encryptJson(credentials),
    settings: { baseUrl: SHOP },
  });
  return { id: row.id, channel: "shopify", name: row.name, shopDomain: "refresh-test.myshopify.com", credentialsEncrypted: row.credentialsEncrypted, settings: row.settings };
}

function open(connection: ChannelConnectionRecord) {
  const opened = openChannelConnection(shopifyConnectorsFor(database.db, cipher), connection);
  if (!opened.ok) throw new Error(opened.detail);
  return opened.value;
}

/** The token endpoint: checks the grant and answers a new pair; records what it was sent. */
function tokenEndpoint(answer: { access: string; refresh: string }, seen: unknown[] = []) {
  nock(SHOP)
    .post("/admin/oauth/access_token", (body) => {
      seen.push(body);
      return body.grant_type === "refresh_token" && body.client_id === "test-key" && body.client_secret === "test-secret";
    })
    .reply(200, { access_token: answer.access, expires_in: 3600, refresh_token: answer.refresh, refresh_token_expires_in: 7_776_000, scope: "read_products" });
  return seen;
}

describe("Shopify offline token refresh", () => {
  it("refreshes an expired token before use and stores the new pair encrypted", async () => {
    const connection = await connectionWith({ accessToken: "shpat_old", refreshToken: "shprt_1", expiresAt: new Date(Date.now() - 60_000).toISOString() });
    const seen = tokenEndpoint({ access: "shpat_new", refresh: "shprt_2" });
    const tokensSent: string[] = [];
    nock(SHOP)
      .post(GRAPHQL_PATH)
      .reply(function () {
        tokensSent.push(String(this.req.headers["x-shopify-access-token"]));
        return [200, countAnswer];
      });

    const health = await open(connection).health!.check();

    expect(health).toMatchObject({ ok: true });
    expect(seen).toEqual([expect.objectContaining({ refresh_token: "shprt_1" })]);
    expect(tokensSent).toEqual(["shpat_new"]);
    const stored = (await connectionById(database.db, connection.id)).credentialsEncrypted!;
    expect(stored).not.toContain("shpat_new");
    expect(stored).not.toContain("shprt_2");
    expect(cipher.decryptJson(stored)).toMatchObject({ accessToken: "shpat_new", refreshToken: "shprt_2" });
  });

  it("retries a refused request once with the refreshed token, persisted before the retry", async () => {
    const connection = await connectionWith({ accessToken: "shpat_revoked", refreshToken: "shprt_1", expiresAt: new Date(Date.now() + 3_600_000).toISOString() });
    tokenEndpoint({ access: "shpat_fresh", refresh: "shprt_2" });
    const storedAtRetry: unknown[] = [];
    nock(SHOP).post(GRAPHQL_PATH).matchHeader("x-shopify-access-token", "shpat_revoked").reply(401, { errors: "[API] Invalid API key or access token" });
    nock(SHOP)
      .post(GRAPHQL_PATH)
      .matchHeader("x-shopify-access-token", "shpat_fresh")
      .reply(async function () {
        storedAtRetry.push(cipher.decryptJson((await connectionById(database.db, connection.id)).credentialsEncrypted!));
        return [200, countAnswer];
      });

    expect(await open(connection).health!.check()).toMatchObject({ ok: true });
    expect(storedAtRetry).toEqual([expect.objectContaining({ accessToken: "shpat_fresh", refreshToken: "shprt_2" })]);
    expect(nock.isDone()).toBe(true);
  });

  it("gives up as unauthorized when the refreshed token is refused too, refreshing once", async () => {
    const connection = await connectionWith({ accessToken: "shpat_a", refreshToken: "shprt_1" });
    const seen = tokenEndpoint({ access: "shpat_b", refresh: "shprt_2" });
    nock(SHOP).post(GRAPHQL_PATH).times(2).reply(401, { errors: "[API] Invalid API key or access token" });

    expect(await open(connection).health!.check()).toMatchObject({ ok: false, reason: "unauthorized" });
    expect(seen).toHaveLength(1);
  });

  it("a dead refresh token is 'unauthorized' (reconnect) and keeps the stored credentials", async () => {
    const original = { accessToken: "shpat_a", refreshToken: "shprt_dead", expiresAt: new Date(Date.now() - 1000).toISOString() };
    const connection = await connectionWith(original);
    nock(SHOP).post("/admin/oauth/access_token").reply(400, { error: "invalid_request", error_description: "refresh token revoked" });

    expect(await open(connection).health!.check()).toMatchObject({ ok: false, reason: "unauthorized" });
    expect(cipher.decryptJson((await connectionById(database.db, connection.id)).credentialsEncrypted!)).toEqual(original);
  });

  it("two workers refreshing the same expired token call the token endpoint once", async () => {
    const connection = await connectionWith({ accessToken: "shpat_old", refreshToken: "shprt_1", expiresAt: new Date(Date.now() - 1000).toISOString() });
    const seen = tokenEndpoint({ access: "shpat_new", refresh: "shprt_2" });
    nock(SHOP).post(GRAPHQL_PATH).times(2).matchHeader("x-shopify-access-token", "shpat_new").reply(200, countAnswer);

    // Two separately opened connections stand for two worker processes: the row lock serialises them.
    const results = await Promise.all([open(connection).health!.check(), open(connection).health!.check()]);

    expect(results).toMatchObject([{ ok: true }, { ok: true }]);
    expect(seen).toHaveLength(1);
  });
});
