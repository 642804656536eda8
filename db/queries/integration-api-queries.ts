import { and, asc, eq, gt, inArray, or, sql, type SQL } from "drizzle-orm";
import type { DbOrTx } from "../client";
import { available as availableOf } from "../../core/inventory/stock-balance";
import { isDateInRange, UUID_PATTERN } from "../../core/shared/input-bounds";
import { allocations, inventoryLevels, locations, orderLines, orders, shipments, variants } from "../schema";

/** Read side of the integration API: plain JSON-ready shapes, always scoped by shop. */

export interface OrderListFilters {
  channel?: string;
  status?: string;
  updatedSince?: Date;
  limit: number;
  after?: OrderCursor;
}

/** Position in the (updated_at, id) order; the timestamp travels as PostgreSQL text to keep microseconds. */
export interface OrderCursor {
  updatedAt: string;
  id: string;
}

export function encodeCursor(cursor: OrderCursor): string {
  return Buffer.from(JSON.stringify([cursor.updatedAt, cursor.id])).toString("base64url");
}

/** timestamptz as PostgreSQL prints it: "2026-11-20 10:00:00.123456+00". */
const POSTGRES_TIMESTAMP = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?[+-]\d{2}(:\d{2})?$/;

/** A cursor's timestamp must name a real instant PostgreSQL can read: month 13 or hour 25 is not one. */
function timestampInRange(text: string): boolean {
  const [date = "", time = ""] = text.split(" ");
  const [year, month, day] = date.split("-").map(Number) as [number, number, number];
  const clock = /^(\d{2}):(\d{2}):(\d{2})/.exec(time);
  if (!clock) return false;
  const [hour, minute, second] = [Number(clock[1]), Number(clock[2]), Number(clock[3])];
  const offset = /([+-])(\d{2})(?::(\d{2}))?$/.exec(time);
  if (!offset || Number(offset[2]) > 15 || Number(offset[3] ?? 0) > 59) return false;
  const instant = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  return (
    instant.getUTCFullYear() === year &&
    instant.getUTCMonth() === month - 1 &&
    instant.getUTCDate() === day &&
    instant.getUTCHours() === hour &&
    instant.getUTCMinutes() === minute &&
    instant.getUTCSeconds() === second &&
    isDateInRange(instant)
  );
}

export function decodeCursor(text: string): OrderCursor | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(text, "base64url").toString("utf8"));
    if (
      Array.isArray(value) &&
      typeof value[0] === "string" &&
      typeof value[1] === "string" &&
      POSTGRES_TIMESTAMP.test(value[0]) &&
      timestampInRange(value[0]) &&
      UUID_PATTERN.test(value[1])
    ) {
      return { updatedAt: value[0], id: value[1] };
    }
  } catch {
    // fall through: a cursor that does not decode is simply invalid
  }
  return undefined;
}

const orderColumns = {
  id: orders.id,
  channel: orders.channel,
  externalId: orders.externalId,
  number: orders.number,
  status: orders.status,
  financialStatus: orders.financialStatus,
  riskLevel: orders.riskLevel,
  riskReasons: orders.riskReasons,
  customerName: orders.customerName,
  customerEmail: orders.customerEmail,
  customerPhone: orders.customerPhone,
  shippingAddress: orders.shippingAddress,
  billingAddress: orders.billingAddress,
  currency: orders.currency,
  subtotalMinor: orders.subtotalMinor,
  shippingMinor: orders.shippingMinor,
  taxMinor: orders.taxMinor,
  discountMinor: orders.discountMinor,
  totalMinor: orders.totalMinor,
  tags: orders.tags,
  placedAt: orders.placedAt,
  cancelledAt: orders.cancelledAt,
  createdAt: orders.createdAt,
  updatedAt: orders.updatedAt,
  cursorUpdatedAt: sql<string>`${orders.updatedAt}::text`,
};

type OrderRow = { [K in keyof typeof orderColumns]: unknown } & Record<string, unknown>;

function presentOrder(row: OrderRow) {
  const { cursorUpdatedAt: _cursor, riskLevel, riskReasons, customerName, customerEmail, customerPhone, ...rest } = row;
  return {
    ...rest,
    risk: riskLevel ? { level: riskLevel, reasons: riskReasons } : null,
    customer: { name: customerName, email: customerEmail, phone: customerPhone },
  };
}

export async function listOrders(db: DbOrTx, shopId: string, filters: OrderListFilters) {
  const conditions: (SQL | undefined)[] = [eq(orders.shopId, shopId)];
  if (filters.channel) conditions.push(eq(orders.channel, filters.channel));
  if (filters.status) conditions.push(eq(orders.status, filters.status));
  if (filters.updatedSince) conditions.push(sql`${orders.updatedAt} >= ${filters.updatedSince.toISOString()}::timestamptz`);
  if (filters.after) {
    const { updatedAt, id } = filters.after;
    conditions.push(
      or(
        sql`${orders.updatedAt} > ${updatedAt}::timestamptz`,
        and(sql`${orders.updatedAt} = ${updatedAt}::timestamptz`, gt(orders.id, id)),
      ),
    );
  }
  const rows = await db
    .select(orderColumns)
    .from(orders)
    .where(and(...conditions))
    .orderBy(asc(orders.updatedAt), asc(orders.id))
    .limit(filters.limit + 1);
  const page = rows.slice(0, filters.limit);
  const last = page.at(-1);
  const nextCursor = rows.length > filters.limit && last ? encodeCursor({ updatedAt: last.cursorUpdatedAt, id: last.id }) : null;
  return { orders: page.map(presentOrder), nextCursor };
}

export async function getOrder(db: DbOrTx, shopId: string, orderId: string) {
  const [row] = await db
    .select(orderColumns)
    .from(orders)
    .where(and(eq(orders.shopId, shopId), eq(orders.id, orderId)));
  if (!row) return undefined;
  const [lines, reservations, orderShipments] = await Promise.all([
    db
      .select({
        id: orderLines.id,
        externalLineId: orderLines.externalLineId,
        sku: orderLines.sku,
        title: orderLines.title,
        quantity: orderLines.quantity,
        unitPriceMinor: orderLines.unitPriceMinor,
        discountMinor: orderLines.discountMinor,
        taxMinor: orderLines.taxMinor,
        variantId: orderLines.variantId,
      })
      .from(orderLines)
      .where(eq(orderLines.orderId, orderId))
      .orderBy(asc(orderLines.externalLineId)),
    db
      .select({
        id: allocations.id,
        orderLineId: allocations.orderLineId,
        locationId: allocations.locationId,
        locationName: locations.name,
        quantity: allocations.quantity,
        status: allocations.status,
        shipmentId: allocations.shipmentId,
      })
      .from(allocations)
      .innerJoin(locations, eq(locations.id, allocations.locationId))
      .where(eq(allocations.orderId, orderId))
      .orderBy(asc(allocations.createdAt), asc(allocations.id)),
    db.select().from(shipments).where(eq(shipments.orderId, orderId)).orderBy(asc(shipments.createdAt)),
  ]);
  return {
    ...presentOrder(row),
    lines,
    allocations: reservations,
    shipments: orderShipments.map(({ shopId: _shop, ...shipment }) => shipment),
  };
}

export async function inventoryBySku(db: DbOrTx, shopId: string, skus: readonly string[]) {
  if (skus.length === 0) return [];
  const rows = await db
    .select({
      sku: variants.sku,
      variantId: variants.id,
      title: variants.title,
      locationId: locations.id,
      locationName: locations.name,
      onHand: inventoryLevels.onHand,
      reserved: inventoryLevels.reserved,
      safetyStock: inventoryLevels.safetyStock,
    })
    .from(variants)
    .leftJoin(inventoryLevels, eq(inventoryLevels.variantId, variants.id))
    .leftJoin(locations, eq(locations.id, inventoryLevels.locationId))
    .where(and(eq(variants.shopId, shopId), inArray(variants.sku, [...skus])))
    .orderBy(asc(variants.sku), asc(locations.priority), asc(locations.name));

  const bySku = new Map<string, { sku: string; variantId: string; title: string; locations: unknown[]; totals: Record<string, number> }>();
  for (const row of rows) {
    let item = bySku.get(row.sku);
    if (!item) {
      item = { sku: row.sku, variantId: row.variantId, title: row.title, locations: [], totals: { onHand: 0, reserved: 0, available: 0 } };
      bySku.set(row.sku, item);
    }
    if (row.locationId && row.onHand !== null && row.reserved !== null && row.safetyStock !== null) {
      const available = availableOf({ onHand: row.onHand, reserved: row.reserved, safetyStock: row.safetyStock });
      item.locations.push({
        locationId: row.locationId,
        locationName: row.locationName,
        onHand: row.onHand,
        reserved: row.reserved,
        safetyStock: row.safetyStock,
        available,
      });
      item.totals.onHand! += row.onHand;
      item.totals.reserved! += row.reserved;
      item.totals.available! += available;
    }
  }
  return [...bySku.values()];
}

export async function listLocations(db: DbOrTx, shopId: string) {
  const rows = await db.select().from(locations).where(eq(locations.shopId, shopId)).orderBy(asc(locations.priority), asc(locations.name));
  return rows.map(({ shopId: _shop, ...location }) => location);
}
