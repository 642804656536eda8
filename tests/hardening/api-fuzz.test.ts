import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { loader as ordersApi } from "../../app/routes/api.v1.orders";
import { loader as orderApi } from "../../app/routes/api.v1.orders.$id";
import { loader as inventoryApi } from "../../app/routes/api.v1.inventory";
import { loader as locationsApi } from "../../app/routes/api.v1.locations";
import { loader as ordersPage, action as ordersBulk } from "../../app/routes/app.orders._index";
import { loader as orderPage, action as orderAction } from "../../app/routes/app.orders.$id";
import { loader as inventoryPage } from "../../app/routes/app.inventory._index";
import { loader as variantPage, action as variantAction } from "../../app/routes/app.inventory.$variantId";
import { loader as exceptionsPage, action as exceptionsAction } from "../../app/routes/app.exceptions";
import { loader as locationsPage } from "../../app/routes/app.locations._index";
import { loader as locationPage, action as locationAction } from "../../app/routes/app.locations.$id";
import { createApiToken } from "../../db/repositories/api-token-repository";
import { ingestOrder } from "../../db/repositories/order-ingest-repository";
import { adminPostHeaders, TEST_ORIGIN, useDemoAdmin } from "../../app/test/route-test-kit";
import { createLocation, createVariant, ledgerMismatches, line, makeOrder, receive } from "../helpers/ledger-fixtures";

/**
 * Property fuzzing of every integration API route and the admin's pages and actions: any query,
 * path parameter or form answers 2xx, 3xx or 4xx (never 5xx), and the ledger is never left
 * half-written (balances equal the sums of their movements after every run).
 */
const context = useDemoAdmin();
let token: string;
const ids: Record<"order" | "variant" | "location", string> = { order: "", variant: "", location: "" };

beforeAll(async () => {
  const { db } = context.database;
  const shopId = context.demoShop.id;
  token = await createApiToken(db, shopId, "fuzz");
  const location = await createLocation(db, shopId);
  const variant = await createVariant(db, shopId, "FUZZ-SKU");
  await receive(db, shopId, variant.id, location.id, 1000);
  const order = await ingestOrder(db, { shopId, actor: "test", order: makeOrder({ externalId: "fuzz-1", lines: [line("FUZZ-SKU", 1)] }) });
  Object.assign(ids, { order: order.orderId, variant: variant.id, location: location.id });
});

type Handler = (args: any) => Promise<Response>;
async function status(handler: Handler, request: Request, params: Record<string, string>): Promise<number> {
  try {
    return (await handler({ request, params, context: {} })).status;
  } catch (thrown) {
    if (thrown instanceof Response) return thrown.status;
    throw thrown;
  }
}

/** Values people, scripts and attackers put in parameters. */
const nasty = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: "binary", maxLength: 20 }),
  fc.constantFrom("", " ", "%00", "\u0000", "-".repeat(36), "0", "-1", "3000000000", "1e30", "NaN", "Infinity", "+010000-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "2026-02-31", "0000-01-01", "null", "[]", "{}", "'; DROP TABLE orders; --", "%", "_", "\\"),
  fc.integer().map(String),
  fc.double().map(String),
  fc.uuid(),
  fc.date({ noInvalidDate: false }).map((d) => (Number.isNaN(d.getTime()) ? "Invalid" : d.toISOString())),
  fc.base64String({ maxLength: 80 }),
);
const known = () => fc.constantFrom(ids.order, ids.variant, ids.location);
const param = fc.oneof(nasty, known());

function query(entries: [string, string][]): string {
  const search = new URLSearchParams();
  for (const [key, value] of entries) search.append(key, value);
  return search.toString();
}
const queryOf = (keys: string[]) => fc.array(fc.tuple(fc.oneof(fc.constantFrom(...keys), fc.string({ maxLength: 10 })), nasty), { maxLength: 6 });

describe("integration API under fuzzing", () => {
  it("answers any query and id with 2xx or 4xx", async () => {
    const routes: [Handler, string, string[]][] = [
      [ordersApi, "/api/v1/orders", ["channel", "status", "updated_since", "limit", "cursor"]],
      [inventoryApi, "/api/v1/inventory", ["sku"]],
      [locationsApi, "/api/v1/locations", []],
      [orderApi, "/api/v1/orders/x", []],
    ];
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: routes.length - 1 }), queryOf(["channel", "status", "updated_since", "limit", "cursor", "sku"]), param, async (which, entries, id) => {
        const [handler, path] = routes[which]!;
        const request = new Request(`http://localhost${path}?${query(entries)}`, { headers: { Authorization: `Bearer ${token}` } });
        const code = await status(handler, request, { id });
        expect(code, `${path}?${query(entries)} id=${id}`).toBeLessThan(500);
      }),
      { numRuns: 300 },
    );
  });
});

describe("admin under fuzzing", () => {
  it("answers any page query or path parameter with 2xx, 3xx or 4xx", async () => {
    const pages: [Handler, string, string[], string?][] = [
      [ordersPage, "/app/orders", ["channel", "status", "location", "from", "to", "q", "cursor", "direction"]],
      [orderPage, "/app/orders/x", [], "id"],
      [inventoryPage, "/app/inventory", ["q", "cursor", "direction"]],
      [variantPage, "/app/inventory/x", ["before"], "variantId"],
      [exceptionsPage, "/app/exceptions", ["kind", "after"]],
      [locationsPage, "/app/locations", []],
      [locationPage, "/app/locations/x", [], "id"],
    ];
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: pages.length - 1 }), queryOf(["channel", "status", "from", "to", "q", "cursor", "before", "after", "kind", "direction", "location"]), param, async (which, entries, id) => {
        const [handler, path, , paramName] = pages[which]!;
        const request = new Request(`${TEST_ORIGIN}${path}?${query(entries)}`);
        const code = await status(handler, request, paramName ? { [paramName]: id } : {});
        expect(code, `${path}?${query(entries)} ${paramName}=${id}`).toBeLessThan(500);
      }),
      { numRuns: 300 },
    );
  });

  it("answers any admin form with 2xx or 4xx and never leaves the ledger half-written", async () => {
    const actions: [Handler, string, string[], string?][] = [
      [variantAction, "/app/inventory/x", ["mode", "quantity", "locationId", "reason"], "variantId"],
      [orderAction, "/app/orders/x", ["intent", "carrier", "trackingNumber", "trackingUrl"], "id"],
      [ordersBulk, "/app/orders", ["intent", "orderIds"]],
      [exceptionsAction, "/app/exceptions", ["intent", "exceptionId"]],
      [locationAction, "/app/locations/x", ["name", "kind", "address1", "city", "countryCode", "latitude", "longitude", "dailyCapacity", "priority", "canShip", "active"], "id"],
    ];
    const formValue = fc.oneof(nasty, known(), fc.constantFrom("delta", "set", "cancel", "hold", "fulfil", "retry", "resolve", "UPS", "warehouse", "US", "on"));
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: actions.length - 1 }),
        fc.array(fc.tuple(fc.nat({ max: 10 }), formValue), { maxLength: 8 }),
        param,
        async (which, fields, id) => {
          const [handler, path, names, paramName] = actions[which]!;
          const body = new URLSearchParams();
          for (const [index, value] of fields) body.append(names[index % names.length]!, value);
          const request = new Request(`${TEST_ORIGIN}${path}`, { method: "POST", body, headers: adminPostHeaders() });
          const code = await status(handler, request, paramName ? { [paramName]: id } : {});
          expect(code, `${path} ${body.toString()} ${paramName}=${id}`).toBeLessThan(500);
        },
      ),
      { numRuns: 200 },
    );
    expect(await ledgerMismatches(context.database.db, context.demoShop.id)).toEqual([]);
  });
});
