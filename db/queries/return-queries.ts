import { and, asc, desc, eq, lt, or, sql, type SQL } from "drizzle-orm";
import { RMA_FINAL_STATUSES, type RmaStatus } from "../../core/returns/rma-state-machine";
import type { DbOrTx } from "../client";
import { locations, orderLines, orders, returnEvents, returnLines, returns } from "../schema";

export const RETURN_PAGE_SIZE = 25;

/** Hours a return may wait in each open status before it is late; shown as SLA age. */
export const RETURN_SLA_HOURS: Partial<Record<RmaStatus, number>> = {
  requested: 24,
  approved: 72,
  received: 48,
  inspected: 24,
};

export interface ReturnQueueRow {
  id: string;
  rmaNumber: string;
  orderId: string;
  orderNumber: string;
  channel: string;
  customerName: string | null;
  status: string;
  resolution: string;
  source: string;
  /** The channel's own return id (eBay return, Amazon RMA), when the return was made there. */
  externalId: string | null;
  units: number;
  payoutMinor: number;
  currency: string;
  requestedAt: string;
  updatedAt: string;
  slaHours: number | null;
}

export interface ReturnQueuePage {
  rows: ReturnQueueRow[];
  countsByStatus: { status: string; count: number }[];
  nextCursor: string | null;
}

function encodeCursor(at: Date, id: string) {
  return Buffer.from(`${at.toISOString()}|${id}`, "utf8").toString("base64url");
}

function decodeCursor(cursor: string): { at: Date; id: string } | undefined {
  const [iso, id] = Buffer.from(cursor, "base64url").toString("utf8").split("|");
  if (!iso || !id || !/^[0-9a-f-]{36}$/i.test(id)) return undefined;
  const at = new Date(iso);
  return Number.isNaN(at.getTime()) || at.getUTCFullYear() > 9999 ? undefined : { at, id };
}

/** Open returns oldest first (the longest wait is the most urgent); finished ones newest first. */
export async function listReturns(
  db: DbOrTx,
  shopId: string,
  filter: { status?: RmaStatus; open?: boolean; after?: string; channel?: string },
): Promise<ReturnQueuePage> {
  const conditions: SQL[] = [eq(returns.shopId, shopId)];
  if (filter.channel) conditions.push(eq(orders.channel, filter.channel));
  if (filter.status) conditions.push(eq(returns.status, filter.status));
  else if (filter.open !== false) conditions.push(sql`${returns.status} NOT IN (${sql.join(RMA_FINAL_STATUSES.map((s) => sql`${s}`), sql`, `)}, 'declined')`);
  const cursor = filter.after ? decodeCursor(filter.after) : undefined;
  const newestFirst = filter.open === false || (filter.status !== undefined && RMA_FINAL_STATUSES.includes(filter.status));
  if (cursor) {
    conditions.push(
      newestFirst
        ? or(lt(returns.requestedAt, cursor.at), and(eq(returns.requestedAt, cursor.at), lt(returns.id, cursor.id)))!
        : sql`(${returns.requestedAt}, ${returns.id}) > (${cursor.at.toISOString()}::timestamptz, ${cursor.id}::uuid)`,
    );
  }
  const rows = await db
    .select({
      id: returns.id,
      rmaNumber: returns.rmaNumber,
      orderId: returns.orderId,
      orderNumber: orders.number,
      channel: orders.channel,
      customerName: orders.customerName,
      status: returns.status,
      resolution: returns.resolution,
      source: returns.source,
      externalId: returns.externalId,
      units: sql<number>`(SELECT coalesce(sum(quantity), 0)::int FROM return_lines WHERE return_id = ${returns.id})`,
      payoutMinor: returns.payoutMinor,
      currency: returns.currency,
      requestedAt: returns.requestedAt,
      updatedAt: returns.updatedAt,
    })
    .from(returns)
    .innerJoin(orders, eq(orders.id, returns.orderId))
    .where(and(...conditions))
    .orderBy(...(newestFirst ? [desc(returns.requestedAt), desc(returns.id)] : [asc(returns.requestedAt), asc(returns.id)]))
    .limit(RETURN_PAGE_SIZE + 1);
  const counts = await db
    .select({ status: returns.status, count: sql<number>`count(*)::int` })
    .from(returns)
    .where(eq(returns.shopId, shopId))
    .groupBy(returns.status);
  const page = rows.slice(0, RETURN_PAGE_SIZE);
  const last = page[page.length - 1];
  return {
    rows: page.map((row) => ({
      ...row,
      requestedAt: row.requestedAt.toISOString(),
      updatedAt: row.updatedAt.toISOString(),
      slaHours: RETURN_SLA_HOURS[row.status as RmaStatus] ?? null,
    })),
    countsByStatus: counts,
    nextCursor: rows.length > RETURN_PAGE_SIZE && last ? encodeCursor(new Date(last.requestedAt), last.id) : null,
  };
}

export async function getReturnDetail(db: DbOrTx, shopId: string, returnId: string) {
  const [header] = await db
    .select({
      id: returns.id,
      rmaNumber: returns.rmaNumber,
      status: returns.status,
      resolution: returns.resolution,
      source: returns.source,
      keepItem: returns.keepItem,
      currency: returns.currency,
      itemsValueMinor: returns.itemsValueMinor,
      restockingFeeMinor: returns.restockingFeeMinor,
      returnShippingFeeMinor: returns.returnShippingFeeMinor,
      storeCreditBonusMinor: returns.storeCreditBonusMinor,
      payoutMinor: returns.payoutMinor,
      explanation: returns.explanation,
      labelUrl: returns.labelUrl,
      trackingNumber: returns.trackingNumber,
      carrier: returns.carrier,
      trackingUrl: returns.trackingUrl,
      trackingStatus: returns.trackingStatus,
      labelError: returns.labelError,
      declineReason: returns.declineReason,
      channelReturnId: returns.channelReturnId,
      channelSyncState: returns.channelSyncState,
      channelSyncError: returns.channelSyncError,
      channelSyncedAt: returns.channelSyncedAt,
      channelRefundId: returns.channelRefundId,
      refundReference: returns.refundReference,
      exchangeOrderId: returns.exchangeOrderId,
      requestedAt: returns.requestedAt,
      orderId: returns.orderId,
      orderNumber: orders.number,
      channel: orders.channel,
      customerName: orders.customerName,
      customerEmail: orders.customerEmail,
      destination: locations.name,
    })
    .from(returns)
    .innerJoin(orders, eq(orders.id, returns.orderId))
    .leftJoin(locations, eq(locations.id, returns.destinationLocationId))
    .where(and(eq(returns.shopId, shopId), eq(returns.id, returnId)));
  if (!header) return null;
  const exchangeVariants = sql<string | null>`(SELECT sku FROM variants ev WHERE ev.id = ${returnLines.exchangeVariantId})`;
  const lines = await db
    .select({
      id: returnLines.id,
      title: orderLines.title,
      sku: orderLines.sku,
      quantity: returnLines.quantity,
      reason: returnLines.reason,
      customerNote: returnLines.customerNote,
      exchangeSku: exchangeVariants,
      unitNetMinor: returnLines.unitNetMinor,
      grade: returnLines.grade,
      disposition: returnLines.disposition,
      inspectionNotes: returnLines.inspectionNotes,
    })
    .from(returnLines)
    .innerJoin(orderLines, eq(orderLines.id, returnLines.orderLineId))
    .where(eq(returnLines.returnId, header.id))
    .orderBy(asc(returnLines.id));
  const events = await db
    .select({ id: returnEvents.id, kind: returnEvents.kind, message: returnEvents.message, actor: returnEvents.actor, createdAt: returnEvents.createdAt })
    .from(returnEvents)
    .where(eq(returnEvents.returnId, header.id))
    .orderBy(desc(returnEvents.id))
    .limit(200);
  return {
    ...header,
    requestedAt: header.requestedAt.toISOString(),
    lines,
    events: events.map((event) => ({ ...event, createdAt: event.createdAt.toISOString() })),
  };
}
export type ReturnDetail = NonNullable<Awaited<ReturnType<typeof getReturnDetail>>>;

/** Units per disposition over the shop's returns, for the returns page header. */
export async function dispositionTotals(db: DbOrTx, shopId: string): Promise<{ disposition: string; units: number }[]> {
  return db
    .select({ disposition: returnLines.disposition, units: sql<number>`sum(${returnLines.quantity})::int` })
    .from(returnLines)
    .where(and(eq(returnLines.shopId, shopId), sql`${returnLines.disposition} IS NOT NULL`))
    .groupBy(returnLines.disposition)
    .then((rows) => rows.map((row) => ({ disposition: row.disposition!, units: row.units })));
}
