import { getTableColumns, getTableName, sql, type InferInsertModel, type InferSelectModel } from "drizzle-orm";
import type { PgColumn, PgTable } from "drizzle-orm/pg-core";
import type { DbOrTx } from "./client";
import { executePrepared } from "./prepared-statement";

/**
 * Many rows in one INSERT with ONE parameter: the rows travel as a single JSON document, an array
 * with one array of values per row, and each column is read by its position and cast to the
 * table's own type. Drizzle's multi-row insert renders every value of every row as a parameter of
 * its own, and at intake batch sizes (hundreds of rows × a dozen columns) building that statement
 * cost the worker more CPU than PostgreSQL spent running it (docs/adr/0017). The rows are typed by
 * the table, as with Drizzle; jsonb values are nested in the document as they are (never
 * stringified twice).
 *
 * Positions, not objects keyed by column name (`jsonb_to_recordset`, until docs/adr/0026): the
 * names repeated in every row made the document a third larger for PostgreSQL to parse, each
 * column was found by a key search, and the worker built one dictionary object per row.
 *
 * The first row names the columns; a column it leaves out takes its default in every row. A later
 * row that leaves out one of them gets NULL, or the column's default value where it cannot be NULL.
 */
export async function insertJsonRows<T extends PgTable, K extends keyof InferSelectModel<T> & string = never>(
  db: DbOrTx,
  table: T,
  rows: readonly InferInsertModel<T>[],
  options: { returning?: readonly K[]; onConflictDoNothing?: boolean } = {},
): Promise<Pick<InferSelectModel<T>, K>[]> {
  if (rows.length === 0) return [];
  const plan = planFor(table, rows[0] as Record<string, unknown>, options);
  const document = rows.map((row) => {
    const values = row as Record<string, unknown>;
    return plan.columns.map(({ key, column }) => {
      const value = values[key];
      return driverValue(column, value === undefined ? absentValue(table, key, column) : value);
    });
  });
  const result = await executePrepared<Record<string, unknown>>(db, sql`${sql.raw(plan.head)}${JSON.stringify(document)}${sql.raw(plan.tail)}`);
  if (plan.returning.length === 0) return [];
  return result.rows.map((row) => {
    const picked: Record<string, unknown> = {};
    for (const { key, name } of plan.returning) picked[key] = row[name];
    return picked as Pick<InferSelectModel<T>, K>;
  });
}

interface InsertPlan {
  columns: { key: string; column: PgColumn }[];
  /** The statement up to its one parameter, and after it. */
  head: string;
  tail: string;
  returning: { key: string; name: string }[];
}

// Per table, per shape of the first row (its keys and the options): the statement text and the
// columns in document order, worked out once instead of for every batch.
const plans = new WeakMap<PgTable, Map<string, InsertPlan>>();

function planFor(table: PgTable, first: Record<string, unknown>, options: { returning?: readonly string[]; onConflictDoNothing?: boolean }): InsertPlan {
  const keys = Object.keys(first).filter((key) => first[key] !== undefined);
  const shape = `${keys.join(",")}|${(options.returning ?? []).join(",")}|${options.onConflictDoNothing ? 1 : 0}`;
  let byShape = plans.get(table);
  if (!byShape) plans.set(table, (byShape = new Map()));
  const known = byShape.get(shape);
  if (known) return known;

  const columns = getTableColumns(table) as Record<string, PgColumn>;
  const tableName = getTableName(table);
  const columnOf = (key: string): PgColumn => {
    const column = columns[key];
    if (!column) throw new Error(`insertJsonRows: ${tableName} has no column ${key}`);
    return column;
  };
  const planned = keys.map((key) => ({ key, column: columnOf(key) }));
  const returning = (options.returning ?? []).map((key) => ({ key, name: columnOf(key).name }));
  const names = planned.map(({ column }) => `"${column.name}"`).join(", ");
  const values = planned.map(({ column }, position) => valueAt(column, position)).join(", ");
  const conflict = options.onConflictDoNothing ? " ON CONFLICT DO NOTHING" : "";
  const returningClause = returning.length > 0 ? ` RETURNING ${returning.map(({ name }) => `"${name}"`).join(", ")}` : "";
  const plan: InsertPlan = {
    columns: planned,
    head: `INSERT INTO "${tableName}" (${names}) SELECT ${values} FROM jsonb_array_elements(`,
    tail: `::jsonb) AS r${conflict}${returningClause}`,
    returning,
  };
  byShape.set(shape, plan);
  return plan;
}

/**
 * The column's value in row `r` at `position`, in the column's type: text cast for scalars (as
 * the column's input function reads it), the element itself for json and jsonb, whose JSON null
 * is SQL NULL as for every other column.
 */
function valueAt(column: PgColumn, position: number): string {
  const type = column.getSQLType();
  if (column.columnType === "PgJsonb") return `nullif(r -> ${position}, 'null'::jsonb)`;
  if (column.columnType === "PgJson") return `nullif(r -> ${position}, 'null'::jsonb)::json`;
  return `(r ->> ${position})::${type}`;
}

/** What the driver is sent for a value: jsonb stays a JSON value inside the document; the rest as Drizzle maps it. */
function driverValue(column: PgColumn, value: unknown): unknown {
  if (value === null) return null;
  if (column.columnType === "PgJsonb" || column.columnType === "PgJson") return value;
  return column.mapToDriverValue(value);
}

/** What a row that leaves out a column the batch sets is given: as Drizzle would insert it alone. */
function absentValue(table: PgTable, key: string, column: PgColumn): unknown {
  if (!column.notNull) return null;
  if (column.hasDefault && column.default !== undefined && !(typeof column.default === "object" && column.default !== null && "queryChunks" in column.default)) return column.default;
  throw new Error(`insertJsonRows: a row of ${getTableName(table)} leaves out ${key}, which cannot be NULL`);
}
