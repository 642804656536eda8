import { and, asc, desc, eq, getTableColumns, gte, inArray, lt, sql, type SQL } from "drizzle-orm";
import type { PostalAddress } from "../../core/orders/unified-order";
import type { DbOrTx } from "../client";
import { outer } from "./sql-helpers";
import {
  orderAtLocation,
  orderSearchCondition,
  ordersAtLocationCondition,
  recentMatchCondition,
  recentWindowBound,
  usesRecentWindow,
} from "./order-search-queries";
import { planOrderSearch, tooRareForWindow, type OrderSearchPlan } from "./search-index-plan";
import { searchPatterns } from "./search-terms";
import { allocations, exceptions, locations, orderEvents, orderLines, orders, shipments } from "../schema";
import { isDateInRange, UUID_PATTERN } from "../../core/shared/input-bounds";

/** Read models for the orders list and the order page. */

export const ORDER_PAGE_SIZE = 25;

export interface OrderListFilters {
  channels?: readonly string[];
  statuses?: readonly string[];
  /** Orders with a reservation or a shipment at this location. */
  locationId?: string;
  /** Inclusive UTC day, YYYY-MM-DD. */
  placedFrom?: string;
  /** Inclusive UTC day, YYYY-MM-DD. */
  placedTo?: string;
  /** Order number, customer name, email or phone, channel or customer id, or a SKU on one of its lines. */
  search?: string;
}

export type OrderCursorDirection = "after" | "before";

export interface OrderPageRequest {
  cursor?: string;
  direction?: OrderCursorDirection;
  pageSize?: number;
}

export interface OrderListRow {
  id: string;
  number: string;
  channel: string;
  status: string;
  financialStatus: string;
  customerName: string | null;
  customerEmail: string | null;
  currency: string;
  totalMinor: number;
  placedAt: string;
  units: number;
  openExceptions: number;
}

export interface OrderListPage {
  rows: OrderListRow[];
  /** Cursor of the first and last rows, for the previous and next pages. */
  startCursor: string | null;
  endCursor: string | null;
  hasPreviousPage: boolean;
  hasNextPage: boolean;
}

/**
 * Newest first by (placed_at, id): the id breaks ties so no order is skipped or repeated
 * between pages even when several arrive in the same millisecond.
 */
export function encodeOrderCursor(placedAt: Date, id: string): string {
  return Buffer.from(`${placedAt.toISOString()}|${id}`, "utf8").toString("base64url");
}

export function decodeOrderCursor(cursor: string): { placedAt: Date; id: string } | undefined {
  const [iso, id] = Buffer.from(cursor, "base64url").toString("utf8").split("|");
  if (!iso || !id || !UUID_PATTERN.test(id)) return undefined;
  const placedAt = new Date(iso);
  // A forged cursor may name year 275760: out of PostgreSQL's range, so not a cursor of ours.
  return isDateInRange(placedAt) ? { placedAt, id } : undefined;
}

/** The cheap filters every strategy applies as they are: shop, channel, status, placed dates. */
export function orderFilterConditions(shopId: string, filters: OrderListFilters): SQL[] {
  const conditions: SQL[] = [eq(orders.shopId, shopId)];
  if (filters.channels?.length) conditions.push(inArray(orders.channel, [...filters.channels]));
  if (filters.statuses?.length) conditions.push(inArray(orders.status, [...filters.statuses]));
  if (filters.placedFrom) conditions.push(gte(orders.placedAt, new Date(`${filters.placedFrom}T00:00:00.000Z`)));
  if (filters.placedTo) {
    const dayAfter = new Date(new Date(`${filters.placedTo}T00:00:00.000Z`).getTime() + 86_400_000);
    conditions.push(lt(orders.placedAt, dayAfter));
  }
  return conditions;
}

/**
 * How the selective filters (a search, a location) are answered. `recent`: the newest
 * SEARCH_RECENT_WINDOW orders passing the other filters, checked row by row (a common term or
 * a busy location fills the page there); `index`: the ids the indexes find, whatever their age
 * (a rare term or a quiet location costs what it matches).
 */
export type OrderSearchStrategy = "recent" | "index";

/** Orders examined newest first before a search falls back to the trigram indexes. */
export const SEARCH_RECENT_WINDOW = 4000;
/**
 * The same for a location filter alone: each order costs two index probes there (a text match
 * is cheap), and one location in a handful serves a page from far fewer orders.
 */
export const LOCATION_RECENT_WINDOW = 1000;

/**
 * The list query itself, unexecuted, so tests can EXPLAIN exactly what the page runs.
 * Newest first by (placed_at, id); `before` walks back towards newer orders. `plan` says what
 * the trigram indexes are asked for (planOrderSearch); without one they are asked for the term.
 */
export function orderListQuery(
  db: DbOrTx,
  shopId: string,
  filters: OrderListFilters,
  page: OrderPageRequest = {},
  searchStrategy: OrderSearchStrategy = "index",
  plan?: OrderSearchPlan,
) {
  const pageSize = page.pageSize ?? ORDER_PAGE_SIZE;
  const direction: OrderCursorDirection = page.direction ?? "after";
  const cursor = page.cursor ? decodeOrderCursor(page.cursor) : undefined;
  const conditions = orderFilterConditions(shopId, filters);
  if (cursor) {
    // Row comparison keeps the keyset condition index-friendly and exact on ties.
    conditions.push(
      direction === "after"
        ? sql`(${orders.placedAt}, ${outer(orders, orders.id)}) < (${cursor.placedAt.toISOString()}::timestamptz, ${cursor.id}::uuid)`
        : sql`(${orders.placedAt}, ${outer(orders, orders.id)}) > (${cursor.placedAt.toISOString()}::timestamptz, ${cursor.id}::uuid)`,
    );
  }
  const search = filters.search ? searchPatterns(filters.search) : undefined;
  const selective = { search, locationId: filters.locationId };
  if (searchStrategy === "recent" && usesRecentWindow(selective)) {
    // A walk down the (shop, placed) index, checking each order and stopping at a full page.
    const window = search?.contains ? SEARCH_RECENT_WINDOW : LOCATION_RECENT_WINDOW;
    conditions.push(recentWindowBound(and(...conditions)!, window, direction === "after"), recentMatchCondition(shopId, selective, plan));
  } else {
    if (search) conditions.push(orderSearchCondition(shopId, search, plan));
    if (filters.locationId) {
      // With a search the matches are few: check each one's location; alone, ask the location's indexes.
      conditions.push(search ? orderAtLocation(outer(orders, orders.id), filters.locationId) : ordersAtLocationCondition(shopId, filters.locationId));
    }
  }
  return db
    .select({
      id: orders.id,
      number: orders.number,
      channel: orders.channel,
      status: orders.status,
      financialStatus: orders.financialStatus,
      customerName: orders.customerName,
      customerEmail: orders.customerEmail,
      currency: orders.currency,
      totalMinor: orders.totalMinor,
      placedAt: orders.placedAt,
      units: sql<number>`(select coalesce(sum(l.quantity), 0)::int from ${orderLines} l where l.order_id = ${outer(orders, orders.id)})`,
      openExceptions: sql<number>`(select count(*)::int from ${exceptions} e where e.order_id = ${outer(orders, orders.id)} and e.status = 'open')`,
    })
    .from(orders)
    .where(and(...conditions))
    .orderBy(...(direction === "after" ? [desc(orders.placedAt), desc(orders.id)] : [asc(orders.placedAt), asc(orders.id)]))
    .limit(pageSize + 1);
}

export async function listOrders(
  db: DbOrTx,
  shopId: string,
  filters: OrderListFilters,
  page: OrderPageRequest = {},
): Promise<OrderListPage> {
  const pageSize = page.pageSize ?? ORDER_PAGE_SIZE;
  const direction: OrderCursorDirection = page.direction ?? "after";
  const cursor = page.cursor ? decodeOrderCursor(page.cursor) : undefined;
  // A search or a location filter first tries the newest orders (fast when matches are
  // common), and only when they do not fill the page asks the indexes (fast when they are
  // rare). Both are exact: a full page from the newest orders is the newest page of matches.
  // A term the statistics call rare goes straight to the indexes: the newest orders would not
  // fill the page.
  const search = filters.search ? searchPatterns(filters.search) : undefined;
  const plan = search ? await planOrderSearch(db, search) : undefined;
  const selective = { search, locationId: filters.locationId };
  const tryRecent = usesRecentWindow(selective) && !tooRareForWindow(plan?.share, SEARCH_RECENT_WINDOW, pageSize);
  const recent = tryRecent ? await orderListQuery(db, shopId, filters, page, "recent", plan) : undefined;
  const fetched = recent && recent.length > pageSize ? recent : await orderListQuery(db, shopId, filters, page, "index", plan);

  const hasMore = fetched.length > pageSize;
  const pageRows = fetched.slice(0, pageSize);
  if (direction === "before") pageRows.reverse();
  const first = pageRows[0];
  const last = pageRows[pageRows.length - 1];

  return {
    rows: pageRows.map((row) => ({ ...row, placedAt: row.placedAt.toISOString() })),
    startCursor: first ? encodeOrderCursor(first.placedAt, first.id) : null,
    endCursor: last ? encodeOrderCursor(last.placedAt, last.id) : null,
    hasPreviousPage: direction === "after" ? Boolean(cursor) : hasMore,
    hasNextPage: direction === "after" ? hasMore : Boolean(cursor),
  };
}

export interface LocationOption {
  id: string;
  name: string;
}

export async function listLocationOptions(db: DbOrTx, shopId: string): Promise<LocationOption[]> {
  return db
    .select({ id: locations.id, name: locations.name })
    .from(locations)
    .where(eq(locations.shopId, shopId))
    .orderBy(asc(locations.priority), asc(locations.name));
}

export interface OrderDetailLine {
  id: string;
  /** Null when the channel sent no SKU (common on Shopify). */
  sku: string | null;
  /** The channel's identity of what was sold (Shopify ProductVariant GID...). */
  channelVariantRef: string | null;
  title: string;
  /** Null on an unmatched line (carriesStock) or a line that holds no stock. */
  variantId: string | null;
  /** The SKU of the variant the line is matched to, when it is. */
  variantSku: string | null;
  /** False for gift cards, lines needing no shipping, custom items: never reserved. */
  carriesStock: boolean;
  quantity: number;
  /** Units the channel fulfilled before Switchyard took the order: never reserved here. */
  fulfilledQuantity: number;
  unitPriceMinor: number;
  /** Units currently held for the line (reservation not yet shipped or released). */
  reserved: number;
  shipped: number;
  /** Units neither reserved nor shipped: what the order is still waiting for. */
  short: number;
}

export interface OrderDetailAllocation {
  id: string;
  orderLineId: string;
  sku: string;
  locationId: string;
  locationName: string;
  quantity: number;
  status: string;
  /** The shipment the units are planned on (labels bought or being bought), if any. */
  shipmentId: string | null;
  createdAt: string;
}

export interface OrderDetailShipment {
  id: string;
  locationName: string;
  status: string;
  carrier: string | null;
  service: string | null;
  trackingNumber: string | null;
  trackingUrl: string | null;
  createdAt: string;
  shippedAt: string | null;
  deliveredAt: string | null;
  /** When the source channel accepted the fulfillment; null while pending or failed. */
  channelConfirmedAt: string | null;
  /** Why the last confirmation to the channel failed. */
  channelError: string | null;
  /** The printable label (PDF or image) once bought. */
  labelUrl: string | null;
  rateMinor: number | null;
  currency: string | null;
  /** The carrier's latest tracking status. */
  trackingStatus: string | null;
  /** Why the last label purchase failed; null once one succeeded. */
  labelError: string | null;
  /** Why this rate was chosen. */
  rateExplanation: string | null;
}

export interface OrderDetailEvent {
  id: number;
  kind: string;
  message: string;
  actor: string;
  createdAt: string;
}

export interface OrderDetailException {
  id: string;
  kind: string;
  status: string;
  message: string;
  createdAt: string;
}

export interface OrderDetail {
  order: {
    id: string;
    number: string;
    channel: string;
    externalId: string;
    status: string;
    financialStatus: string;
    riskLevel: string | null;
    riskReasons: string[];
    customerName: string | null;
    customerEmail: string | null;
    shippingAddress: PostalAddress | null;
    currency: string;
    subtotalMinor: number;
    shippingMinor: number;
    taxMinor: number;
    discountMinor: number;
    totalMinor: number;
    tags: string[];
    note: string | null;
    placedAt: string;
    cancelledAt: string | null;
  };
  lines: OrderDetailLine[];
  allocations: OrderDetailAllocation[];
  shipments: OrderDetailShipment[];
  events: OrderDetailEvent[];
  exceptions: OrderDetailException[];
}

export async function getOrderDetail(db: DbOrTx, shopId: string, orderId: string): Promise<OrderDetail | undefined> {
  const [order] = await db
    .select()
    .from(orders)
    .where(and(eq(orders.shopId, shopId), eq(orders.id, orderId)))
    .limit(1);
  if (!order) return undefined;

  const [lineRows, allocationRows, shipmentRows, eventRows, exceptionRows] = await Promise.all([
    db
      .select({
        ...getTableColumns(orderLines),
        // The catalogue SKU the line was matched (or mapped) to: lines often carry none themselves.
        variantSku: sql<string | null>`(SELECT v.sku FROM variants v WHERE v.id = ${orderLines}.variant_id)`,
      })
      .from(orderLines)
      .where(and(eq(orderLines.shopId, shopId), eq(orderLines.orderId, orderId)))
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
        createdAt: allocations.createdAt,
      })
      .from(allocations)
      .innerJoin(locations, eq(locations.id, allocations.locationId))
      .where(and(eq(allocations.shopId, shopId), eq(allocations.orderId, orderId)))
      .orderBy(asc(allocations.createdAt), asc(allocations.id)),
    db
      .select({
        id: shipments.id,
        locationName: locations.name,
        status: shipments.status,
        carrier: shipments.carrier,
        service: shipments.service,
        trackingNumber: shipments.trackingNumber,
        trackingUrl: shipments.trackingUrl,
        createdAt: shipments.createdAt,
        shippedAt: shipments.shippedAt,
        deliveredAt: shipments.deliveredAt,
        channelConfirmedAt: shipments.channelConfirmedAt,
        channelError: shipments.channelError,
        labelUrl: shipments.labelUrl,
        rateMinor: shipments.rateMinor,
        currency: shipments.currency,
        trackingStatus: shipments.trackingStatus,
        labelError: shipments.labelError,
        rateExplanation: shipments.rateExplanation,
      })
      .from(shipments)
      .innerJoin(locations, eq(locations.id, shipments.locationId))
      .where(and(eq(shipments.shopId, shopId), eq(shipments.orderId, orderId)))
      .orderBy(asc(shipments.createdAt)),
    db
      .select({
        id: orderEvents.id,
        kind: orderEvents.kind,
        message: orderEvents.message,
        actor: orderEvents.actor,
        createdAt: orderEvents.createdAt,
      })
      .from(orderEvents)
      .where(and(eq(orderEvents.shopId, shopId), eq(orderEvents.orderId, orderId)))
      .orderBy(desc(orderEvents.id)),
    db
      .select({
        id: exceptions.id,
        kind: exceptions.kind,
        status: exceptions.status,
        message: exceptions.message,
        createdAt: exceptions.createdAt,
      })
      .from(exceptions)
      .where(and(eq(exceptions.shopId, shopId), eq(exceptions.orderId, orderId)))
      .orderBy(desc(exceptions.createdAt)),
  ]);

  const skuByLine = new Map(lineRows.map((line) => [line.id, line.variantSku ?? line.sku ?? line.title]));
  const heldByLine = (lineId: string, status: string) =>
    allocationRows
      .filter((allocation) => allocation.orderLineId === lineId && allocation.status === status)
      .reduce((sum, allocation) => sum + allocation.quantity, 0);

  return {
    order: {
      id: order.id,
      number: order.number,
      channel: order.channel,
      externalId: order.externalId,
      status: order.status,
      financialStatus: order.financialStatus,
      riskLevel: order.riskLevel,
      riskReasons: order.riskReasons,
      customerName: order.customerName,
      customerEmail: order.customerEmail,
      shippingAddress: order.shippingAddress,
      currency: order.currency,
      subtotalMinor: order.subtotalMinor,
      shippingMinor: order.shippingMinor,
      taxMinor: order.taxMinor,
      discountMinor: order.discountMinor,
      totalMinor: order.totalMinor,
      tags: order.tags,
      note: order.note,
      placedAt: order.placedAt.toISOString(),
      cancelledAt: order.cancelledAt?.toISOString() ?? null,
    },
    lines: lineRows.map((line) => {
      const reserved = heldByLine(line.id, "reserved");
      const shipped = heldByLine(line.id, "shipped");
      return {
        id: line.id,
        sku: line.sku,
        channelVariantRef: line.channelVariantRef,
        title: line.title,
        variantId: line.variantId,
        variantSku: line.variantSku,
        carriesStock: line.carriesStock,
        quantity: line.quantity,
        fulfilledQuantity: line.fulfilledQuantity,
        unitPriceMinor: line.unitPriceMinor,
        reserved,
        shipped,
        // A cancelled order waits for nothing, and a line without stock never does.
        short:
          order.status === "cancelled" || !line.carriesStock
            ? 0
            : Math.max(0, line.quantity - line.fulfilledQuantity - reserved - shipped),
      };
    }),
    allocations: allocationRows.map((allocation) => ({
      ...allocation,
      sku: skuByLine.get(allocation.orderLineId) ?? "",
      createdAt: allocation.createdAt.toISOString(),
    })),
    shipments: shipmentRows.map((shipment) => ({
      ...shipment,
      createdAt: shipment.createdAt.toISOString(),
      shippedAt: shipment.shippedAt?.toISOString() ?? null,
      deliveredAt: shipment.deliveredAt?.toISOString() ?? null,
      channelConfirmedAt: shipment.channelConfirmedAt?.toISOString() ?? null,
    })),
    events: eventRows.map((event) => ({ ...event, createdAt: event.createdAt.toISOString() })),
    exceptions: exceptionRows.map((exception) => ({ ...exception, createdAt: exception.createdAt.toISOString() })),
  };
}
