import { sql } from "drizzle-orm";
import { SignJWT } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { shipReservedOrder } from "../../db/repositories/fulfillment-repository";
import { ingestOrder } from "../../db/repositories/order-ingest-repository";
import { createLocation, createVariant, line, makeOrder, receive } from "../../tests/helpers/ledger-fixtures";
import { DEMO_WEBHOOK_SECRET } from "../config/demo-mode.server";
import { DEMO_CLIENT_ID } from "../auth/storefront-auth.server";
import { action, loader } from "../routes/api.customer-account.returns";
import { TEST_ORIGIN, useDemoAdmin } from "./route-test-kit";

const context = useDemoAdmin();
const CUSTOMER = "gid://shopify/Customer/7001";
const ORDER = "gid://shopify/Order/880001";

beforeAll(async () => {
  const { db } = context.database;
  const shopId = context.demoShop.id;
  const location = await createLocation(db, shopId, { name: "DC" });
  const variant = await createVariant(db, shopId, "SOCK-3PK");
  await receive(db, shopId, variant.id, location.id, 10);
  const order = await ingestOrder(db, {
    shopId,
    actor: "test",
    order: makeOrder({ externalId: ORDER, number: "#4001", customer: { externalId: CUSTOMER, email: "ada@example.com" }, lines: [line("SOCK-3PK", 3)] }),
  });
  await shipReservedOrder(db, { shopId, orderId: order.orderId, actor: "test", confirmOnChannel: false, shipment: () => ({ carrier: "UPS", service: "Ground", trackingNumber: "1Z3" }) });
  await db.execute(sql`UPDATE shipments SET delivered_at = now() - interval '1 day' WHERE order_id = ${order.orderId}`);
});

async function token(claims: { secret?: string; aud?: string; dest?: string; sub?: string; expiresIn?: string } = {}) {
  return new SignJWT({ dest: claims.dest ?? "https://switchyard-demo.myshopify.com" })
    .setProtectedHeader({ alg: "HS256" })
    .setAudience(claims.aud ?? DEMO_CLIENT_ID)
    .setSubject(claims.sub ?? CUSTOMER)
    .setIssuedAt(Math.floor(Date.now() / 1000) - 120)
    .setExpirationTime(claims.expiresIn ?? "5m")
    .sign(new TextEncoder().encode(claims.secret ?? DEMO_WEBHOOK_SECRET));
}

const get = async (bearer: string, order = ORDER): Promise<Response> =>
  loader({ request: new Request(`${TEST_ORIGIN}/api/customer-account/returns?order=${encodeURIComponent(order)}`, { headers: { Authorization: `Bearer ${bearer}` } }), params: {}, context: {} });
const post = async (bearer: string, body: unknown): Promise<Response> =>
  action({
    request: new Request(`${TEST_ORIGIN}/api/customer-account/returns`, { method: "POST", headers: { Authorization: `Bearer ${bearer}`, "Content-Type": "application/json" }, body: JSON.stringify(body) }),
    params: {},
    context: {},
  });

describe("customer-account returns API", () => {
  it("shows the customer's own order with what can be returned, and the reasons to choose from", async () => {
    const response = await get(await token());
    expect(response.status).toBe(200);
    expect(response.headers.get("Access-Control-Allow-Origin")).toBe("*");
    const body = (await response.json()) as { orderId?: string; reasons: unknown[] };
    expect(body).toMatchObject({ number: "#4001", lines: [expect.objectContaining({ title: "SOCK-3PK", returnable: 3 })] });
    expect(body.orderId).toBeUndefined();
    expect(body.reasons.length).toBeGreaterThan(5);
  });

  it.each([
    ["no token", async () => ""],
    ["a forged token", () => token({ secret: "someone-else" })],
    ["an expired token", () => token({ expiresIn: "-1m" })],
    ["another app's token", () => token({ aud: "another-app" })],
    ["a token for a shop that does not use Switchyard", () => token({ dest: "https://elsewhere.myshopify.com" })],
  ])("answers 401 to %s", async (_name, make) => {
    const response = await get(await make());
    expect(response.status).toBe(401);
  });

  it("answers 404 for another customer's order, as for one that does not exist", async () => {
    expect((await get(await token({ sub: "gid://shopify/Customer/9999" }))).status).toBe(404);
    expect((await get(await token(), "gid://shopify/Order/1"))).toHaveProperty("status", 404);
  });

  it("quotes, then requests, a return; a second request for the same units is refused with the reason", async () => {
    const bearer = await token();
    const lineId = (await (await get(bearer)).json()).lines[0].id;
    const request = { order: ORDER, resolution: "store_credit", lines: [{ orderLineId: lineId, quantity: 3, reason: "unwanted" }] };
    const quoted = await post(bearer, { ...request, confirm: false });
    expect(quoted.status).toBe(200);
    expect((await quoted.json()).quote).toMatchObject({ acceptable: true, payoutMinor: 3 * 1999 });

    const created = await post(bearer, { ...request, confirm: true });
    expect(created.status).toBe(201);
    expect((await created.json()).rmaNumber).toBe("#4001-R1");

    const again = await post(bearer, { ...request, confirm: true });
    expect(again.status).toBe(409);
    expect((await again.json()).error.message).toMatch(/already being returned/);
  });

  it("refuses a malformed request with the field named, and answers the CORS preflight", async () => {
    const bad = await post(await token(), { order: ORDER, resolution: "cash", lines: [] });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.message).toMatch(/resolution/);
    const preflight: Response = await action({ request: new Request(`${TEST_ORIGIN}/api/customer-account/returns`, { method: "OPTIONS" }), params: {}, context: {} });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("Access-Control-Allow-Headers")).toContain("Authorization");
  });
});
