import { sql } from "drizzle-orm";
import type { DbOrTx } from "../client";
import { LABEL_JOB_MAX_ATTEMPTS } from "./shipment-repository";
import { RETURN_LABEL_JOB_MAX_ATTEMPTS } from "./return-label-repository";

/**
 * Interrupted label purchases (ADR 0009): a `buying` record whose job stopped for good (its
 * attempts used up, or a job whose key a newer one took failing with no retry left) would stay
 * `buying` forever, and a label the provider bought and charged for would be neither recorded
 * nor refunded. The sweep queues one settle-only run of the owner's label job for each: it asks
 * the provider and records the label or ends the attempt failed, and never buys.
 */

/**
 * How old a `buying` record must be before the sweep looks at it: far longer than any run holds
 * a purchase open (the provider's calls time out after 30 s), so only a record left behind is
 * this old without a job queued or running for it.
 */
export const INTERRUPTED_PURCHASE_AGE_SECONDS = 30 * 60;

export interface QueuedSettlements {
  shipments: number;
  returns: number;
}

/**
 * Queues a settle-only label job for every `buying` record older than `olderThanSeconds` whose
 * owner has no label job queued or running, for shops whose label provider is connected (no
 * other can answer; their records wait for it). Each table is one statement, so the jobs are
 * added in the transaction that read the records and the queue (rule 4). A job counts as queued
 * or running while it is locked or has attempts left; it is found by its payload in
 * graphile-worker's own table, because the public view shows no payload and a running job whose
 * key a newer job took has no key. Settle jobs have a key of their own: a sweep never replaces
 * the merchant's "Buy label again", and a second sweep finds the first one's job queued.
 */
export async function queueInterruptedPurchaseSettlements(db: DbOrTx, input: { olderThanSeconds: number }): Promise<QueuedSettlements> {
  return {
    shipments: await queueSettlements(db, SHIPMENT_PURCHASES, input.olderThanSeconds),
    returns: await queueSettlements(db, RETURN_PURCHASES, input.olderThanSeconds),
  };
}

/** Where one kind of owner keeps its purchase records, and which job buys its labels. */
interface PurchaseOwner {
  table: "label_purchases" | "return_label_purchases";
  /** The records' column naming the owner, and the job payload's key for it. */
  ownerColumn: "shipment_id" | "return_id";
  payloadKey: "shipmentId" | "returnId";
  task: "shipping/buy-label" | "returns/buy-label";
  maxAttempts: number;
}

const SHIPMENT_PURCHASES: PurchaseOwner = { table: "label_purchases", ownerColumn: "shipment_id", payloadKey: "shipmentId", task: "shipping/buy-label", maxAttempts: LABEL_JOB_MAX_ATTEMPTS };
const RETURN_PURCHASES: PurchaseOwner = { table: "return_label_purchases", ownerColumn: "return_id", payloadKey: "returnId", task: "returns/buy-label", maxAttempts: RETURN_LABEL_JOB_MAX_ATTEMPTS };

async function queueSettlements(db: DbOrTx, owner: PurchaseOwner, olderThanSeconds: number): Promise<number> {
  // Identifiers come from the two constants above, never from input.
  const table = sql.raw(owner.table);
  const ownerId = sql.raw(`p.${owner.ownerColumn}`);
  const jobs = await db.execute<{ id: string }>(sql`
    SELECT graphile_worker.add_job(
             identifier => ${owner.task}::text,
             payload => json_build_object('shopId', p.shop_id, ${owner.payloadKey}::text, ${ownerId}, 'settleOnly', true),
             max_attempts => ${owner.maxAttempts}::int,
             job_key => ${owner.task + ":"}::text || ${ownerId} || ':settle') AS id
      FROM ${table} p
     WHERE p.state = 'buying'
       AND p.updated_at < now() - make_interval(secs => ${olderThanSeconds})
       AND EXISTS (SELECT 1 FROM carrier_accounts a WHERE a.shop_id = p.shop_id AND a.provider = p.provider AND a.status = 'connected')
       AND NOT EXISTS (
             SELECT 1 FROM graphile_worker._private_jobs j
               JOIN graphile_worker._private_tasks t ON t.id = j.task_id
              WHERE t.identifier = ${owner.task}::text
                AND j.payload->>${owner.payloadKey}::text = ${ownerId}::text
                AND (j.locked_at IS NOT NULL OR j.attempts < j.max_attempts))`);
  return jobs.rows.length;
}
