import { and, sql } from "drizzle-orm";
import type { DbOrTx } from "../client";
import { listOrders, orderFilterConditions, type OrderListFilters, type OrderListRow } from "./order-queries";
import { orderSearchCondition } from "./order-search-queries";
import { planOrderSearch } from "./search-index-plan";
import { searchPatterns } from "./search-terms";
import { orders } from "../schema";

/** Orders per query while exporting: each batch is one bounded keyset page. */
export const ORDER_EXPORT_BATCH_SIZE = 1000;

/**
 * Every order matching the filters, newest first, in keyset-paged batches. The export is the
 * one place the merchant asks for the whole history, so it walks all of it, but never holds
 * more than one batch: the caller streams each batch out before the next is read.
 */
export async function* orderExportBatches(
  db: DbOrTx,
  shopId: string,
  filters: OrderListFilters,
  batchSize = ORDER_EXPORT_BATCH_SIZE,
): AsyncGenerator<OrderListRow[]> {
  let cursor: string | undefined;
  for (;;) {
    const page = await listOrders(db, shopId, filters, { cursor, direction: "after", pageSize: batchSize });
    if (page.rows.length > 0) yield page.rows;
    if (!page.hasNextPage || !page.endCursor) return;
    cursor = page.endCursor;
  }
}

/** How many orders the export will write, for its progress bar (a count over the history the merchant asked for). */
export async function countOrdersForExport(db: DbOrTx, shopId: string, filters: OrderListFilters): Promise<number> {
  const conditions = orderFilterConditions(shopId, filters);
  const search = filters.search ? searchPatterns(filters.search) : undefined;
  if (search) conditions.push(orderSearchCondition(shopId, search, await planOrderSearch(db, search)));
  const [row] = await db.select({ count: sql<number>`count(*)::int` }).from(orders).where(and(...conditions));
  return row?.count ?? 0;
}
