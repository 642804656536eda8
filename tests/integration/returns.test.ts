import { eq, sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { ingestOrder } from "../../db/repositories/order-ingest-repository";
import { shipReservedOrder } from "../../db/repositories/fulfillment-repository";
import { createExchangeOrder } from "../../db/repositories/return-exchange-repository";
import { applyReturnStep, inspectReturn, recordReturnLabel } from "../../db/repositories/return-lifecycle-repository";
import { quoteReturn, requestReturn, saveReturnRules } from "../../db/repositories/return-request-repository";
import { returnRulesSchema } from "../../core/returns/return-rules";
import { inventoryMovements, orders, returnHoldings, returnLines, returns, shipments } from "../../db/schema";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";
import { createLocation, createShop, createVariant, ledgerMismatches, levelOf, line, makeOrder, receive } from "../helpers/ledger-fixtures";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase({ max: 30 });
});

/** A shop with one delivered order of 2 × SHIRT and 1 × MUG, shipped from one warehouse. */
async function deliveredOrder(options: { deliveredDaysAgo?: number } = {}) {
  const { db } = database;
  const shop = await createShop(db);
  const warehouse = await createLocation(db, shop.id, { name: "Warehouse" });
  const shirt = await createVariant(db, shop.id, "SHIRT", 4_000);
  const mug = await createVariant(db, shop.id, "MUG", 1_500);
  const bigShirt = await createVariant(db, shop.id, "SHIRT-L", 4_000);
  await receive(db, shop.id, shirt.id, warehouse.id, 10);
  await receive(db, shop.id, mug.id, warehouse.id, 10);
  await receive(db, shop.id, bigShirt.id, warehouse.id, 1);
  const ingested = await ingestOrder(db, {
    shopId: shop.id,
    actor: "test",
    order: makeOrder({ externalId: `o-${shop.id}`, lines: [{ ...line("SHIRT", 2), unitPriceMinor: 4_000 }, { ...line("MUG", 1), unitPriceMinor: 1_500 }], subtotalMinor: 9_500, totalMinor: 9_500 }),
  });
  const shipped = await shipReservedOrder(db, {
    shopId: shop.id,
    orderId: ingested.orderId,
    actor: "test",
    confirmOnChannel: false,
    shipment: () => ({ carrier: "UPS", service: "Ground", trackingNumber: "1Z999" }),
  });
  expect(shipped.ok).toBe(true);
  const deliveredAt = new Date(Date.now() - (options.deliveredDaysAgo ?? 3) * 86_400_000);
  await db.update(shipments).set({ deliveredAt }).where(eq(shipments.orderId, ingested.orderId));
  const lines = await db.execute<{ id: string; sku: string }>(sql`SELECT id, sku FROM order_lines WHERE order_id = ${ingested.orderId}`);
  const lineId = (sku: string) => lines.rows.find((row) => row.sku === sku)!.id;
  return { db, shop, warehouse, shirt, mug, bigShirt, orderId: ingested.orderId, lineId };
}

describe("returns", () => {
  it("takes a refund return from request to restocked and refunded, moving stock through the ledger", async () => {
    const { db, shop, warehouse, shirt, orderId, lineId } = await deliveredOrder();
    const requested = await requestReturn(db, {
      shopId: shop.id,
      orderId,
      resolution: "refund",
      source: "portal",
      actor: "customer",
      lines: [{ orderLineId: lineId("SHIRT"), quantity: 1, reason: "size_too_small" }],
    });
    if (!requested.ok) throw new Error(requested.detail);
    expect(requested.value.rmaNumber).toMatch(/-R1$/);
    expect(requested.value.quote.payoutMinor).toBe(4_000);

    const id = requested.value.returnId;
    expect(await applyReturnStep(db, { shopId: shop.id, returnId: id, event: "refund", actor: "m" })).toMatchObject({ ok: false, reason: "not_inspected" });
    expect(await applyReturnStep(db, { shopId: shop.id, returnId: id, event: "approve", actor: "m" })).toMatchObject({ ok: true });
    expect(await recordReturnLabel(db, { shopId: shop.id, returnId: id, actor: "m", labelUrl: null, trackingNumber: "RT1", carrier: "USPS" })).toMatchObject({ ok: true });
    expect(await applyReturnStep(db, { shopId: shop.id, returnId: id, event: "mark_in_transit", actor: "tracker" })).toMatchObject({ ok: true });
    expect(await applyReturnStep(db, { shopId: shop.id, returnId: id, event: "receive", actor: "m" })).toMatchObject({ ok: true });

    const before = (await levelOf(db, shirt.id)).find((l) => l.locationId === warehouse.id)!;
    const [returnLine] = await db.select().from(returnLines).where(eq(returnLines.returnId, id));
    const inspected = await inspectReturn(db, { shopId: shop.id, returnId: id, actor: "m", lines: [{ returnLineId: returnLine!.id, grade: "A" }] });
    expect(inspected).toMatchObject({ ok: true, value: { restocked: 1, refurbish: 0, disposed: 0 } });
    const after = (await levelOf(db, shirt.id)).find((l) => l.locationId === warehouse.id)!;
    expect(after.onHand).toBe(before.onHand + 1);
    const movements = await db.select().from(inventoryMovements).where(eq(inventoryMovements.causeId, returnLine!.id));
    expect(movements).toEqual([expect.objectContaining({ kind: "return_restock", quantity: 1, causeType: "return" })]);

    expect(await applyReturnStep(db, { shopId: shop.id, returnId: id, event: "refund", actor: "m", reference: "refund-1" })).toMatchObject({ ok: true, value: { to: "refunded" } });
    expect(await applyReturnStep(db, { shopId: shop.id, returnId: id, event: "close", actor: "m" })).toMatchObject({ ok: true, value: { to: "closed" } });
    expect(await ledgerMismatches(db, shop.id)).toEqual([]);
  });

  it("never returns more than was delivered when ten requests for the same line race", async () => {
    const { db, shop, orderId, lineId } = await deliveredOrder();
    const outcomes = await Promise.all(
      Array.from({ length: 10 }, () =>
        requestReturn(db, {
          shopId: shop.id,
          orderId,
          resolution: "refund",
          source: "portal",
          actor: "customer",
          lines: [{ orderLineId: lineId("SHIRT"), quantity: 1, reason: "unwanted" }],
        }),
      ),
    );
    expect(outcomes.filter((o) => o.ok)).toHaveLength(2);
    expect(outcomes.filter((o) => !o.ok).every((o) => !o.ok && o.reason === "not_acceptable")).toBe(true);
    const [{ returned }] = (await db.execute<{ returned: number }>(sql`SELECT sum(quantity)::int AS returned FROM return_lines WHERE order_line_id = ${lineId("SHIRT")}`)).rows as [{ returned: number }];
    expect(returned).toBe(2);
  });

  it("frees the units of a declined return for a new request", async () => {
    const { db, shop, orderId, lineId } = await deliveredOrder();
    const request = () =>
      requestReturn(db, { shopId: shop.id, orderId, resolution: "refund", source: "admin", actor: "m", lines: [{ orderLineId: lineId("MUG"), quantity: 1, reason: "unwanted" }] });
    const first = await request();
    expect(first.ok).toBe(true);
    expect((await request()).ok).toBe(false);
    await applyReturnStep(db, { shopId: shop.id, returnId: first.ok ? first.value.returnId : "", event: "decline", actor: "m", note: "used" });
    expect((await request()).ok).toBe(true);
  });

  it("refuses a return outside the window with the reason, and stores nothing", async () => {
    const { db, shop, orderId, lineId } = await deliveredOrder({ deliveredDaysAgo: 45 });
    const outcome = await requestReturn(db, { shopId: shop.id, orderId, resolution: "refund", source: "portal", actor: "c", lines: [{ orderLineId: lineId("SHIRT"), quantity: 1, reason: "unwanted" }] });
    expect(outcome).toMatchObject({ ok: false, reason: "not_acceptable" });
    expect(outcome.ok ? "" : outcome.detail).toMatch(/30-day return window/);
    expect(await db.select().from(returns).where(eq(returns.shopId, shop.id))).toEqual([]);
  });

  it("quotes fees from the shop's own rules without storing anything", async () => {
    const { db, shop, orderId, lineId } = await deliveredOrder();
    await saveReturnRules(db, shop.id, returnRulesSchema.parse({ restockingFeeBps: 1_000, returnShippingFeeMinor: 600 }));
    const quote = await quoteReturn(db, { shopId: shop.id, orderId, resolution: "refund", lines: [{ orderLineId: lineId("SHIRT"), quantity: 2, reason: "unwanted" }] });
    expect(quote).toMatchObject({ ok: true, value: { itemsValueMinor: 8_000, restockingFeeMinor: 800, returnShippingFeeMinor: 600, payoutMinor: 6_600 } });
    expect(await db.select().from(returns).where(eq(returns.shopId, shop.id))).toEqual([]);
  });

  it("reserves the exchange item as an order of its own, once, and never writes it to the channel", async () => {
    const { db, shop, bigShirt, orderId, lineId } = await deliveredOrder();
    const requested = await requestReturn(db, {
      shopId: shop.id,
      orderId,
      resolution: "exchange",
      source: "customer_account",
      actor: "customer",
      lines: [{ orderLineId: lineId("SHIRT"), quantity: 1, reason: "size_too_small", exchangeVariantId: bigShirt.id }],
    });
    if (!requested.ok) throw new Error(requested.detail);
    const jobs = await db.execute<{ count: number }>(sql`SELECT count(*)::int AS count FROM graphile_worker.jobs WHERE task_identifier = 'returns/create-exchange-order'`);
    expect(jobs.rows[0]!.count).toBe(1);

    const first = await createExchangeOrder(db, { shopId: shop.id, returnId: requested.value.returnId });
    const again = await createExchangeOrder(db, { shopId: shop.id, returnId: requested.value.returnId });
    expect(first).toMatchObject({ created: true });
    expect(again).toMatchObject({ created: false, orderId: (first as { orderId: string }).orderId });
    const [exchange] = await db.select().from(orders).where(eq(orders.id, (first as { orderId: string }).orderId));
    expect(exchange).toMatchObject({ status: "reserved", totalMinor: 0, number: `${requested.value.rmaNumber}-X` });
    expect((await levelOf(db, bigShirt.id))[0]).toMatchObject({ onHand: 1, reserved: 1 });

    // The last large shirt is now spoken for: a second exchange for it is refused.
    const second = await requestReturn(db, {
      shopId: shop.id,
      orderId,
      resolution: "exchange",
      source: "customer_account",
      actor: "customer",
      lines: [{ orderLineId: lineId("SHIRT"), quantity: 1, reason: "size_too_small", exchangeVariantId: bigShirt.id }],
    });
    expect(second.ok ? "" : second.detail).toMatch(/out of stock/);
  });

  it("keeps refurbish and dispose units out of available stock, with totals per disposition", async () => {
    const { db, shop, shirt, mug, orderId, lineId } = await deliveredOrder();
    const requested = await requestReturn(db, {
      shopId: shop.id,
      orderId,
      resolution: "store_credit",
      source: "admin",
      actor: "m",
      lines: [
        { orderLineId: lineId("SHIRT"), quantity: 2, reason: "defective" },
        { orderLineId: lineId("MUG"), quantity: 1, reason: "unwanted" },
      ],
    });
    if (!requested.ok) throw new Error(requested.detail);
    const id = requested.value.returnId;
    await applyReturnStep(db, { shopId: shop.id, returnId: id, event: "approve", actor: "m" });
    await applyReturnStep(db, { shopId: shop.id, returnId: id, event: "receive", actor: "m" });
    const lines = await db.select().from(returnLines).where(eq(returnLines.returnId, id));
    const shirtBefore = (await levelOf(db, shirt.id))[0]!;
    const inspected = await inspectReturn(db, {
      shopId: shop.id,
      returnId: id,
      actor: "m",
      lines: lines.map((l) => ({ returnLineId: l.id, grade: l.variantId === mug.id ? "D" : "B" })),
    });
    expect(inspected).toMatchObject({ ok: true, value: { restocked: 0, refurbish: 2, disposed: 1 } });
    expect((await levelOf(db, shirt.id))[0]!.onHand).toBe(shirtBefore.onHand);
    const holdings = await db.select().from(returnHoldings).where(eq(returnHoldings.shopId, shop.id));
    expect(holdings.map((h) => [h.disposition, h.quantity]).sort()).toEqual([["dispose", 1], ["refurbish", 2]]);
  });
});
