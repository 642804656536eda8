import { eq, sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { signAppProxyQuery } from "../../connectors/shopify/sandbox/app-proxy-signer";
import { shipReservedOrder } from "../../db/repositories/fulfillment-repository";
import { ingestOrder } from "../../db/repositories/order-ingest-repository";
import { returns } from "../../db/schema";
import { createLocation, createVariant, line, makeOrder, receive } from "../../tests/helpers/ledger-fixtures";
import { DEMO_WEBHOOK_SECRET } from "../config/demo-mode.server";
import { action, loader } from "../routes/apps.returns";
import { TEST_ORIGIN, useDemoAdmin } from "./route-test-kit";

const context = useDemoAdmin();
const SHOP = "switchyard-demo.myshopify.com";

beforeAll(async () => {
  const { db } = context.database;
  const shopId = context.demoShop.id;
  const store = await createLocation(db, shopId, { name: "Store" });
  const red = await createVariant(db, shopId, "TEE-RED-M");
  const blue = await createVariant(db, shopId, "TEE-BLUE-M");
  // Same product, so blue is offered as the exchange for red.
  await db.execute(sql`UPDATE variants SET product_id = (SELECT product_id FROM variants WHERE id = ${red.id}) WHERE id = ${blue.id}`);
  await receive(db, shopId, red.id, store.id, 5);
  await receive(db, shopId, blue.id, store.id, 5);
  const order = await ingestOrder(db, {
    shopId,
    actor: "test",
    order: makeOrder({ externalId: "P-1", number: "#3001", customer: { name: "Grace Hopper", email: "grace@example.com" }, lines: [line("TEE-RED-M", 2)] }),
  });
  await shipReservedOrder(db, { shopId, orderId: order.orderId, actor: "test", confirmOnChannel: false, shipment: () => ({ carrier: "UPS", service: "Ground", trackingNumber: "1Z2" }) });
  await db.execute(sql`UPDATE shipments SET delivered_at = now() - interval '2 days' WHERE order_id = ${order.orderId}`);
});

function signedUrl(overrides: { secret?: string; now?: Date } = {}) {
  const query = signAppProxyQuery(new URLSearchParams(), { shopDomain: SHOP, pathPrefix: "/apps/returns", secret: overrides.secret ?? DEMO_WEBHOOK_SECRET, now: overrides.now });
  return `${TEST_ORIGIN}/apps/returns?${query}`;
}

async function post(form: Record<string, string>, url = signedUrl(), ip = "203.0.113.7") {
  const body = new URLSearchParams(form);
  const request = new Request(url, { method: "POST", body, headers: { "Content-Type": "application/x-www-form-urlencoded", "X-Forwarded-For": ip } });
  const response = await action({ request, params: {}, context: {} });
  return { status: response.status, html: await response.text() };
}

const ticketIn = (html: string) => /name="ticket" value="([^"]+)"/.exec(html)![1]!;

describe("storefront returns portal", () => {
  it("answers 401 to requests the app proxy did not sign, signed with another secret, tampered or stale", async () => {
    const call = (url: string) => loader({ request: new Request(url), params: {}, context: {} });
    expect((await call(`${TEST_ORIGIN}/apps/returns?shop=${SHOP}`)).status).toBe(401);
    expect((await call(signedUrl({ secret: "not-the-secret" }))).status).toBe(401);
    expect((await call(signedUrl().replace(SHOP, "other-shop.myshopify.com"))).status).toBe(401);
    expect((await call(signedUrl({ now: new Date(Date.now() - 10 * 60_000) }))).status).toBe(401);
    const ok = await call(signedUrl());
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain("Start a return");
  });

  it("answers a wrong email exactly as it answers an order that does not exist", async () => {
    const wrongEmail = await post({ intent: "lookup", orderNumber: "#3001", email: "someone@example.com" }, undefined, "198.51.100.1");
    const missing = await post({ intent: "lookup", orderNumber: "#9999", email: "grace@example.com" }, undefined, "198.51.100.1");
    expect(wrongEmail).toEqual(missing);
    expect(wrongEmail.html).toContain("could not find an order");
  });

  it("limits lookups per client address", async () => {
    const attempts = [];
    for (let i = 0; i < 22; i++) attempts.push((await post({ intent: "lookup", orderNumber: `#${5000 + i}`, email: "x@example.com" }, undefined, "192.0.2.99")).status);
    expect(attempts.slice(0, 20).every((s) => s === 200)).toBe(true);
    expect(attempts.slice(20)).toEqual([429, 429]);
  });

  it("walks a guest from lookup to a requested exchange, showing the outcome before submitting", async () => {
    const found = await post({ intent: "lookup", orderNumber: "3001", email: "GRACE@example.com" });
    expect(found.status).toBe(200);
    expect(found.html).toContain("Return items from order #3001");
    expect(found.html).toContain("TEE-BLUE-M");
    const ticket = ticketIn(found.html);
    const lineId = /name="qty:([0-9a-f-]{36})"/.exec(found.html)![1]!;
    const blueId = /<option value="([0-9a-f-]{36})">[^<]*TEE-BLUE-M/.exec(found.html)![1]!;

    const quoted = await post({ intent: "quote", ticket, resolution: "exchange", [`qty:${lineId}`]: "1", [`reason:${lineId}`]: "size_too_small", [`exchange:${lineId}`]: blueId });
    expect(quoted.status).toBe(200);
    expect(quoted.html).toContain("Your exchange, at no cost");
    const request = /name="request" value="([^"]+)"/.exec(quoted.html)![1]!.replaceAll("&quot;", '"');

    const submitted = await post({ intent: "submit", ticket, request });
    expect(submitted.status).toBe(200);
    expect(submitted.html).toMatch(/Return #3001-R1 requested/);
    const [row] = await context.database.db.select().from(returns).where(eq(returns.rmaNumber, "#3001-R1"));
    expect(row).toMatchObject({ resolution: "exchange", source: "portal", status: "requested" });
  });

  it("refuses a forged ticket and never trusts a bare order id", async () => {
    const forged = await post({ intent: "view", ticket: "eyJzaG9wSWQiOiJ4In0.AAAA" });
    expect(forged.status).toBe(401);
    expect(forged.html).toContain("Look your order up again");
  });
});
