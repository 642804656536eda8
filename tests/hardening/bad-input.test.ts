import { beforeAll, describe, expect, it } from "vitest";
import { loader as ordersApi } from "../../app/routes/api.v1.orders";
import { loader as orderApi } from "../../app/routes/api.v1.orders.$id";
import { loader as inventoryApi } from "../../app/routes/api.v1.inventory";
import { loader as ordersPage } from "../../app/routes/app.orders._index";
import { loader as exceptionsPage } from "../../app/routes/app.exceptions";
import { action as variantAction, loader as variantPage } from "../../app/routes/app.inventory.$variantId";
import { loader as inventoryPage } from "../../app/routes/app.inventory._index";
import { createApiToken } from "../../db/repositories/api-token-repository";
import { decimalToMinorUnits } from "../../core/shared/decimal-money";
import { unifiedOrderSchema } from "../../core/orders/unified-order";
import { callAction, callLoader, useDemoAdmin } from "../../app/test/route-test-kit";
import { createLocation, createVariant, makeOrder, line, receive } from "../helpers/ledger-fixtures";

/**
 * Issue 7 "500s from the read API and admin": each case it listed, now a 4xx naming the field.
 */
const context = useDemoAdmin();
let token: string;
let variantId: string;
let locationId: string;

beforeAll(async () => {
  const { db } = context.database;
  token = await createApiToken(db, context.demoShop.id, "ERP");
  const location = await createLocation(db, context.demoShop.id);
  const variant = await createVariant(db, context.demoShop.id, "BOUND-SKU");
  await receive(db, context.demoShop.id, variant.id, location.id, 5);
  variantId = variant.id;
  locationId = location.id;
});

type Loader = (args: any) => Promise<Response>;
async function api(loader: Loader, path: string, params: Record<string, string> = {}) {
  const request = new Request(`http://localhost${path}`, { headers: { Authorization: `Bearer ${token}` } });
  try {
    return await loader({ request, params, context: {} });
  } catch (thrown) {
    if (thrown instanceof Response) return thrown;
    throw thrown;
  }
}
async function page(loader: Loader, path: string, params: Record<string, string> = {}) {
  try {
    return await callLoader(loader, path, params);
  } catch (thrown) {
    if (thrown instanceof Response) return thrown;
    throw thrown;
  }
}
const cursor = (parts: unknown) => Buffer.from(JSON.stringify(parts)).toString("base64url");
const pipeCursor = (text: string) => Buffer.from(text).toString("base64url");

describe("integration API", () => {
  it.each([
    ["updated_since past year 9999", "/api/v1/orders?updated_since=%2B010000-01-01T00:00:00Z", "updated_since"],
    ["updated_since 10000-01-01", "/api/v1/orders?updated_since=10000-01-01", "updated_since"],
    ["updated_since an hour past 9999", "/api/v1/orders?updated_since=9999-12-31T23:00:00-05:00", "updated_since"],
    ["%00 in sku", "/api/v1/inventory?sku=A%00B", "sku"],
    ["limit beyond int", "/api/v1/orders?limit=1e400", "limit"],
  ])("refuses %s with 400 naming the parameter", async (_case, path, parameter) => {
    const response = await api(path.startsWith("/api/v1/inventory") ? inventoryApi : ordersApi, path);
    expect(response.status).toBe(400);
    const body = await response.json();
    expect(body.error.details.map((d: { parameter: string }) => d.parameter)).toContain(parameter);
  });

  it.each([
    ["month 13 in the cursor's timestamp", cursor(["2026-13-01 00:00:00+00", "00000000-0000-4000-8000-000000000000"])],
    ["hour 25 in the cursor's timestamp", cursor(["2026-01-01 25:00:00+00", "00000000-0000-4000-8000-000000000000"])],
    ["year 0 in the cursor's timestamp", cursor(["0000-01-01 00:00:00+00", "00000000-0000-4000-8000-000000000000"])],
    ["an id of 36 dashes", cursor(["2026-01-01 00:00:00+00", "-".repeat(36)])],
  ])("refuses a cursor with %s as invalid_cursor", async (_case, value) => {
    const response = await api(ordersApi, `/api/v1/orders?cursor=${value}`);
    expect(response.status).toBe(400);
    expect((await response.json()).error.code).toBe("invalid_cursor");
  });

  it("answers 404 for an order id of 36 dashes", async () => {
    expect((await api(orderApi, "/api/v1/orders/x", { id: "-".repeat(36) })).status).toBe(404);
  });
});

describe("admin", () => {
  it.each([
    ["a cursor of year 275760", ordersPage, `/app/orders?cursor=${pipeCursor(`+275760-09-13T00:00:00.000Z|00000000-0000-4000-8000-000000000000`)}`],
    ["a cursor id of 36 dashes", ordersPage, `/app/orders?cursor=${pipeCursor(`2026-01-01T00:00:00.000Z|${"-".repeat(36)}`)}`],
    ["February 31st", ordersPage, "/app/orders?from=2026-02-31"],
    ["year 0", ordersPage, "/app/orders?from=0000-01-01"],
    ["%00 in the search", ordersPage, "/app/orders?q=a%00b"],
    ["%00 in the inventory search", inventoryPage, "/app/inventory?q=a%00b"],
    ["an exceptions cursor of 36 dashes", exceptionsPage, `/app/exceptions?after=${pipeCursor(`2026-01-01T00:00:00.000Z|${"-".repeat(36)}`)}`],
  ])("answers %s without a 5xx", async (_case, loader, path) => {
    const response = await page(loader as Loader, path);
    expect(response.status).toBeLessThan(500);
  });

  it("refuses a movement page beyond bigint with 400", async () => {
    const response = await page(variantPage, `/app/inventory/${variantId}?before=1e30`, { variantId });
    expect(response.status).toBe(400);
  });

  it("refuses a stock adjustment of 3,000,000,000 with 400 on the quantity field", async () => {
    const response = await callAction(variantAction, `/app/inventory/${variantId}`, { mode: "delta", quantity: "3000000000", locationId, reason: "count" }, { variantId });
    expect(response.status).toBe(400);
    expect((await response.json()).errors.quantity).toMatch(/at most 2,147,483,647/);
  });

  it("refuses an adjustment that would push on hand past int4 as a refusal, not a crash", async () => {
    const response = await callAction(variantAction, `/app/inventory/${variantId}`, { mode: "delta", quantity: "2147483647", locationId, reason: "count" }, { variantId });
    expect(response.status).toBe(409);
  });

  it("refuses %00 in a form field with 400 naming it", async () => {
    try {
      await callAction(variantAction, `/app/inventory/${variantId}`, { mode: "delta", quantity: "1", locationId, reason: "count\u0000" }, { variantId });
      expect.unreachable("a NUL in a form field must be refused");
    } catch (thrown) {
      expect(thrown).toBeInstanceOf(Response);
      expect((thrown as Response).status).toBe(400);
      expect((await (thrown as Response).json()).field).toBe("reason");
    }
  });
});

describe("currencies", () => {
  it("accepts ISO 4217 codes with their minor units and refuses any other three letters", () => {
    expect(decimalToMinorUnits("1.5", "KWD")).toMatchObject({ ok: true, value: 1500 });
    expect(decimalToMinorUnits("1.2345", "CLF")).toMatchObject({ ok: true, value: 12345 });
    expect(decimalToMinorUnits("100", "jpy")).toMatchObject({ ok: true, value: 100 });
    expect(decimalToMinorUnits("1.00", "ABC")).toMatchObject({ ok: false, reason: "unknown_currency" });
    const order = makeOrder({ lines: [line("X", 1)] });
    expect(unifiedOrderSchema.safeParse({ ...order, currency: "usd" })).toMatchObject({ success: true, data: { currency: "USD" } });
    const refused = unifiedOrderSchema.safeParse({ ...order, currency: "ZZZ" });
    expect(refused.success).toBe(false);
    expect(JSON.stringify(refused.error?.issues)).toMatch(/currency/);
  });
});
