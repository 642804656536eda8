import { isUtf8 } from "node:buffer";
import { and, asc, eq, getTableColumns, gt, isNull, lte, or, sql } from "drizzle-orm";
import { storableText } from "../storable-json";
import type { DbOrTx, Tx } from "../client";
import { executePrepared } from "../prepared-statement";
import { webhookDeliveries } from "../schema";

export interface IncomingDelivery {
  shopId: string | null;
  channel: string;
  deliveryId: string;
  topic: string;
  resourceId?: string | null;
  triggeredAt?: Date | null;
  /** The body exactly as received; parsed by the worker. Preferred: nothing can make it unstorable. */
  rawBody?: Buffer;
  /** An already parsed body, for producers that hold objects (polls) or parse for identity. */
  payload?: unknown;
}

/**
 * True when PostgreSQL can read the bytes as text: well-formed UTF-8 (no overlong form, surrogate
 * or code point above U+10FFFF: Unicode's definition, which both Node and PostgreSQL check) and
 * no NUL, which text cannot hold. Such a body is claimed as text (see claimedColumns).
 */
export function rawBodyIsText(body: Buffer): boolean {
  return isUtf8(body) && !body.includes(0);
}

function deliveryRow(delivery: IncomingDelivery) {
  return {
    shopId: delivery.shopId,
    channel: delivery.channel,
    deliveryId: delivery.deliveryId,
    topic: delivery.topic,
    resourceId: delivery.resourceId ?? null,
    triggeredAt: delivery.triggeredAt ?? null,
    rawBody: delivery.rawBody ?? null,
    rawBodyIsText: delivery.rawBody ? rawBodyIsText(delivery.rawBody) : false,
    // A body of just `null` is valid JSON; stored as JSON null, since SQL NULL means "in raw_body".
    payload: delivery.rawBody ? null : delivery.payload === null || delivery.payload === undefined ? sql`'null'::jsonb` : (delivery.payload as object),
  };
}

export type StoreDeliveryResult =
  | { stored: true; rowId: number }
  /** The same delivery arrived before: a redelivery, which is normal and changes nothing. */
  | { stored: false; reason: "duplicate" };

/**
 * Stores a delivery once, keyed by (channel, delivery id), in one INSERT and nothing else: no job
 * and no NOTIFY per delivery (a notifying commit takes PostgreSQL's global notify lock and
 * defeats group commit). The worker's intake loop claims pending deliveries in batches
 * (jobs/intake, docs/adr/0015). An acknowledged delivery is never lost; a redelivery is a no-op.
 */
export async function storeDelivery(db: DbOrTx, delivery: IncomingDelivery): Promise<StoreDeliveryResult> {
  const [row] = await db
    .insert(webhookDeliveries)
    .values(deliveryRow(delivery))
    .onConflictDoNothing({ target: [webhookDeliveries.channel, webhookDeliveries.deliveryId] })
    .returning({ id: webhookDeliveries.id });
  return row ? { stored: true, rowId: row.id } : { stored: false, reason: "duplicate" };
}

export async function loadDelivery(db: DbOrTx, rowId: number) {
  const [row] = await db.select().from(webhookDeliveries).where(eq(webhookDeliveries.id, rowId));
  return row;
}

/**
 * True when a delivery about the same resource of the same shop, triggered later, was already
 * processed: this one is stale and must not overwrite the newer state. Scoped by shop because
 * sandboxes, the demo and tests reuse channel ids across shops, and one tenant's delivery must
 * never make another's look stale.
 */
export async function newerDeliveryProcessed(
  db: DbOrTx,
  delivery: { channel: string; shopId: string | null; resourceId: string | null; triggeredAt: Date | null },
): Promise<boolean> {
  if (!delivery.resourceId || !delivery.triggeredAt || !delivery.shopId) return false;
  const [newer] = await db
    .select({ id: webhookDeliveries.id })
    .from(webhookDeliveries)
    .where(
      and(
        eq(webhookDeliveries.channel, delivery.channel),
        eq(webhookDeliveries.resourceId, delivery.resourceId),
        eq(webhookDeliveries.shopId, delivery.shopId),
        gt(webhookDeliveries.triggeredAt, delivery.triggeredAt),
        eq(webhookDeliveries.status, "processed"),
      ),
    )
    .limit(1);
  return newer !== undefined;
}

/**
 * Keeps a delivery that cannot be processed (unparseable body, unknown shop) for inspection,
 * already marked failed with the reason, and queues nothing: there is no work to retry.
 * Stored once by (channel, delivery id) like every delivery, so retries add nothing.
 */
export async function storeRejectedDelivery(
  db: DbOrTx,
  delivery: IncomingDelivery & { error: string },
): Promise<{ stored: boolean }> {
  const rows = await db
    .insert(webhookDeliveries)
    .values({
      ...deliveryRow(delivery),
      status: "failed",
      error: delivery.error,
      processedAt: new Date(),
    })
    .onConflictDoNothing({ target: [webhookDeliveries.channel, webhookDeliveries.deliveryId] })
    .returning({ id: webhookDeliveries.id });
  return { stored: rows.length > 0 };
}

export type DeliveryStatus = "processed" | "ignored_stale" | "failed";

export async function markDeliveryProcessed(db: DbOrTx, rowId: number, status: DeliveryStatus, error?: string): Promise<void> {
  await db
    .update(webhookDeliveries)
    .set({ status, error: error ?? null, processedAt: sql`now()` })
    .where(eq(webhookDeliveries.id, rowId));
}

/**
 * A delivery as the intake reads it: a body that is text comes as `bodyText` (rawBody null), any
 * other as its bytes. Reading a 7 KB body as bytea cost PostgreSQL a hex encoding of twice its
 * size and the worker the decoding back, more than the rest of the claim (docs/adr/0019).
 */
export type DeliveryRow = typeof webhookDeliveries.$inferSelect & { bodyText: string | null };

const claimedColumns = {
  ...getTableColumns(webhookDeliveries),
  rawBody: sql<Buffer | null>`CASE WHEN ${webhookDeliveries.rawBodyIsText} THEN NULL ELSE ${webhookDeliveries.rawBody} END`,
  bodyText: sql<string | null>`CASE WHEN ${webhookDeliveries.rawBodyIsText} THEN convert_from(${webhookDeliveries.rawBody}, 'UTF8') END`,
};

const due = or(isNull(webhookDeliveries.retryAt), lte(webhookDeliveries.retryAt, sql`now()`));

/** The stored bytes a claim reads at most, past its first delivery (SWITCHYARD_INTAKE_BATCH_BYTES). */
export const DEFAULT_CLAIM_BYTES = 64 * 1024 * 1024;

/**
 * Claims up to `limit` pending deliveries of one shop, in arrival order, locked in the caller's
 * transaction (FOR UPDATE SKIP LOCKED): the shop is the one of the oldest pending delivery no
 * other worker holds, so workers share the inbox without waiting for each other, and a worker
 * that dies releases its claim with its connection (nothing to sweep).
 *
 * Bounded by bytes as well as by count: the rows are locked reading only their stored sizes, and
 * the bodies are read for the oldest that fit in `maxBytes` (always at least one). At hundreds of
 * deliveries a batch, a run of large orders (a body may be up to 5 MiB) would otherwise hold
 * gigabytes in the worker. The rows past the bound stay pending, locked until the transaction
 * ends, and are claimed by the next batch.
 */
export async function claimPendingDeliveries(tx: Tx, limit: number, maxBytes = DEFAULT_CLAIM_BYTES): Promise<DeliveryRow[]> {
  const locked = await tx
    .select({
      id: webhookDeliveries.id,
      // The stored sizes, read from each value's header: nothing is fetched from TOAST.
      bytes: sql<number>`coalesce(pg_column_size(${webhookDeliveries.rawBody}), 0) + coalesce(pg_column_size(${webhookDeliveries.payload}), 0)`,
    })
    .from(webhookDeliveries)
    .where(
      and(
        eq(webhookDeliveries.status, "received"),
        due,
        sql`${webhookDeliveries.shopId} = (
          SELECT p.shop_id FROM webhook_deliveries p
           WHERE p.status = 'received' AND p.shop_id IS NOT NULL AND (p.retry_at IS NULL OR p.retry_at <= now())
           ORDER BY p.id LIMIT 1 FOR UPDATE SKIP LOCKED)`,
      ),
    )
    .orderBy(asc(webhookDeliveries.id))
    .limit(limit)
    .for("update", { skipLocked: true });
  const ids = idsWithin(locked, maxBytes);
  if (ids.length === 0) return [];
  // One array parameter, not one parameter per id: the same statement text for every batch size,
  // and no list of 500 placeholders for the driver to build and PostgreSQL to parse.
  return tx
    .select(claimedColumns)
    .from(webhookDeliveries)
    .where(sql`${webhookDeliveries.id} = ANY(${sql.param(ids)}::bigint[])`)
    .orderBy(asc(webhookDeliveries.id));
}

/** The oldest rows whose sizes add up to at most `maxBytes`; the first one whatever its size. */
function idsWithin(rows: readonly { id: number; bytes: number }[], maxBytes: number): number[] {
  const ids: number[] = [];
  let total = 0;
  for (const row of rows) {
    total += row.bytes;
    if (ids.length > 0 && total > maxBytes) break;
    ids.push(row.id);
  }
  return ids;
}

/** What a reader needs to turn a stored delivery back into its payload: its route and its body. */
export type DeliveryBody = Pick<DeliveryRow, "channel" | "topic" | "bodyText" | "rawBody" | "payload">;

/** One delivery's body as claimed (text when it is text), unlocked; undefined when the row is gone. */
export async function loadDeliveryBody(db: DbOrTx, rowId: number): Promise<DeliveryBody | undefined> {
  const { channel, topic, bodyText, rawBody, payload } = claimedColumns;
  const [row] = await db.select({ channel, topic, bodyText, rawBody, payload }).from(webhookDeliveries).where(eq(webhookDeliveries.id, rowId));
  return row;
}

/** One delivery, locked (waiting for another holder rather than skipping it). */
export async function lockDelivery(tx: Tx, rowId: number): Promise<DeliveryRow | undefined> {
  const [row] = await tx.select(claimedColumns).from(webhookDeliveries).where(eq(webhookDeliveries.id, rowId)).for("update");
  return row;
}

export interface FinishedDelivery {
  rowId: number;
  status: DeliveryStatus;
  error?: string;
  /** Learnt when the body was parsed; kept for stale-delivery checks and redaction. */
  resourceId?: string | null;
}

/** Records what became of many deliveries in one statement, in the transaction that did the work. */
export async function finishDeliveries(tx: DbOrTx, finished: readonly FinishedDelivery[]): Promise<void> {
  if (finished.length === 0) return;
  const rows = finished.map((f) => ({ id: f.rowId, status: f.status, error: f.error === undefined ? null : storableText(f.error), resource_id: f.resourceId ?? null }));
  await executePrepared(tx, sql`
    UPDATE webhook_deliveries AS d
       SET status = x.status, error = x.error, processed_at = now(), retry_at = NULL,
           resource_id = coalesce(d.resource_id, x.resource_id)
      FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS x(id bigint, status text, error text, resource_id text)
     WHERE d.id = x.id`);
}

/**
 * A delivery whose processing threw (a bug, not bad data: bad data is a value and ends failed):
 * it stays pending and backs off (1 s, 2 s, 4 s… up to 10 min) so the rest of the shop's inbox
 * keeps moving; after `maxAttempts` it is failed with an exception the merchant can retry once
 * the cause is fixed.
 */
export async function recordDeliveryAttempt(db: DbOrTx, rowId: number, error: string, maxAttempts: number): Promise<void> {
  const message = storableText(error).slice(0, 2000);
  await db.execute(sql`
    WITH d AS (
      UPDATE webhook_deliveries
         SET attempts = attempts + 1, error = ${message},
             retry_at = now() + make_interval(secs => least(600, power(2, attempts))),
             status = CASE WHEN attempts + 1 >= ${maxAttempts} THEN 'failed' ELSE status END,
             processed_at = CASE WHEN attempts + 1 >= ${maxAttempts} THEN now() END
       WHERE id = ${rowId} AND status = 'received'
      RETURNING id, shop_id, status, channel, topic, attempts)
    INSERT INTO exceptions (shop_id, delivery_id, kind, message, details)
    SELECT shop_id, id, 'invalid_payload', channel || ' ' || topic || ' could not be processed after ' || attempts || ' attempts: ' || ${message},
           jsonb_build_object('deliveryRowId', id, 'topic', topic, 'reason', ${message})
      FROM d WHERE status = 'failed' AND shop_id IS NOT NULL`);
}

/** Puts a failed delivery back in the inbox (an exception retried after a fix). */
export async function requeueDelivery(db: DbOrTx, rowId: number): Promise<boolean> {
  const rows = await db
    .update(webhookDeliveries)
    .set({ status: "received", error: null, processedAt: null, attempts: 0, retryAt: null })
    .where(and(eq(webhookDeliveries.id, rowId), eq(webhookDeliveries.status, "failed")))
    .returning({ id: webhookDeliveries.id });
  return rows.length > 0;
}
