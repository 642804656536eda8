import { eq, sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { shipReservedOrder } from "../../db/repositories/fulfillment-repository";
import { ingestOrder } from "../../db/repositories/order-ingest-repository";
import { requestReturn } from "../../db/repositories/return-request-repository";
import { returnLines, returns } from "../../db/schema";
import { createLocation, createVariant, levelOf, line, makeOrder, receive } from "../../tests/helpers/ledger-fixtures";
import { action as returnAction, loader as returnLoader } from "../routes/app.returns.$id";
import { loader as returnsLoader } from "../routes/app.returns._index";
import { action as rulesAction, loader as rulesLoader } from "../routes/app.returns.settings";
import { callAction, callLoader, readJson, thrownResponse, useDemoAdmin } from "./route-test-kit";

const context = useDemoAdmin();
let returnId: string;
let variantId: string;

beforeAll(async () => {
  const { db } = context.database;
  const shopId = context.demoShop.id;
  const warehouse = await createLocation(db, shopId, { name: "Reno DC" });
  variantId = (await createVariant(db, shopId, "CAP-RED")).id;
  await receive(db, shopId, variantId, warehouse.id, 5);
  const ingested = await ingestOrder(db, { shopId, actor: "test", order: makeOrder({ externalId: "R-1", number: "#2001", lines: [line("CAP-RED", 2)] }) });
  await shipReservedOrder(db, { shopId, orderId: ingested.orderId, actor: "test", confirmOnChannel: false, shipment: () => ({ carrier: "UPS", service: "Ground", trackingNumber: "1Z1" }) });
  const [lineRow] = (await db.execute<{ id: string }>(sql`SELECT id FROM order_lines WHERE order_id = ${ingested.orderId}`)).rows;
  const requested = await requestReturn(db, { shopId, orderId: ingested.orderId, resolution: "refund", source: "portal", actor: "customer", lines: [{ orderLineId: lineRow!.id, quantity: 1, reason: "unwanted" }] });
  if (!requested.ok) throw new Error(requested.detail);
  returnId = requested.value.returnId;
});

describe("returns admin", () => {
  it("lists the open return with its order, units, payout and SLA", async () => {
    const { page } = await readJson(await callLoader(returnsLoader, "/app/returns"));
    expect(page.rows).toEqual([expect.objectContaining({ id: returnId, rmaNumber: "#2001-R1", orderNumber: "#2001", status: "requested", units: 1, payoutMinor: 1999, slaHours: 24 })]);
    expect(page.countsByStatus).toEqual([{ status: "requested", count: 1 }]);
  });

  it("refuses a filter it does not know with a 400 naming it", async () => {
    const response = await thrownResponse(callLoader(returnsLoader, "/app/returns?status=lost"));
    expect(response.status).toBe(400);
  });

  it("offers only the steps the RMA table allows, and walks the return to restocked", async () => {
    const path = `/app/returns/${returnId}`;
    const params = { id: returnId };
    expect((await readJson(await callLoader(returnLoader, path, params))).events).toEqual(["approve", "decline", "cancel"]);

    const early = await callAction(returnAction, path, { intent: "receive" }, params);
    expect(early.status).toBe(409);
    expect((await readJson(early)).message).toMatch(/Not on its way/i);

    expect((await callAction(returnAction, path, { intent: "approve" }, params)).status).toBe(200);
    expect((await callAction(returnAction, path, { intent: "receive" }, params)).status).toBe(200);
    const [lineRow] = await context.database.db.select().from(returnLines).where(eq(returnLines.returnId, returnId));
    const before = (await levelOf(context.database.db, variantId))[0]!.onHand;
    const inspected = await callAction(returnAction, path, { intent: "inspect", grades: JSON.stringify([{ returnLineId: lineRow!.id, grade: "A" }]) }, params);
    expect(inspected.status).toBe(200);
    expect((await levelOf(context.database.db, variantId))[0]!.onHand).toBe(before + 1);
    expect((await callAction(returnAction, path, { intent: "refund", reference: "manual-42" }, params)).status).toBe(200);
    const [row] = await context.database.db.select().from(returns).where(eq(returns.id, returnId));
    expect(row).toMatchObject({ status: "refunded", refundReference: "manual-42" });
    const detail = (await readJson(await callLoader(returnLoader, path, params))).detail;
    expect(detail.events.map((e: { kind: string }) => e.kind)).toEqual(["refund", "inspect", "receive", "approve", "requested"]);
  });

  it("buys a return label only for an approved return, and shows the channel mirror's state", async () => {
    const { db } = context.database;
    const shopId = context.demoShop.id;
    const ingested = await ingestOrder(db, { shopId, actor: "test", order: makeOrder({ externalId: "R-2", number: "#2002", lines: [line("CAP-RED", 1)] }) });
    await shipReservedOrder(db, { shopId, orderId: ingested.orderId, actor: "test", confirmOnChannel: false, shipment: () => ({ carrier: "UPS", service: "Ground", trackingNumber: "1Z2" }) });
    const [lineRow] = (await db.execute<{ id: string }>(sql`SELECT id FROM order_lines WHERE order_id = ${ingested.orderId}`)).rows;
    const requested = await requestReturn(db, { shopId, orderId: ingested.orderId, resolution: "refund", source: "portal", actor: "customer", lines: [{ orderLineId: lineRow!.id, quantity: 1, reason: "unwanted" }] });
    if (!requested.ok) throw new Error(requested.detail);
    const id = requested.value.returnId;
    const path = `/app/returns/${id}`;
    const labelJobs = async () =>
      (await db.execute<{ count: number }>(sql`SELECT count(*)::int AS count FROM graphile_worker.jobs WHERE key = ${`returns/buy-label:${id}`}`)).rows[0]!.count;

    const early = await callAction(returnAction, path, { intent: "buy_label" }, { id });
    expect(early.status).toBe(409);
    expect((await readJson(early)).message).toMatch(/approved return/i);
    expect(await labelJobs()).toBe(0);

    expect((await callAction(returnAction, path, { intent: "approve" }, { id })).status).toBe(200);
    expect(await labelJobs()).toBe(1);
    const again = await callAction(returnAction, path, { intent: "buy_label" }, { id });
    expect(again.status).toBe(200);
    expect(await labelJobs()).toBe(1);
    const detail = (await readJson(await callLoader(returnLoader, path, { id }))).detail;
    // A Shopify order's return waits for its sync job (no worker runs in this test).
    expect(detail).toMatchObject({ channelSyncState: "pending", channelReturnId: null, labelError: null });
    expect(detail.events.map((e: { kind: string }) => e.kind)).toContain("label_requested");
  });

  it("refuses a decline without a reason and a malformed grade list, naming the field", async () => {
    const path = `/app/returns/${returnId}`;
    const decline = await callAction(returnAction, path, { intent: "decline", note: " " }, { id: returnId });
    expect(decline.status).toBe(400);
    expect((await readJson(decline)).message).toMatch(/note/);
    const grades = await callAction(returnAction, path, { intent: "inspect", grades: "[{" }, { id: returnId });
    expect(grades.status).toBe(400);
  });

  it("answers 404 for a return of another shop or a malformed id", async () => {
    expect((await thrownResponse(callLoader(returnLoader, "/app/returns/x", { id: "----" }))).status).toBe(400);
    const missing = "00000000-0000-4000-8000-000000000000";
    expect((await thrownResponse(callLoader(returnLoader, `/app/returns/${missing}`, { id: missing }))).status).toBe(404);
  });

  it("saves return rules typed as days, percent and money, and refuses nonsense per field", async () => {
    const saved = await callAction(rulesAction, "/app/returns/settings", {
      windowDays: "45",
      windowStartsAt: "fulfillment",
      finalSaleTags: "final-sale, clearance",
      nonReturnableProductTags: "hygiene",
      restockingFeePercent: "12.5",
      returnShippingFee: "5.95",
      keepItemBelow: "0",
      storeCreditBonusPercent: "10",
      allowExchanges: "on",
      allowStoreCredit: "off",
    });
    expect(saved.status).toBe(200);
    const { rules } = await readJson(await callLoader(rulesLoader, "/app/returns/settings"));
    expect(rules).toMatchObject({ windowDays: 45, windowStartsAt: "fulfillment", finalSaleTags: ["final-sale", "clearance"], restockingFeeBps: 1250, returnShippingFeeMinor: 595, storeCreditBonusBps: 1000, allowStoreCredit: false });

    const bad = await callAction(rulesAction, "/app/returns/settings", { windowDays: "-3", windowStartsAt: "delivery", finalSaleTags: "", nonReturnableProductTags: "", restockingFeePercent: "250", returnShippingFee: "5,95", keepItemBelow: "0", storeCreditBonusPercent: "0" });
    expect(bad.status).toBe(400);
    expect(Object.keys((await readJson(bad)).errors).sort()).toEqual(["restockingFeePercent", "returnShippingFee", "windowDays"]);
  });
});
