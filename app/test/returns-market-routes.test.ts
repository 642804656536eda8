import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { shipReservedOrder } from "../../db/repositories/fulfillment-repository";
import { ingestOrder } from "../../db/repositories/order-ingest-repository";
import { requestReturn } from "../../db/repositories/return-request-repository";
import { refreshReturnRollups } from "../../db/repositories/return-rollup-repository";
import { createLocation, createVariant, line, makeOrder, receive } from "../../tests/helpers/ledger-fixtures";
import { loader as analyticsLoader } from "../routes/app.returns.analytics";
import { loader as returnsLoader } from "../routes/app.returns._index";
import { action as rulesAction, loader as rulesLoader } from "../routes/app.returns.settings";
import { callAction, callLoader, readJson, thrownResponse, useDemoAdmin } from "./route-test-kit";

/** The returns pages' marketplace parts: the channel filter, the incoming-returns policy, the analytics. */

const context = useDemoAdmin();

beforeAll(async () => {
  const { db } = context.database;
  const shopId = context.demoShop.id;
  const warehouse = await createLocation(db, shopId, { name: "Dallas 3PL" });
  await createVariant(db, shopId, "HAT-BLUE");
  const variant = (await db.execute<{ id: string }>(sql`SELECT id FROM variants WHERE shop_id = ${shopId} AND sku = 'HAT-BLUE'`)).rows[0]!;
  await receive(db, shopId, variant.id, warehouse.id, 5);
  const ingested = await ingestOrder(db, { shopId, actor: "test", order: makeOrder({ channel: "ebay", externalId: "12-1-1", number: "12-1-1", lines: [line("HAT-BLUE", 2)] }) });
  await shipReservedOrder(db, { shopId, orderId: ingested.orderId, actor: "test", confirmOnChannel: false, shipment: () => ({ carrier: "USPS", service: "Priority", trackingNumber: "94" }) });
  const [lineRow] = (await db.execute<{ id: string }>(sql`SELECT id FROM order_lines WHERE order_id = ${ingested.orderId}`)).rows;
  const requested = await requestReturn(db, { shopId, orderId: ingested.orderId, resolution: "refund", source: "admin", actor: "m", lines: [{ orderLineId: lineRow!.id, quantity: 1, reason: "defective" }] });
  if (!requested.ok) throw new Error(requested.detail);
});

describe("returns queue by channel", () => {
  it("filters by the order's channel and refuses a channel it does not know", async () => {
    const ebay = (await readJson(await callLoader(returnsLoader, "/app/returns?channel=ebay"))).page.rows;
    expect(ebay.map((r: { channel: string }) => r.channel)).toEqual(["ebay"]);
    expect((await readJson(await callLoader(returnsLoader, "/app/returns?channel=amazon"))).page.rows).toEqual([]);
    expect((await thrownResponse(callLoader(returnsLoader, "/app/returns?channel=myspace"))).status).toBe(400);
    expect((await readJson(await callLoader(returnsLoader, "/app/returns"))).channelProblems).toEqual([]);
  });
});

describe("returns as incoming stock in the return rules", () => {
  const base = { windowDays: "30", windowStartsAt: "delivery", finalSaleTags: "", nonReturnableProductTags: "", restockingFeePercent: "0", returnShippingFee: "0", keepItemBelow: "0", storeCreditBonusPercent: "0" };
  it("stores a share per channel, blank and 0 as off, and refuses more than 100", async () => {
    const saved = await callAction(rulesAction, "/app/returns/settings", { ...base, incomingReturns_ebay: "40", incomingReturns_amazon: "0", incomingReturns_shopify: "", incomingReturns_woocommerce: "100" });
    expect(saved.status).toBe(200);
    expect((await readJson(await callLoader(rulesLoader, "/app/returns/settings"))).rules.incomingReturnsToSell).toEqual({ ebay: 40, woocommerce: 100 });
    const bad = await callAction(rulesAction, "/app/returns/settings", { ...base, incomingReturns_ebay: "150", incomingReturns_amazon: "2.5" });
    expect(bad.status).toBe(400);
    expect(Object.keys((await readJson(bad)).errors).sort()).toEqual(["incomingReturns_amazon", "incomingReturns_ebay"]);
  });
});

describe("returns analytics page", () => {
  it("reads the rollups for the chosen window and refuses another window", async () => {
    const before = await readJson(await callLoader(analyticsLoader, "/app/returns/analytics"));
    expect(before).toMatchObject({ days: 30, completeBefore: null, byChannel: [] });
    await context.database.db.transaction((tx) => refreshReturnRollups(tx, context.demoShop.id));
    const after = await readJson(await callLoader(analyticsLoader, "/app/returns/analytics?days=7"));
    expect(after.days).toBe(7);
    expect(after.completeBefore).not.toBeNull();
    expect(after.byReason).toEqual([{ reason: "defective", units: 1 }]);
    expect((await thrownResponse(callLoader(analyticsLoader, "/app/returns/analytics?days=10000"))).status).toBe(400);
  });
});
