import { and, eq, sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import type { ChannelConnectors } from "../../connectors/channel-connectors";
import type { ChannelRefundRequest, ChannelReturnDecision, ChannelReturnRecord, ChannelReturnsPage } from "../../core/ports/channel-returns-port";
import type { ChannelModule } from "../../core/ports/channel-module-port";
import { ok } from "../../core/shared/result";
import { recordChannelReturns, listChannelReturnProblems } from "../../db/repositories/channel-return-repository";
import { shipReservedOrder } from "../../db/repositories/fulfillment-repository";
import { ingestOrder } from "../../db/repositories/order-ingest-repository";
import { applyReturnStep, inspectReturn } from "../../db/repositories/return-lifecycle-repository";
import { channelConnections, channelReturnRecords, returnEvents, returnLines, returns } from "../../db/schema";
import { writeReturnToChannel } from "../../jobs/tasks/returns-channel-write.task";
import { pollConnectionReturns } from "../../jobs/tasks/returns-poll-channel.task";
import { createConnection } from "../helpers/channel-fixtures";
import { createLocation, createShop, createVariant, line, makeOrder, receive } from "../helpers/ledger-fixtures";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";

/**
 * Marketplace returns on real PostgreSQL: one RMA per (channel, external return id) however
 * often it is read, the RMA following the channel through the transitions table, problems kept
 * on the record, and a person's decision or refund queued and written back to the channel.
 */

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});

async function shippedOrder(channel: "ebay" | "woocommerce", externalId: string) {
  const { db } = database;
  const shop = await createShop(db);
  const warehouse = await createLocation(db, shop.id, { name: "Warehouse" });
  const mug = await createVariant(db, shop.id, "MUG", 1_500);
  await receive(db, shop.id, mug.id, warehouse.id, 10);
  const connection = await createConnection(db, shop.id, { channel, locationIds: [warehouse.id], credentialsEncrypted: JSON.stringify({}) });
  const ingested = await ingestOrder(db, {
    shopId: shop.id,
    actor: "test",
    order: makeOrder({ channel, externalId, lines: [{ ...line("MUG", 2, "10000000000010"), unitPriceMinor: 1_500 }], subtotalMinor: 3_000, totalMinor: 3_000 }),
  });
  const shipped = await shipReservedOrder(db, { shopId: shop.id, orderId: ingested.orderId, actor: "test", confirmOnChannel: false, shipment: () => ({ carrier: "USPS", service: "Priority", trackingNumber: "9400" }) });
  expect(shipped.ok).toBe(true);
  return { db, shop, warehouse, mug, connection, orderId: ingested.orderId };
}

function ebayReturn(overrides: Partial<ChannelReturnRecord> = {}): ChannelReturnRecord {
  return {
    externalReturnId: "5000000001",
    externalOrderId: "12-00001-00001",
    stage: "requested",
    channelStatus: "RETURN_REQUESTED",
    requestedAt: new Date("2026-11-25T10:00:00Z"),
    lines: [{ externalLineId: "10000000000010", quantity: 1, reason: "defective", channelReason: "DEFECTIVE_ITEM" }],
    ...overrides,
  };
}
const page = (...records: ChannelReturnRecord[]): Pick<ChannelReturnsPage, "returns" | "rejected"> => ({ returns: records.map((record) => ({ record, raw: { returnId: record.externalReturnId } })), rejected: [] });

async function rmasOf(shopId: string) {
  return database.db.select().from(returns).where(eq(returns.shopId, shopId));
}
async function jobsFor(returnId: string) {
  return (await database.db.execute<{ key: string }>(sql`SELECT key FROM graphile_worker.jobs WHERE key LIKE ${`return-write:${returnId}:%`} ORDER BY key`)).rows.map((r) => r.key);
}

describe("channel returns into the queue", () => {
  it("creates one RMA per channel return however often it is read (and however it races)", async () => {
    const { db, shop, connection } = await shippedOrder("ebay", "12-00001-00001");
    const ref = { id: connection.id, shopId: shop.id, channel: "ebay" };
    const [a, b] = await Promise.all([recordChannelReturns(db, ref, page(ebayReturn())), recordChannelReturns(db, ref, page(ebayReturn()))]);
    expect(a.created + b.created).toBe(1);
    expect(await recordChannelReturns(db, ref, page(ebayReturn()))).toEqual({ created: 0, moved: 0, unchanged: 1, problems: 0 });
    const rmas = await rmasOf(shop.id);
    expect(rmas).toHaveLength(1);
    expect(rmas[0]).toMatchObject({ source: "ebay", externalId: "5000000001", status: "requested", itemsValueMinor: 1_500, payoutMinor: 1_500 });
    const lines = await db.select().from(returnLines).where(eq(returnLines.returnId, rmas[0]!.id));
    expect(lines).toEqual([expect.objectContaining({ quantity: 1, reason: "defective" })]);
    expect(await db.select().from(channelReturnRecords).where(eq(channelReturnRecords.connectionId, connection.id))).toEqual([
      expect.objectContaining({ externalReturnId: "5000000001", returnId: rmas[0]!.id, problem: null, channelStatus: "RETURN_REQUESTED" }),
    ]);
  });

  it("follows the channel through the transitions table, writes nothing back, and never inspects for a person", async () => {
    const { db, shop, connection } = await shippedOrder("ebay", "12-00001-00001");
    const ref = { id: connection.id, shopId: shop.id, channel: "ebay" };
    await recordChannelReturns(db, ref, page(ebayReturn()));
    const moved = await recordChannelReturns(db, ref, page(ebayReturn({ stage: "in_transit", channelStatus: "ITEM_SHIPPED", carrier: "USPS", trackingNumber: "9405" })));
    expect(moved.moved).toBe(1);
    let [rma] = await rmasOf(shop.id);
    expect(rma).toMatchObject({ status: "in_transit", trackingNumber: "9405", carrier: "USPS" });
    const events = await db.select({ kind: returnEvents.kind, actor: returnEvents.actor }).from(returnEvents).where(eq(returnEvents.returnId, rma!.id));
    expect(events.map((e) => e.kind)).toEqual(["requested", "approve", "issue_label", "mark_in_transit"]);
    expect(new Set(events.map((e) => e.actor))).toEqual(new Set(["channel:ebay"]));
    expect(await jobsFor(rma!.id)).toEqual([]);

    // eBay refunded it on its own; the units have not been graded here yet, so the RMA waits at received.
    await recordChannelReturns(db, ref, page(ebayReturn({ stage: "refunded", channelStatus: "REFUND_INITIATED" })));
    [rma] = await rmasOf(shop.id);
    expect(rma!.status).toBe("received");
    const [returned] = await db.select({ id: returnLines.id }).from(returnLines).where(eq(returnLines.returnId, rma!.id));
    expect(await inspectReturn(db, { shopId: shop.id, returnId: rma!.id, actor: "merchant", lines: [{ returnLineId: returned!.id, grade: "A" }] })).toMatchObject({ ok: true });
    await recordChannelReturns(db, ref, page(ebayReturn({ stage: "refunded", channelStatus: "REFUND_INITIATED" })));
    [rma] = await rmasOf(shop.id);
    expect(rma).toMatchObject({ status: "refunded", refundReference: "ebay:5000000001" });
    expect(await jobsFor(rma!.id)).toEqual([]);
  });

  it("keeps what it cannot place as a visible problem, and places it once the order arrives", async () => {
    const { db, shop, connection } = await shippedOrder("ebay", "12-00001-00001");
    const ref = { id: connection.id, shopId: shop.id, channel: "ebay" };
    const early = ebayReturn({ externalReturnId: "5000000002", externalOrderId: "12-99999-00001" });
    const tooMany = ebayReturn({ externalReturnId: "5000000003", lines: [{ externalLineId: "10000000000010", quantity: 3, reason: "defective", channelReason: "DEFECTIVE_ITEM" }] });
    const outcome = await recordChannelReturns(db, ref, {
      ...page(early, tooMany),
      rejected: [{ externalReturnId: "5000000004", problem: "eBay return not readable: creationInfo Required", raw: { returnId: "5000000004" } }, { problem: "line 3: bad", raw: { line: 3 } }],
    });
    expect(outcome).toEqual({ created: 0, moved: 0, unchanged: 0, problems: 4 });
    expect(await rmasOf(shop.id)).toEqual([]);
    const problems = await listChannelReturnProblems(db, shop.id);
    expect(problems.map((p) => [p.externalReturnId.replace(/^unreadable:.*/, "unreadable"), p.problem])).toEqual(
      expect.arrayContaining([
        ["5000000002", expect.stringContaining("eBay order 12-99999-00001 is not in Switchyard")],
        ["5000000003", expect.stringContaining("returns 3 of \"MUG\"")],
        ["5000000004", "eBay return not readable: creationInfo Required"],
        ["unreadable", "line 3: bad"],
      ]),
    );

    await ingestOrder(db, { shopId: shop.id, actor: "test", order: makeOrder({ channel: "ebay", externalId: "12-99999-00001", lines: [{ ...line("MUG", 1, "10000000000010"), unitPriceMinor: 1_500 }], subtotalMinor: 1_500, totalMinor: 1_500 }) });
    expect((await recordChannelReturns(db, ref, page(early))).created).toBe(1);
    expect((await listChannelReturnProblems(db, shop.id)).map((p) => p.externalReturnId)).not.toContain("5000000002");
  });

  it("queues a person's decision with the step, and the job writes it to the channel that keeps the return", async () => {
    const { db, shop, connection } = await shippedOrder("ebay", "12-00001-00001");
    await recordChannelReturns(db, { id: connection.id, shopId: shop.id, channel: "ebay" }, page(ebayReturn()));
    const [rma] = await rmasOf(shop.id);
    expect(await applyReturnStep(db, { shopId: shop.id, returnId: rma!.id, event: "approve", actor: "merchant" })).toMatchObject({ ok: true });
    expect(await jobsFor(rma!.id)).toEqual([`return-write:${rma!.id}:approve`]);
    // eBay issues the label of a return it holds: Switchyard buys none.
    expect((await db.execute(sql`SELECT 1 FROM graphile_worker.jobs WHERE key = ${`returns/buy-label:${rma!.id}`}`)).rows).toEqual([]);

    const channel = recordingChannel("ebay");
    expect(await writeReturnToChannel({ db, connectors: channel.connectors }, { shopId: shop.id, returnId: rma!.id, event: "approve" }, { attempts: 1, maxAttempts: 5 })).toBe("sent");
    expect(channel.decisions).toEqual([{ externalReturnId: "5000000001", approve: true }]);
    const [event] = await db.select().from(returnEvents).where(and(eq(returnEvents.returnId, rma!.id), eq(returnEvents.kind, "channel_write")));
    expect(event!.message).toBe("Approval sent to eBay");
  });

  it("writes a refund of a store return to WooCommerce with the order's line ids, and retries a throttled one", async () => {
    const { db, shop } = await shippedOrder("woocommerce", "723");
    const [rma] = await db
      .insert(returns)
      .values({ shopId: shop.id, orderId: (await db.execute<{ id: string }>(sql`SELECT id FROM orders WHERE shop_id = ${shop.id}`)).rows[0]!.id, rmaNumber: "#723-R1", status: "inspected", source: "portal", currency: "USD", itemsValueMinor: 3_000, payoutMinor: 2_550 })
      .returning();
    const [orderLine] = (await db.execute<{ id: string }>(sql`SELECT id FROM order_lines WHERE shop_id = ${shop.id}`)).rows;
    await db.insert(returnLines).values({ shopId: shop.id, returnId: rma!.id, orderLineId: orderLine!.id, quantity: 2, reason: "defective", unitNetMinor: 1_500 });
    expect(await applyReturnStep(db, { shopId: shop.id, returnId: rma!.id, event: "refund", actor: "merchant" })).toMatchObject({ ok: true });
    expect(await jobsFor(rma!.id)).toEqual([`return-write:${rma!.id}:refund`]);

    const throttled = recordingChannel("woocommerce", { failFirst: true });
    await expect(writeReturnToChannel({ db, connectors: throttled.connectors }, { shopId: shop.id, returnId: rma!.id, event: "refund" }, { attempts: 1, maxAttempts: 5 })).rejects.toThrow(/rate_limited/);
    expect(await writeReturnToChannel({ db, connectors: throttled.connectors }, { shopId: shop.id, returnId: rma!.id, event: "refund" }, { attempts: 2, maxAttempts: 5 })).toBe("sent");
    expect(throttled.refunds).toEqual([
      expect.objectContaining({ externalOrderId: "723", amountMinor: 2_550, currency: "USD", reference: "#723-R1", lines: [{ externalLineId: "10000000000010", quantity: 2, amountMinor: 3_000 }] }),
    ]);
    expect(throttled.refunds[0]).not.toHaveProperty("externalReturnId");
    const [after] = await rmasOf(shop.id);
    expect(after!.refundReference).toBe("woocommerce:refund-1");
    // A decision on a return the store keeps itself has nothing to tell WooCommerce.
    expect(await writeReturnToChannel({ db, connectors: throttled.connectors }, { shopId: shop.id, returnId: rma!.id, event: "approve" }, { attempts: 1, maxAttempts: 5 })).toBe("nothing_to_do");
  });

  it("polls a connection page by page and keeps the watermark on the connection", async () => {
    const { db, shop, connection } = await shippedOrder("ebay", "12-00001-00001");
    const channel = recordingChannel("ebay", {
      pages: {
        start: { returns: [{ record: ebayReturn(), raw: {} }], rejected: [], nextCursor: "p2", hasMore: true },
        p2: { returns: [{ record: ebayReturn({ externalReturnId: "5000000007" }), raw: {} }], rejected: [], nextCursor: "w1", hasMore: false },
      },
    });
    const outcome = await pollConnectionReturns({ db, connectors: channel.connectors }, connection.id);
    expect(outcome).toMatchObject({ status: "polled", pages: 2, created: 2 });
    expect(channel.cursors).toEqual([null, "p2"]);
    const [stored] = await db.select({ settings: channelConnections.settings }).from(channelConnections).where(eq(channelConnections.id, connection.id));
    expect(stored!.settings.returnsCursor).toBe("w1");
    expect((await rmasOf(shop.id)).map((r) => r.externalId).sort()).toEqual(["5000000001", "5000000007"]);
  });
});

/** A module for one channel whose returns capability records what it is asked. */
function recordingChannel(channel: "ebay" | "woocommerce", options: { failFirst?: boolean; pages?: Record<string, ChannelReturnsPage> } = {}) {
  const decisions: ChannelReturnDecision[] = [];
  const refunds: ChannelRefundRequest[] = [];
  const cursors: (string | null)[] = [];
  let failures = options.failFirst ? 1 : 0;
  const module: ChannelModule = {
    channel,
    displayName: channel === "ebay" ? "eBay" : "WooCommerce",
    capabilities: ["returns"],
    credentials: { parse: (raw) => ok(raw) },
    open: () =>
      ok({
        returns: {
          ...(options.pages
            ? {
                fetchReturns: async (cursor: string | null) => {
                  cursors.push(cursor);
                  return ok(options.pages![cursor ?? "start"]!);
                },
              }
            : {}),
          ...(channel === "ebay" ? { decide: async (decision: ChannelReturnDecision) => (decisions.push(decision), ok(undefined)) } : {}),
          refund: async (request: ChannelRefundRequest) => {
            if (failures-- > 0) return { ok: false as const, reason: "rate_limited" as const, detail: "429" };
            refunds.push(request);
            return ok({ reference: `refund-${refunds.length}`, alreadyDone: false });
          },
        },
      }),
  };
  const connectors: ChannelConnectors = { modules: [module], credentials: { decrypt: (stored) => ok(stored ? JSON.parse(stored) : {}), rotate: async () => ({ ok: false, reason: "unauthorized" }) } };
  return { connectors, decisions, refunds, cursors };
}
