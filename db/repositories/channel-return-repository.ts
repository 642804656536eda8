import { createHash } from "node:crypto";
import { and, asc, desc, eq, isNotNull, sql } from "drizzle-orm";
import type { ChannelReturnRecord, ChannelReturnsPage } from "../../core/ports/channel-returns-port";
import { channelDisplayName } from "../../core/channels/channel-write-policy";
import { eventsToward } from "../../core/returns/channel-return-follow";
import { RMA_ACTIVE_STATUSES, isRmaStatus, transitionRma } from "../../core/returns/rma-state-machine";
import type { Database, Tx } from "../client";
import { channelReturnRecords, orderLines, orders, returnLines, returns, shipments } from "../schema";
import { appendTimeline } from "./order-timeline-repository";
import { noteIncomingReturnChange } from "./incoming-returns-repository";
import { applyReturnStepInTx } from "./return-lifecycle-repository";
import { appendReturnEvents, defaultReturnLocation, nextRmaNumber } from "./return-request-repository";

/**
 * Returns read from a channel become RMAs in the one queue. Each read return is stored once per
 * (connection, external id) with its raw payload; the first time its order and lines are found it
 * becomes an RMA (source = the channel, external id = the channel's return id, so it is never
 * created twice); every later read moves the RMA towards the channel's stage through the
 * transitions table (core/returns/channel-return-follow), marked as coming from the channel so
 * nothing is written back. A return that cannot be placed keeps its problem on the record,
 * shown on the returns page, and is tried again the next time it is read.
 */

export interface ChannelConnectionRef {
  id: string;
  shopId: string;
  channel: string;
}

export interface ChannelReturnImport {
  created: number;
  moved: number;
  unchanged: number;
  problems: number;
}

export async function recordChannelReturns(db: Database, connection: ChannelConnectionRef, page: Pick<ChannelReturnsPage, "returns" | "rejected">): Promise<ChannelReturnImport> {
  const outcome: ChannelReturnImport = { created: 0, moved: 0, unchanged: 0, problems: 0 };
  for (const rejected of page.rejected) {
    const externalReturnId = rejected.externalReturnId ?? `unreadable:${createHash("sha256").update(JSON.stringify(rejected.raw) ?? "").digest("hex").slice(0, 32)}`;
    await upsertRecord(db, connection, { externalReturnId, payload: rejected.raw, problem: rejected.problem });
    outcome.problems++;
  }
  for (const { record, raw } of page.returns) {
    const result = await db.transaction((tx) => applyChannelReturn(tx, connection, record, raw));
    outcome[result]++;
  }
  return outcome;
}

type ApplyResult = "created" | "moved" | "unchanged" | "problems";

async function applyChannelReturn(tx: Tx, connection: ChannelConnectionRef, record: ChannelReturnRecord, raw: unknown): Promise<ApplyResult> {
  const stored = await upsertRecord(tx, connection, {
    externalReturnId: record.externalReturnId,
    externalOrderId: record.externalOrderId,
    channelStatus: record.channelStatus,
    stage: record.stage,
    payload: raw,
  });
  const problem = (text: string) => tx.update(channelReturnRecords).set({ problem: text }).where(eq(channelReturnRecords.id, stored.id)).then((): ApplyResult => "problems");
  let returnId = stored.returnId;
  let created = false;
  if (!returnId) {
    const made = await createChannelRma(tx, connection, record);
    if (!made.ok) return problem(made.problem);
    returnId = made.returnId;
    created = made.created;
    await tx.update(channelReturnRecords).set({ returnId }).where(eq(channelReturnRecords.id, stored.id));
  }
  const moved = await followChannelStage(tx, connection, returnId, record);
  if (!moved.ok) return problem(moved.problem);
  await tx.update(channelReturnRecords).set({ problem: null }).where(eq(channelReturnRecords.id, stored.id));
  return created ? "created" : moved.steps > 0 ? "moved" : "unchanged";
}

async function upsertRecord(
  db: Database | Tx,
  connection: ChannelConnectionRef,
  values: { externalReturnId: string; externalOrderId?: string; channelStatus?: string; stage?: string; payload: unknown; problem?: string },
): Promise<{ id: string; returnId: string | null }> {
  const set = {
    payload: values.payload ?? null,
    lastSeenAt: sql`now()`,
    ...(values.externalOrderId !== undefined ? { externalOrderId: values.externalOrderId } : {}),
    ...(values.channelStatus !== undefined ? { channelStatus: values.channelStatus } : {}),
    ...(values.stage !== undefined ? { stage: values.stage } : {}),
    ...(values.problem !== undefined ? { problem: values.problem } : {}),
  };
  const [row] = await db
    .insert(channelReturnRecords)
    .values({ shopId: connection.shopId, connectionId: connection.id, channel: connection.channel, externalReturnId: values.externalReturnId, ...set, payload: values.payload ?? null })
    .onConflictDoUpdate({ target: [channelReturnRecords.connectionId, channelReturnRecords.externalReturnId], set })
    .returning({ id: channelReturnRecords.id, returnId: channelReturnRecords.returnId });
  return row!;
}

type Made = { ok: true; returnId: string; created: boolean } | { ok: false; problem: string };

async function createChannelRma(tx: Tx, connection: ChannelConnectionRef, record: ChannelReturnRecord): Promise<Made> {
  const name = channelDisplayName(connection.channel);
  const [existing] = await tx
    .select({ id: returns.id })
    .from(returns)
    .where(and(eq(returns.shopId, connection.shopId), eq(returns.source, connection.channel), eq(returns.externalId, record.externalReturnId)));
  if (existing) return { ok: true, returnId: existing.id, created: false };

  // The order row lock serialises this with every other request for the order's lines (requestReturn takes the same lock).
  const [order] = await tx
    .select({ id: orders.id, number: orders.number, currency: orders.currency })
    .from(orders)
    .where(and(eq(orders.shopId, connection.shopId), eq(orders.channel, connection.channel), eq(orders.externalId, record.externalOrderId)))
    .for("update");
  if (!order) return { ok: false, problem: `${name} order ${record.externalOrderId} is not in Switchyard (yet): the return is placed once the order is imported` };

  const lines = await tx
    .select({
      id: orderLines.id,
      externalLineId: orderLines.externalLineId,
      sku: orderLines.sku,
      channelVariantRef: orderLines.channelVariantRef,
      variantId: orderLines.variantId,
      title: orderLines.title,
      quantity: orderLines.quantity,
      unitPriceMinor: orderLines.unitPriceMinor,
      discountMinor: orderLines.discountMinor,
      returning: sql<number>`coalesce((SELECT sum(rl.quantity) FROM return_lines rl JOIN returns r ON r.id = rl.return_id
        WHERE rl.order_line_id = "order_lines"."id" AND r.status IN (${sql.join(RMA_ACTIVE_STATUSES.map((s) => sql`${s}`), sql`, `)})), 0)::int`,
    })
    .from(orderLines)
    .where(eq(orderLines.orderId, order.id))
    .orderBy(asc(orderLines.id));

  const wanted = new Map<string, { quantity: number; reason: string; channelReason: string; note?: string }>();
  for (const line of record.lines) {
    const match =
      (line.externalLineId ? lines.find((l) => l.externalLineId === line.externalLineId) : undefined) ??
      (line.sku ? lines.find((l) => l.sku === line.sku) : undefined) ??
      (line.listingRef ? lines.find((l) => l.channelVariantRef === line.listingRef) : undefined);
    if (!match) return { ok: false, problem: `no line of order ${order.number} matches ${line.sku ?? line.externalLineId ?? line.listingRef ?? "the returned item"}` };
    const before = wanted.get(match.id);
    wanted.set(match.id, {
      quantity: (before?.quantity ?? 0) + line.quantity,
      reason: before?.reason ?? line.reason,
      channelReason: before ? `${before.channelReason}, ${line.channelReason}` : line.channelReason,
      ...(line.note ? { note: line.note } : {}),
    });
  }
  const byId = new Map(lines.map((l) => [l.id, l]));
  for (const [lineId, want] of wanted) {
    const line = byId.get(lineId)!;
    if (line.returning + want.quantity > line.quantity) {
      return { ok: false, problem: `${name} returns ${want.quantity} of "${line.title}" on order ${order.number}, but only ${Math.max(0, line.quantity - line.returning)} of ${line.quantity} are not already being returned` };
    }
  }

  const unitNet = (l: { unitPriceMinor: number; discountMinor: number; quantity: number }) => Math.max(0, l.unitPriceMinor - Math.floor(l.discountMinor / Math.max(1, l.quantity)));
  const itemsValue = [...wanted].reduce((sum, [lineId, want]) => sum + unitNet(byId.get(lineId)!) * want.quantity, 0);
  const [lastShipment] = await tx
    .select({ locationId: shipments.locationId })
    .from(shipments)
    .where(eq(shipments.orderId, order.id))
    .orderBy(sql`${shipments.shippedAt} DESC NULLS LAST`)
    .limit(1);
  const destinationLocationId = lastShipment?.locationId ?? (await defaultReturnLocation(tx, connection.shopId));
  const rmaNumber = await nextRmaNumber(tx, connection.shopId, order.number);
  const reasons = [...wanted.values()].map((w) => w.channelReason).join(", ");
  const [created] = await tx
    .insert(returns)
    .values({
      shopId: connection.shopId,
      orderId: order.id,
      rmaNumber,
      status: "requested",
      resolution: "refund",
      source: connection.channel,
      externalId: record.externalReturnId,
      destinationLocationId,
      currency: order.currency,
      itemsValueMinor: itemsValue,
      payoutMinor: itemsValue,
      explanation: [`Opened on ${name} as return ${record.externalReturnId} (${reasons}); ${name}'s return policy applies, fees are settled there.`],
      requestedAt: record.requestedAt,
    })
    .returning({ id: returns.id });
  const returnId = created!.id;
  await tx.insert(returnLines).values(
    [...wanted].map(([lineId, want]) => ({
      shopId: connection.shopId,
      returnId,
      orderLineId: lineId,
      variantId: byId.get(lineId)!.variantId,
      quantity: want.quantity,
      reason: want.reason,
      customerNote: want.note ?? null,
      unitNetMinor: unitNet(byId.get(lineId)!),
    })),
  );
  const units = [...wanted.values()].reduce((sum, w) => sum + w.quantity, 0);
  const actor = `channel:${connection.channel}`;
  await appendReturnEvents(tx, connection.shopId, returnId, [
    { kind: "requested", message: `Return requested on ${name} (${units} unit${units === 1 ? "" : "s"}, ${reasons})`, actor, data: { externalReturnId: record.externalReturnId } },
  ]);
  await appendTimeline(tx, connection.shopId, order.id, [{ kind: "return_requested", message: `Return ${rmaNumber} requested on ${name}`, actor, data: { returnId } }]);
  return { ok: true, returnId, created: true };
}

/** Moves the RMA towards the channel's stage, one transitions-table step at a time. */
async function followChannelStage(tx: Tx, connection: ChannelConnectionRef, returnId: string, record: ChannelReturnRecord): Promise<{ ok: true; steps: number } | { ok: false; problem: string }> {
  const [current] = await tx
    .select({ status: returns.status, keepItem: returns.keepItem, trackingNumber: returns.trackingNumber })
    .from(returns)
    .where(and(eq(returns.shopId, connection.shopId), eq(returns.id, returnId)))
    .for("update");
  if (!current || !isRmaStatus(current.status)) return { ok: false, problem: `the return's status ${current?.status ?? "(missing)"} is unknown` };
  const name = channelDisplayName(connection.channel);
  const actor = `channel:${connection.channel}`;
  const note = `${record.channelStatus} on ${name}`;
  let status = current.status;
  let steps = 0;
  for (const event of eventsToward(status, record.stage, { keepItem: current.keepItem })) {
    if (event === "issue_label") {
      const step = transitionRma(status, "issue_label");
      if (!step.ok) return { ok: false, problem: `${name} says ${record.channelStatus}: ${step.detail ?? step.reason}` };
      await tx
        .update(returns)
        .set({
          status: step.to,
          updatedAt: sql`now()`,
          ...(record.trackingNumber && !current.trackingNumber ? { trackingNumber: record.trackingNumber, carrier: record.carrier ?? null } : {}),
        })
        .where(eq(returns.id, returnId));
      const label = record.trackingNumber ? `: ${record.carrier ?? ""} ${record.trackingNumber}`.replace(":  ", ": ") : "";
      await appendReturnEvents(tx, connection.shopId, returnId, [{ kind: "issue_label", message: `Return label issued on ${name}${label}`, actor, data: { from: status, to: step.to } }]);
      await noteIncomingReturnChange(tx, connection.shopId, returnId, status, step.to);
      status = step.to;
      steps++;
      continue;
    }
    if (event === "inspect") break;
    const stepped = await applyReturnStepInTx(tx, {
      shopId: connection.shopId,
      returnId,
      event,
      actor,
      note,
      // The channel did it: nothing to write back to it.
      syncChannel: false,
      ...(event === "refund" ? { reference: `${connection.channel}:${record.externalReturnId}` } : {}),
    });
    if (!stepped.ok) return { ok: false, problem: `${name} says ${record.channelStatus}, which Switchyard cannot follow: ${stepped.detail ?? stepped.reason}` };
    status = stepped.value.to;
    steps++;
  }
  return { ok: true, steps };
}

export interface ChannelReturnProblem {
  id: string;
  channel: string;
  externalReturnId: string;
  externalOrderId: string | null;
  channelStatus: string | null;
  problem: string;
  lastSeenAt: string;
}

/** Channel returns that are not (or no longer) followed, newest first: shown on the returns page. */
export async function listChannelReturnProblems(db: Database, shopId: string, limit = 20): Promise<ChannelReturnProblem[]> {
  const rows = await db
    .select({
      id: channelReturnRecords.id,
      channel: channelReturnRecords.channel,
      externalReturnId: channelReturnRecords.externalReturnId,
      externalOrderId: channelReturnRecords.externalOrderId,
      channelStatus: channelReturnRecords.channelStatus,
      problem: channelReturnRecords.problem,
      lastSeenAt: channelReturnRecords.lastSeenAt,
    })
    .from(channelReturnRecords)
    .where(and(eq(channelReturnRecords.shopId, shopId), isNotNull(channelReturnRecords.problem)))
    .orderBy(desc(channelReturnRecords.lastSeenAt))
    .limit(limit);
  return rows.map((row) => ({ ...row, problem: row.problem!, lastSeenAt: row.lastSeenAt.toISOString() }));
}
