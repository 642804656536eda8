import { sql, type SQL } from "drizzle-orm";
import { outer } from "./sql-helpers";
import type { SearchPatterns } from "./search-terms";
import { allocations, orderLines, orders, shipments } from "../schema";

/**
 * The orders a search term finds, as a condition on the outer `orders` row.
 *
 * The matching ids come from the trigram indexes (migration 0007): orders whose search text
 * contains the term, united with the orders of lines whose SKU contains it (lines first, then
 * their orders). The cost follows the number of matches, not the shop's history, so a rare or
 * absent term is as fast as a common one; the outer query then pages the matches newest first.
 * A term shorter than three characters has no trigram to look up and matches order numbers
 * exactly (with or without the leading "#").
 */
export function orderSearchCondition(shopId: string, search: SearchPatterns): SQL {
  if (!search.contains) {
    const numbers = search.term.startsWith("#") ? [search.term] : [search.term, `#${search.term}`];
    return sql`${outer(orders, orders.number)} in (${sql.join(
      numbers.map((number) => sql`${number}`),
      sql`, `,
    )})`;
  }
  return sql`${outer(orders, orders.id)} in (
    select o.id from ${orders} o where o.shop_id = ${shopId} and ${orderTextMatch(search.contains, search.digitsContains)}
    union
    select l.order_id from ${orderLines} l where l.shop_id = ${shopId} and l.sku ilike ${search.contains})`;
}

/**
 * The text orders_search_trgm_idx is built on, for the orders row named `table`: the call must
 * stay exactly the index's expression, or the planner falls back to a scan.
 */
export function orderSearchTextOf(table: SQL): SQL {
  return sql`order_search_text(${table}.number, ${table}.customer_name, ${table}.customer_email, ${table}.customer_phone, ${table}.external_id, ${table}.customer_external_id)`;
}

function textMatches(text: SQL, contains: string, digitsContains?: string): SQL {
  return digitsContains ? sql`(${text} ilike ${contains} or ${text} like ${digitsContains})` : sql`${text} ilike ${contains}`;
}

/** The trigram-indexed predicate on orders aliased `o`. */
export function orderTextMatch(contains: string, digitsContains?: string): SQL {
  return textMatches(orderSearchTextOf(sql`o`), contains, digitsContains);
}

export interface SelectiveOrderFilters {
  search?: SearchPatterns;
  locationId?: string;
}

/** Whether a list has a filter worth trying on the newest orders first. */
export function usesRecentWindow(filters: SelectiveOrderFilters): boolean {
  return Boolean(filters.search?.contains || filters.locationId);
}

/** An order (by its id column) with a reservation or a shipment at the location: two index probes. */
export function orderAtLocation(orderId: SQL, locationId: string): SQL {
  return sql`exists (select 1 from ${allocations} a where a.order_id = ${orderId} and a.location_id = ${locationId}
    union all select 1 from ${shipments} s where s.order_id = ${orderId} and s.location_id = ${locationId})`;
}

/** The orders with a reservation or a shipment at the location, from allocations_location_idx and shipments_location_idx. */
export function ordersAtLocationCondition(shopId: string, locationId: string): SQL {
  return sql`${outer(orders, orders.id)} in (
    select a.order_id from ${allocations} a where a.location_id = ${locationId} and a.shop_id = ${shopId}
    union
    select s.order_id from ${shipments} s where s.location_id = ${locationId} and s.shop_id = ${shopId})`;
}

/**
 * The selective filters over a window of recent orders only: `windowSelect` yields the id (and
 * search_text when searching) of the newest orders passing the other filters. Cheap whatever
 * the term or location, and complete when the window holds a full page of matches; the caller
 * falls back to the index conditions otherwise.
 */
export function recentWindowCondition(windowSelect: SQL, filters: SelectiveOrderFilters): SQL {
  const checks: SQL[] = [];
  const contains = filters.search?.contains;
  if (contains) {
    checks.push(sql`(${textMatches(sql`w.search_text`, contains, filters.search?.digitsContains)}
      or w.id in (select l.order_id from ${orderLines} l join w as lw on lw.id = l.order_id where l.sku ilike ${contains}))`);
  }
  if (filters.locationId) checks.push(orderAtLocation(sql`w.id`, filters.locationId));
  return sql`${outer(orders, orders.id)} in (
    with w as materialized (${windowSelect})
    select w.id from w where ${sql.join(checks, sql` and `)})`;
}
