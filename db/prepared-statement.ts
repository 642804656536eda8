import { createHash } from "node:crypto";
import type { SQL } from "drizzle-orm";
import { PgDialect } from "drizzle-orm/pg-core";
import type { QueryResult, QueryResultRow } from "pg";
import type { DbOrTx } from "./client";

const dialect = new PgDialect();
const names = new Map<string, string>();
const MAX_NAMES = 500;

/**
 * `db.execute` for the statements intake runs on every batch, as a named prepared statement:
 * each connection parses it once, and after five runs PostgreSQL keeps a generic plan when that
 * costs no more than planning afresh. Unnamed, every run was parsed and planned again: ~50 µs of
 * PostgreSQL's CPU per order, 1.4 ms per batch for one statement alone (docs/adr/0025).
 *
 * The name is a digest of the text, so the same text always has the same name (node-postgres
 * refuses one name for two texts) and a text that differs by a column is a statement of its
 * own. Only statements whose text comes from code belong here, never text built from data: each
 * name stays prepared on every connection that ran it, so the set must stay small (the cache of
 * names is bounded for the same reason, and a text past the bound simply runs unnamed).
 */
export function executePrepared<T extends QueryResultRow = Record<string, unknown>>(db: DbOrTx, statement: SQL): Promise<QueryResult<T>> {
  const query = dialect.sqlToQuery(statement);
  const name = nameOf(query.sql);
  return db._.session.prepareQuery<{ execute: QueryResult<T>; all: unknown; values: unknown }>(query, undefined, name, false).execute();
}

function nameOf(text: string): string | undefined {
  const known = names.get(text);
  if (known !== undefined || names.size >= MAX_NAMES) return known;
  const name = `sy_${createHash("sha1").update(text).digest("base64url").slice(0, 20)}`;
  names.set(text, name);
  return name;
}
