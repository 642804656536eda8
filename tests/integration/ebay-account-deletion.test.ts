import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setDatabaseForTests } from "../../app/db.server";
import { action, loader } from "../../app/routes/webhooks.ebay.account-deletion.$connectionId";
import { startEbaySandbox, type EbaySandbox } from "../../connectors/ebay/sandbox/ebay-sandbox.server";
import { credentialCipher } from "../../db/crypto/encryption-key";
import { ingestOrder } from "../../db/repositories/order-ingest-repository";
import { orders, webhookDeliveries } from "../../db/schema";
import { createConnection } from "../helpers/channel-fixtures";
import { createShop, line, makeOrder } from "../helpers/ledger-fixtures";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";

/** The account deletion endpoint served over HTTP, driven by the eBay sandbox as eBay would. */

const APP = { appId: "Switchya-del-PRD-1", certId: "PRD-del-secret" };
const TOKEN = "verification-token-for-account-deletion-0123456789";
let database: TestDatabase;
let sandbox: EbaySandbox;
let server: Server;
let endpoint = "";
let shopId = "";

beforeAll(async () => {
  database = await createTestDatabase();
  setDatabaseForTests(database.db);
  sandbox = await startEbaySandbox({ port: 0, ...APP, log: () => {} });
  const shop = await createShop(database.db);
  shopId = shop.id;
  const connection = await createConnection(database.db, shopId, {
    channel: "ebay",
    locationIds: [],
    credentialsEncrypted: credentialCipher().encryptJson({ ...APP, accessToken: "a", refreshToken: "r", verificationToken: TOKEN }),
    settings: { baseUrl: sandbox.url },
  });
  // The route as an HTTP endpoint: Node request -> Fetch Request -> loader/action.
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      void (async () => {
        const request = new Request(`${endpoint.split("/webhooks")[0]}${req.url}`, {
          method: req.method ?? "GET",
          headers: Object.entries(req.headers).filter((e): e is [string, string] => typeof e[1] === "string"),
          ...(req.method === "POST" ? { body: Buffer.concat(chunks) } : {}),
        });
        const handler = (req.method === "GET" ? loader : action) as (args: unknown) => Promise<Response>;
        const response = await handler({ request, params: { connectionId: connection.id }, context: {} });
        res.writeHead(response.status, Object.fromEntries(response.headers)).end(Buffer.from(await response.arrayBuffer()));
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/ebay/account-deletion/${connection.id}`;
  await ingestOrder(database.db, {
    shopId,
    order: makeOrder({ channel: "ebay", externalId: "27-11111-22222", number: "27-11111-22222", customer: { externalId: "closing_buyer", email: "c@example.com", name: "Closing Buyer" }, lines: [line("MUG", 1)] }),
    actor: "test",
  });
});
afterAll(async () => {
  setDatabaseForTests(undefined);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await sandbox.stop();
});

describe("eBay marketplace account deletion endpoint", () => {
  it("answers eBay's challenge", async () => {
    expect(await sandbox.verifyEndpoint(endpoint, TOKEN)).toBe(true);
    expect(await sandbox.verifyEndpoint(endpoint, "another-token-another-token-another")).toBe(false);
  });

  it("refuses an unverifiable notification with 412 and changes nothing", async () => {
    expect(await sandbox.sendAccountDeletion(endpoint, { username: "closing_buyer", userId: "u1" }, { tamper: true })).toEqual({ status: 412 });
    const [order] = await database.db.select().from(orders).where(eq(orders.externalId, "27-11111-22222"));
    expect(order!.customerEmail).toBe("c@example.com");
    const unsigned = await fetch(endpoint, { method: "POST", body: "{}", headers: { "Content-Type": "application/json" } });
    expect(unsigned.status).toBe(401);
  });

  it("erases the buyer's personal data from their orders once, on a verified notification", async () => {
    expect(await sandbox.sendAccountDeletion(endpoint, { username: "closing_buyer", userId: "u1" })).toEqual({ status: 204 });
    const [order] = await database.db.select().from(orders).where(eq(orders.externalId, "27-11111-22222"));
    expect(order).toMatchObject({ customerEmail: null, customerName: null, customerExternalId: null, shippingAddress: null, number: "27-11111-22222" });
    const recorded = await database.db
      .select()
      .from(webhookDeliveries)
      .where(and(eq(webhookDeliveries.shopId, shopId), eq(webhookDeliveries.topic, "MARKETPLACE_ACCOUNT_DELETION")));
    expect(recorded.map((r) => [r.status, JSON.stringify(r.payload).includes("closing_buyer")])).toEqual([["processed", false]]);
  });
});
