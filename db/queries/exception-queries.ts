import { and, asc, eq, sql, type SQL } from "drizzle-orm";
import { DEFAULT_EXCEPTION_SLA_HOURS } from "../../core/orders/exception-sla";
import type { DbOrTx } from "../client";
import { exceptions, orders } from "../schema";
import { isDateInRange, UUID_PATTERN } from "../../core/shared/input-bounds";

export const EXCEPTION_PAGE_SIZE = 25;

export interface OpenExceptionRow {
  id: string;
  kind: string;
  message: string;
  retryCount: number;
  createdAt: string;
  orderId: string | null;
  orderNumber: string | null;
  orderStatus: string | null;
}

export interface OpenExceptionPage {
  rows: OpenExceptionRow[];
  countsByKind: { kind: string; count: number }[];
  total: number;
  /** Pass back as `after` for the next (younger) page. */
  nextCursor: string | null;
}

function encodeCursor(createdAt: Date, id: string): string {
  return Buffer.from(`${createdAt.toISOString()}|${id}`, "utf8").toString("base64url");
}

function decodeCursor(cursor: string): { createdAt: Date; id: string } | undefined {
  const [iso, id] = Buffer.from(cursor, "base64url").toString("utf8").split("|");
  if (!iso || !id || !UUID_PATTERN.test(id)) return undefined;
  const createdAt = new Date(iso);
  // A forged cursor may name year 275760: out of PostgreSQL's range, so not a cursor of ours.
  return isDateInRange(createdAt) ? { createdAt, id } : undefined;
}

/** The open queue, oldest first: the longest-waiting problem is the most urgent. */
export async function listOpenExceptions(
  db: DbOrTx,
  shopId: string,
  options: { kind?: string; after?: string; pageSize?: number; overdueOnly?: boolean } = {},
): Promise<OpenExceptionPage> {
  const pageSize = options.pageSize ?? EXCEPTION_PAGE_SIZE;
  const open: SQL[] = [eq(exceptions.shopId, shopId), eq(exceptions.status, "open")];
  const conditions = [...open];
  if (options.kind) conditions.push(eq(exceptions.kind, options.kind));
  if (options.overdueOnly) {
    // Past its cause's allowance (core/orders/exception-sla.ts); unknown causes get 24 hours.
    const allowances = sql.join(
      Object.entries(DEFAULT_EXCEPTION_SLA_HOURS).map(([kind, hours]) => sql`(${kind}::text, ${hours}::int)`),
      sql`, `,
    );
    conditions.push(sql`${exceptions.createdAt} <= now() - make_interval(hours => coalesce((SELECT s.hours FROM (VALUES ${allowances}) AS s(kind, hours) WHERE s.kind = ${exceptions.kind}), 24))`);
  }
  const cursor = options.after ? decodeCursor(options.after) : undefined;
  if (cursor) {
    conditions.push(sql`(${exceptions.createdAt}, ${exceptions.id}) > (${cursor.createdAt.toISOString()}::timestamptz, ${cursor.id}::uuid)`);
  }

  const [fetched, counts] = await Promise.all([
    db
      .select({
        id: exceptions.id,
        kind: exceptions.kind,
        message: exceptions.message,
        retryCount: exceptions.retryCount,
        createdAt: exceptions.createdAt,
        orderId: exceptions.orderId,
        orderNumber: orders.number,
        orderStatus: orders.status,
      })
      .from(exceptions)
      .leftJoin(orders, eq(orders.id, exceptions.orderId))
      .where(and(...conditions))
      .orderBy(asc(exceptions.createdAt), asc(exceptions.id))
      .limit(pageSize + 1),
    db
      .select({ kind: exceptions.kind, count: sql<number>`count(*)::int` })
      .from(exceptions)
      .where(and(...open))
      .groupBy(exceptions.kind)
      .orderBy(asc(exceptions.kind)),
  ]);
  const rows = fetched.slice(0, pageSize);
  const last = rows[rows.length - 1];
  return {
    rows: rows.map((row) => ({ ...row, createdAt: row.createdAt.toISOString() })),
    countsByKind: counts,
    total: counts.reduce((sum, row) => sum + row.count, 0),
    nextCursor: fetched.length > pageSize && last ? encodeCursor(last.createdAt, last.id) : null,
  };
}

