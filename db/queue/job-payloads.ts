import { z } from "zod";
import { unifiedOrderSchema } from "../../core/orders/unified-order";

/**
 * Every task's payload, validated on entry by the task and typed at the enqueue site, so a
 * producer and its consumer cannot drift apart.
 */
export const jobPayloadSchemas = {
  "orders/ingest": z.object({
    shopId: z.guid(),
    order: unifiedOrderSchema,
    /** The inbox row that carried the order, marked processed with the outcome. */
    deliveryRowId: z.number().int().optional(),
    actor: z.string().default("system"),
  }),
  "webhooks/process": z.object({
    deliveryRowId: z.number().int(),
  }),
  "orders/fill-backorders": z.object({
    shopId: z.guid(),
  }),
  "orders/route": z.object({
    shopId: z.guid(),
  }),
  "inventory/sync": z.object({
    shopId: z.guid(),
    /** The connection to push to; absent: every connection of the shop with dirty variants. */
    connectionId: z.guid().optional(),
    /** Consecutive failed runs of this connection, for the backoff. */
    attempt: z.number().int().min(0).default(0),
  }),
  "inventory:reconcile": z.looseObject({
    /** Absent (the cron's run): every connected connection is reconciled, one job each. */
    shopId: z.guid().optional(),
    connectionId: z.guid().optional(),
  }),
  "shopify/import": z.object({
    shopId: z.guid(),
    connectionId: z.guid(),
    importRunId: z.guid(),
  }),
  "channels/cancel-order": z.object({
    shopId: z.guid(),
    orderId: z.guid(),
  }),
  "channels/confirm-fulfillment": z.object({
    shopId: z.guid(),
    shipmentId: z.guid(),
  }),
  "returns/create-exchange-order": z.object({
    shopId: z.guid(),
    returnId: z.guid(),
  }),
  "returns/sync-channel": z.object({
    shopId: z.guid(),
    returnId: z.guid(),
  }),
  "returns/buy-label": z.object({
    shopId: z.guid(),
    returnId: z.guid(),
    /** As shipping/buy-label's: queued by the sweep of interrupted purchases, buys nothing. */
    settleOnly: z.boolean().optional(),
  }),
  /**
   * Refunds one return label bought but never to be used: a second label bought for a return
   * that keeps the one it holds (ADR 0009). Always names its purchase; a return has no
   * merchant's void.
   */
  "returns/void-label": z.object({
    shopId: z.string().uuid(),
    returnId: z.string().uuid(),
    purchaseId: z.string().uuid(),
    actor: z.string().default("system"),
  }),
  /** A decision or refund made in Switchyard, written to the channel of the return's order. */
  "returns/channel-write": z.object({
    shopId: z.guid(),
    returnId: z.guid(),
    event: z.enum(["approve", "decline", "refund"]),
  }),
  /** One connection's returns read from its channel since the stored cursor. */
  "returns/poll-channel": z.object({
    connectionId: z.guid(),
  }),
  "returns:poll-due": z.looseObject({}),
  "shipping/buy-label": z.object({
    shopId: z.guid(),
    shipmentId: z.guid(),
    /**
     * Set by the sweep of interrupted purchases (labels:settle-interrupted, ADR 0009): only a
     * `buying` record is settled, from the provider's answer (its label recorded, or the attempt
     * ended failed); nothing is bought.
     */
    settleOnly: z.boolean().optional(),
  }),
  "shipping/void-label": z.object({
    shopId: z.guid(),
    shipmentId: z.guid(),
    actor: z.string().default("system"),
    /**
     * Set only for a label bought but never to be used (ADR 0009): one found at the provider
     * after its shipment stopped waiting for it, a second label bought for a shipment that keeps
     * another, or the label of a shipment cancelled with its order. That purchase record's label
     * is refunded (never the label the shipment keeps) and the shipment is left as it is.
     */
    purchaseId: z.guid().optional(),
  }),
  "wms/handoff": z.object({
    shopId: z.guid(),
    handoffId: z.guid(),
  }),
  "maintenance:prune-inbox": z.looseObject({}),
  /** The crontab's sweep of interrupted label purchases: no parameters (graphile-worker adds _cron). */
  "labels:settle-interrupted": z.looseObject({}),
  "channels/poll-orders": z.object({
    connectionId: z.guid(),
  }),
  "channels:poll-due": z.looseObject({}),
  /** Without a shop: every shop with orders changed since its watermark (the crontab's form). */
  "reports:rollup": z.looseObject({ shopId: z.guid().optional() }),
  /** Return-rate rollups; without a shop: every shop with orders or returns changed since its watermark. */
  "reports:returns-rollup": z.looseObject({ shopId: z.guid().optional() }),
} as const;

export type TaskName = keyof typeof jobPayloadSchemas;
export type JobPayload<T extends TaskName> = z.input<(typeof jobPayloadSchemas)[T]>;
export type ParsedJobPayload<T extends TaskName> = z.output<(typeof jobPayloadSchemas)[T]>;
