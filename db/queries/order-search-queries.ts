import { sql, type SQL } from "drizzle-orm";
import { outer } from "./sql-helpers";
import { indexedTextMatch, type OrderSearchPlan } from "./search-index-plan";
import { containsPattern, type SearchPatterns } from "./search-terms";
import { allocations, orderLines, orders, shipments } from "../schema";

/**
 * The orders a search term finds, as a condition on the outer `orders` row.
 *
 * The matching ids come from the trigram indexes (migration 0007): orders whose search text
 * contains the term, united with the orders of lines whose SKU contains it (lines first, then
 * their orders). The cost follows the number of matches, not the shop's history, so a rare or
 * absent term is as fast as a common one; the outer query then pages the matches newest first.
 * With a plan, each index is asked for the rare part of the term the plan chose and the rows it
 * returns are checked for the whole term (search-index-pattern.ts): the same rows, read cheaply.
 * A term shorter than three characters has no trigram to look up and matches order numbers
 * exactly (with or without the leading "#").
 */
export function orderSearchCondition(shopId: string, search: SearchPatterns, plan?: OrderSearchPlan): SQL {
  if (!search.contains) {
    const numbers = search.term.startsWith("#") ? [search.term] : [search.term, `#${search.term}`];
    return sql`${outer(orders, orders.number)} in (${sql.join(
      numbers.map((number) => sql`${number}`),
      sql`, `,
    )})`;
  }
  const { contains, digitsContains } = search;
  const textWindowed = plan && (plan.textWindow !== search.term || plan.digitsWindow !== search.digits);
  const byText = indexedTextMatch({
    id: sql`o.id`,
    text: orderSearchTextOf(sql`o`),
    from: sql`${orders} o`,
    scope: sql`o.shop_id = ${shopId}`,
    match: (text) => textMatches(text, contains, digitsContains),
    ...(textWindowed ? { narrowed: (text: SQL) => textMatches(text, containsPattern(plan.textWindow), plan.digitsWindow ? `%${plan.digitsWindow}%` : undefined) } : {}),
  });
  return sql`${outer(orders, orders.id)} in (${byText} union ${orderIdsBySku(shopId, contains, search.term, plan)})`;
}

/** The order ids of lines whose SKU contains the term (`contains`), from order_lines_sku_trgm_idx. */
function orderIdsBySku(shopId: string, contains: string, term: string, plan?: OrderSearchPlan): SQL {
  return indexedTextMatch({
    id: sql`l.order_id`,
    text: sql`l.sku`,
    from: sql`${orderLines} l`,
    scope: sql`l.shop_id = ${shopId}`,
    match: (text) => sql`${text} ilike ${contains}`,
    ...(plan && plan.skuWindow !== term ? { narrowed: (text: SQL) => sql`${text} ilike ${containsPattern(plan.skuWindow)}` } : {}),
  });
}

/**
 * Below this share of lines (a couple of thousand in two million), the lines matching a term
 * are looked up once in their index and hashed; above it, each order's lines are probed.
 */
const HASHED_LINES_SHARE = 0.001;

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
 * The selective filters checked on the outer `orders` row itself, for a walk over the newest
 * orders (see `recentWindowBound`): the text, then each line's SKU, then the location, each a
 * probe of this one order. Checked row by row, the walk stops as soon as the page is full.
 */
export function recentMatchCondition(shopId: string, filters: SelectiveOrderFilters, plan?: OrderSearchPlan): SQL {
  const checks: SQL[] = [];
  const search = filters.search;
  if (search?.contains) {
    // Lines whose SKU rarely holds the term are found once through their index; otherwise each
    // order's lines are probed (a scalar sub-query with LIMIT is never hashed over the history).
    const byLines =
      plan?.skuShare !== undefined && plan.skuShare < HASHED_LINES_SHARE
        ? sql`${outer(orders, orders.id)} in (${orderIdsBySku(shopId, search.contains, search.term, plan)})`
        : sql`coalesce((select true from ${orderLines} l where l.order_id = ${outer(orders, orders.id)} and l.sku ilike ${search.contains} limit 1), false)`;
    checks.push(sql`(${textMatches(orderSearchTextOf(sql`${orders}`), search.contains, search.digitsContains)} or ${byLines})`);
  }
  if (filters.locationId) checks.push(orderAtLocation(outer(orders, orders.id), filters.locationId));
  return sql.join(checks, sql` and `);
}

/**
 * Keeps a walk within the newest `window` orders passing `conditions` (newest first, or oldest
 * first walking back with `before`): the placed time of the window's last order, read from the
 * (shop, placed) index alone. Ties on that time widen the window by a few orders, which keeps it
 * a prefix of the list, so a full page of matches inside it is the list's page of matches.
 */
export function recentWindowBound(conditions: SQL, window: number, descending: boolean): SQL {
  const edge = sql`(select ${orders.placedAt} from ${orders} where ${conditions}
    order by ${orders.placedAt} ${descending ? sql`desc` : sql`asc`} offset ${window - 1} limit 1)`;
  return descending
    ? sql`${outer(orders, orders.placedAt)} >= coalesce(${edge}, '-infinity'::timestamptz)`
    : sql`${outer(orders, orders.placedAt)} <= coalesce(${edge}, 'infinity'::timestamptz)`;
}
