import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { ingestOrder } from "../../db/repositories/order-ingest-repository";
import { orders } from "../../db/schema";
import { action as orderAction } from "../../app/routes/app.orders.$id";
import { loader as appLoader } from "../../app/routes/app";
import { issueToken } from "../../app/auth/admin-request-guard.server";
import { CSRF_COOKIE, CSRF_HEADER } from "../../app/auth/csrf-names";
import { adminPostHeaders, TEST_ORIGIN, thrownResponse, useDemoAdmin } from "../../app/test/route-test-kit";
import { createLocation, createVariant, line, makeOrder, receive } from "../helpers/ledger-fixtures";

/**
 * Issue 7: a POST to /app/orders/<id>?_data=… from https://evil.example cancelled the order.
 * Every admin write now needs the admin's own Origin and, in demo mode, the CSRF token.
 */
const context = useDemoAdmin();
let orderId: string;

beforeAll(async () => {
  const { db } = context.database;
  const shopId = context.demoShop.id;
  const location = await createLocation(db, shopId);
  const variant = await createVariant(db, shopId, "CSRF-TEE");
  await receive(db, shopId, variant.id, location.id, 10);
  orderId = (await ingestOrder(db, { shopId, actor: "test", order: makeOrder({ externalId: "csrf-1", lines: [line("CSRF-TEE", 1)] }) })).orderId;
});

function cancel(headers: Record<string, string>) {
  const request = new Request(`${TEST_ORIGIN}/app/orders/${orderId}?_data=routes%2Fapp.orders.%24id`, {
    method: "POST",
    body: new URLSearchParams({ intent: "cancel" }),
    headers,
  });
  return orderAction({ request, params: { id: orderId }, context: {} });
}

async function status() {
  const [row] = await context.database.db.select({ status: orders.status }).from(orders).where(eq(orders.id, orderId));
  return row!.status;
}

describe("admin actions refuse cross-site requests", () => {
  it("refuses a data request from another origin, even with a valid token", async () => {
    const response = await thrownResponse(cancel(adminPostHeaders("https://evil.example")));
    expect(response.status).toBe(403);
    expect(await status()).not.toBe("cancelled");
  });

  it("refuses a write with neither Origin nor Referer", async () => {
    const token = issueToken();
    const response = await thrownResponse(cancel({ Cookie: `${CSRF_COOKIE}=${token}`, [CSRF_HEADER]: token }));
    expect(response.status).toBe(403);
  });

  it("refuses a same-origin write without the demo's CSRF token, or with a forged one", async () => {
    expect((await thrownResponse(cancel({ Origin: TEST_ORIGIN }))).status).toBe(403);
    const forged = "bm9uY2U.c2lnbmF0dXJl";
    expect((await thrownResponse(cancel({ Origin: TEST_ORIGIN, Cookie: `${CSRF_COOKIE}=${forged}`, [CSRF_HEADER]: forged }))).status).toBe(403);
    // The header must echo the cookie: a token from another browser does not do.
    expect((await thrownResponse(cancel({ ...adminPostHeaders(), [CSRF_HEADER]: issueToken() }))).status).toBe(403);
    expect(await status()).not.toBe("cancelled");
  });

  it("accepts the admin's own write with the token in the header or the _csrf form field", async () => {
    const response = await cancel(adminPostHeaders());
    expect(response.status).toBe(200);
    expect(await status()).toBe("cancelled");

    const token = issueToken();
    const viaField = new Request(`${TEST_ORIGIN}/app/orders/${orderId}`, {
      method: "POST",
      body: new URLSearchParams({ intent: "cancel", _csrf: token }),
      headers: { Origin: TEST_ORIGIN, Cookie: `${CSRF_COOKIE}=${token}` },
    });
    // Already cancelled: refused as a state change (409), not as a forgery (403).
    expect((await orderAction({ request: viaField, params: { id: orderId }, context: {} })).status).toBe(409);
  });

  it("hands the admin a signed token cookie, and only once", async () => {
    const first = await appLoader({ request: new Request(`${TEST_ORIGIN}/app`), params: {}, context: {} });
    const cookie = first.headers.get("Set-Cookie");
    expect(cookie).toMatch(new RegExp(`^${CSRF_COOKIE}=[\\w-]+\\.[\\w-]+; Path=/; SameSite=Strict`));
    const token = cookie!.split(";")[0]!.split("=")[1]!;
    const again = await appLoader({ request: new Request(`${TEST_ORIGIN}/app`, { headers: { Cookie: `${CSRF_COOKIE}=${token}` } }), params: {}, context: {} });
    expect(again.headers.get("Set-Cookie")).toBeNull();
  });
});
