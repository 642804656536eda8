import { afterEach, describe, expect, it } from "vitest";
import { ok } from "../../../core/shared/result.js";
import type { AmazonCredentials } from "../amazon-connection-config.js";
import { pollAmazonReturns } from "../returns/amazon-returns-report.js";
import { SpApiBuckets, SpApiClient } from "../sp-api-client.js";
import { confirmShipment } from "./amazon-sandbox-orders.js";
import { startAmazonSandbox, type AmazonSandbox } from "./amazon-sandbox.server.js";

/** The returns report of the sandbox, read by the connector through the official client over real HTTP. */

const SELLER = "A2SBXRETURNS";
const LWA = { clientId: "amzn1.application-oa2-client.ret", clientSecret: "ret-secret", refreshToken: "Atzr|ret" };
let sandbox: AmazonSandbox | undefined;
afterEach(async () => {
  await sandbox?.stop();
  sandbox = undefined;
});

async function setup() {
  let clock = Date.parse("2026-11-30T12:00:00Z");
  const now = () => clock;
  sandbox = await startAmazonSandbox({ port: 0, sellerId: SELLER, ...LWA, now, log: () => {}, reportProcessingDelayMs: 30_000, listings: [{ sku: "MUG", title: "Mug", price: "12.50", quantity: 20 }] });
  const token = (await (await fetch(`${sandbox.url}/auth/o2/token`, { method: "POST", body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: LWA.refreshToken, client_id: LWA.clientId, client_secret: LWA.clientSecret }) })).json()) as { access_token: string };
  const credentials: AmazonCredentials = { ...LWA, accessToken: token.access_token, accessTokenExpiresAt: new Date(clock + 3_000_000).toISOString() };
  const client = new SpApiClient({ settings: { region: "na", marketplaceId: "ATVPDKIKX0DER", sellerId: SELLER, baseUrl: sandbox.url, productType: "PRODUCT", feedThreshold: 20 }, tokens: { current: async () => ok(credentials), renew: async () => ok(credentials) }, now, buckets: new SpApiBuckets(now) });
  const shipped = () => {
    const order = sandbox!.generateOrder({ items: [{ sku: "MUG", quantity: 2 }] })!;
    const outcome = confirmShipment(sandbox!.state, order.orderId, { packageReferenceId: "1", carrierCode: "USPS", trackingNumber: "9400", shipDate: new Date(clock).toISOString(), orderItems: order.items.map((i) => ({ orderItemId: i.orderItemId, quantity: i.quantityOrdered })) }, clock);
    expect(outcome.ok).toBe(true);
    return order;
  };
  return { sandbox, client, shipped, advance: (ms: number) => void (clock += ms), now };
}

describe("Amazon sandbox returns report", () => {
  it("prepares the report, answers DONE with the flat file, and the connector reads every return", async () => {
    const { sandbox, client, shipped, advance, now } = await setup();
    expect(sandbox.returns.generateReturn()).toBeUndefined();
    const orders = [shipped(), shipped()];
    advance(60_000);
    const a = sandbox.returns.generateReturn({ orderId: orders[0]!.orderId })!;
    const b = sandbox.returns.generateReturn({ orderId: orders[1]!.orderId })!;
    sandbox.returns.advance(); // both approved with a prepaid label
    sandbox.returns.advance(); // both delivered back
    advance(60_000);

    let cursor: string | null = JSON.stringify({ from: "2026-11-29T00:00:00.000Z" });
    const created = await pollAmazonReturns(client, { marketplaceId: "ATVPDKIKX0DER" }, cursor, { now: now() });
    if (!created.ok) throw new Error(created.detail);
    cursor = created.value.nextCursor;
    expect(JSON.parse(cursor)).toMatchObject({ reportId: expect.any(String) });
    const queued = await pollAmazonReturns(client, { marketplaceId: "ATVPDKIKX0DER" }, cursor, { now: now() });
    expect(queued.ok && queued.value.nextCursor).toBe(cursor);

    advance(30_000);
    const done = await pollAmazonReturns(client, { marketplaceId: "ATVPDKIKX0DER" }, cursor, { now: now() });
    if (!done.ok) throw new Error(done.detail);
    expect(done.value.rejected).toEqual([]);
    expect(done.value.returns.map((r) => r.record)).toEqual([
      expect.objectContaining({ externalReturnId: a.rmaId, externalOrderId: orders[0]!.orderId, stage: "received", lines: [expect.objectContaining({ sku: "MUG", quantity: 1 })] }),
      expect.objectContaining({ externalReturnId: b.rmaId, externalOrderId: orders[1]!.orderId, stage: "received" }),
    ]);
    expect(sandbox.calls.get("reports_2021-06-30.json:createReport")).toEqual({ total: 1, throttled: 0 });
  });

  it("cancels a report with no returns in its window, and refuses another report type", async () => {
    const { sandbox, client, advance, now } = await setup();
    const created = await pollAmazonReturns(client, { marketplaceId: "ATVPDKIKX0DER" }, JSON.stringify({ from: "2026-11-29T00:00:00.000Z" }), { now: now() });
    if (!created.ok) throw new Error(created.detail);
    advance(31_000);
    const cancelled = await pollAmazonReturns(client, { marketplaceId: "ATVPDKIKX0DER" }, created.value.nextCursor, { now: now() });
    expect(cancelled.ok && JSON.parse(cancelled.value.nextCursor).from).toBe("2026-11-30T12:00:00.000Z");
    const other = await client.call("reports_2021-06-30.json:createReport", { body: { reportType: "GET_MERCHANT_LISTINGS_ALL_DATA", marketplaceIds: ["ATVPDKIKX0DER"] } });
    expect(other).toMatchObject({ ok: false, reason: "rejected" });
    expect(sandbox.returns.returns.size).toBe(0);
  });
});
