import { getTableColumns, getTableName, sql, type InferInsertModel, type InferSelectModel } from "drizzle-orm";
import type { PgColumn, PgTable } from "drizzle-orm/pg-core";
import type { DbOrTx } from "./client";
import { executePrepared } from "./prepared-statement";

/**
 * Many rows in one INSERT with ONE parameter: the rows travel as a single JSON document that
 * `jsonb_to_recordset` unpacks into the table's own column types. Drizzle's multi-row insert
 * renders every value of every row as a parameter of its own, and at intake batch sizes
 * (hundreds of rows × a dozen columns) building that statement cost the worker more CPU than
 * PostgreSQL spent running it (docs/adr/0017). The rows are typed by the table, as with Drizzle;
 * jsonb values are nested in the document as they are (never stringified twice).
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
  const columns = getTableColumns(table) as Record<string, PgColumn>;
  const keys = Object.keys(rows[0]!).filter((key) => (rows[0] as Record<string, unknown>)[key] !== undefined);
  for (const key of keys) if (!columns[key]) throw new Error(`insertJsonRows: ${getTableName(table)} has no column ${key}`);
  const document = rows.map((row) => {
    const values = row as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const key of keys) {
      out[columns[key]!.name] = driverValue(columns[key]!, values[key] === undefined ? absentValue(table, key, columns[key]!) : values[key]);
    }
    return out;
  });
  const names = keys.map((key) => `"${columns[key]!.name}"`).join(", ");
  const definitions = keys.map((key) => `"${columns[key]!.name}" ${columns[key]!.getSQLType()}`).join(", ");
  const returning = options.returning ?? [];
  const returnedNames = returning.map((key) => {
    if (!columns[key]) throw new Error(`insertJsonRows: ${getTableName(table)} has no column ${key}`);
    return `"${columns[key].name}"`;
  });
  const conflict = options.onConflictDoNothing ? " ON CONFLICT DO NOTHING" : "";
  const returningClause = returnedNames.length > 0 ? ` RETURNING ${returnedNames.join(", ")}` : "";
  const result = await executePrepared<Record<string, unknown>>(db, sql`
    ${sql.raw(`INSERT INTO "${getTableName(table)}" (${names}) SELECT ${names}`)}
      FROM jsonb_to_recordset(${JSON.stringify(document)}::jsonb) AS r(${sql.raw(definitions)})${sql.raw(conflict + returningClause)}`);
  return result.rows.map((row) => {
    const picked: Record<string, unknown> = {};
    for (const key of returning) picked[key] = row[columns[key]!.name];
    return picked as Pick<InferSelectModel<T>, K>;
  });
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
