import { and, eq, gt, sql } from "drizzle-orm";
import type { Database, DbOrTx } from "../client";
import { webhookDeliveries } from "../schema";
import { enqueueJob } from "../queue/job-queue";

export interface IncomingDelivery {
  shopId: string | null;
  channel: string;
  deliveryId: string;
  topic: string;
  resourceId?: string | null;
  triggeredAt?: Date | null;
  payload: unknown;
}

function deliveryRow(delivery: IncomingDelivery) {
  return {
    shopId: delivery.shopId,
    channel: delivery.channel,
    deliveryId: delivery.deliveryId,
    topic: delivery.topic,
    resourceId: delivery.resourceId ?? null,
    triggeredAt: delivery.triggeredAt ?? null,
    // A body of just `null` is valid JSON; stored as JSON null, since SQL NULL breaks NOT NULL (a 500).
    payload: delivery.payload === null ? sql`'null'::jsonb` : (delivery.payload as object),
  };
}

export type StoreDeliveryResult =
  | { stored: true; rowId: number }
  /** The same delivery arrived before: a redelivery, which is normal and changes nothing. */
  | { stored: false; reason: "duplicate" };

/**
 * Stores a delivery once, keyed by (channel, delivery id), and queues its processing in the
 * same transaction, so an acknowledged delivery is never lost and a redelivery is a no-op.
 */
export async function storeDelivery(db: Database, delivery: IncomingDelivery): Promise<StoreDeliveryResult> {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(webhookDeliveries)
      .values(deliveryRow(delivery))
      .onConflictDoNothing({ target: [webhookDeliveries.channel, webhookDeliveries.deliveryId] })
      .returning({ id: webhookDeliveries.id });
    if (!row) return { stored: false, reason: "duplicate" } as const;
    await enqueueJob(tx, "webhooks/process", { deliveryRowId: row.id }, { jobKey: `delivery:${row.id}` });
    return { stored: true, rowId: row.id } as const;
  });
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
