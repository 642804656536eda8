import { sql, type AnyColumn, type SQL } from "drizzle-orm";
import type { PgTable } from "drizzle-orm/pg-core";

/**
 * A column written with its table name. Drizzle leaves columns unqualified in the select list
 * of a single-table query, so inside a correlated subquery `${orders.id}` would bind to the
 * subquery's own `id` column instead of the outer row's.
 */
export function outer(table: PgTable, column: AnyColumn): SQL {
  return sql`${table}.${sql.identifier(column.name)}`;
}
