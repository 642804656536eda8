import { sql } from "drizzle-orm";
import { boolean, customType, index, integer, jsonb, pgTable, text, timestamp, unique, uuid, bigserial } from "drizzle-orm/pg-core";
import { shops } from "./shops";
import { orders } from "./orders";

/** The bytes of a delivery exactly as they arrived (the signature covers them). */
const bytea = customType<{ data: Buffer; driverData: Buffer }>({ dataType: () => "bytea" });

/**
 * Every delivery from outside, stored once by (channel, delivery id) before anything is
 * done with it: redelivery is a no-op, and a payload that fails validation stays here.
 */
export const webhookDeliveries = pgTable(
  "webhook_deliveries",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    shopId: uuid("shop_id").references(() => shops.id, { onDelete: "cascade" }),
    channel: text("channel").notNull(),
    deliveryId: text("delivery_id").notNull(),
    topic: text("topic").notNull(),
    /** Which resource the delivery is about (e.g. an order GID): for stale-delivery checks. */
    resourceId: text("resource_id"),
    triggeredAt: timestamp("triggered_at", { withTimezone: true }),
    receivedAt: timestamp("received_at", { withTimezone: true }).notNull().defaultNow(),
    /**
     * The body exactly as received, for deliveries stored before parsing (Shopify): no character
     * or depth can make a verified delivery unstorable. Parsed by the worker (docs/adr/0015).
     */
    rawBody: bytea("raw_body"),
    /**
     * Set by the ingress when raw_body is valid UTF-8 without NUL (what PostgreSQL's text accepts),
     * so the claim can read it as text instead of hex-encoded bytes (docs/adr/0019).
     */
    rawBodyIsText: boolean("raw_body_is_text").notNull().default(false),
    /** The parsed body, for channels whose ingress parses (identity inside the body); null when raw_body holds it. */
    payload: jsonb("payload"),
    /** received | processed | ignored_stale | failed */
    status: text("status").notNull().default("received"),
    error: text("error"),
    processedAt: timestamp("processed_at", { withTimezone: true }),
    /** Processing attempts that threw (a bug or an outage, not bad data); backs off until retryAt. */
    attempts: integer("attempts").notNull().default(0),
    retryAt: timestamp("retry_at", { withTimezone: true }),
  },
  (t) => [
    unique("webhook_deliveries_channel_delivery").on(t.channel, t.deliveryId),
    // Only rows that name their resource: a Shopify delivery learns it when processed, so the
    // ingress's INSERT adds no entry here.
    index("webhook_deliveries_resource_idx").on(t.channel, t.resourceId, t.triggeredAt).where(sql`resource_id IS NOT NULL`),
    // The intake's claim: the oldest pending delivery, then its shop's pending ones, both from
    // indexes holding only what waits (a processed row leaves them).
    index("webhook_deliveries_pending_idx").on(t.id).where(sql`status = 'received'`),
    index("webhook_deliveries_pending_shop_idx").on(t.shopId, t.id).where(sql`status = 'received'`),
  ],
);

/** The merchant's queue of things that need a person: address errors, declines, shortfalls. */
export const exceptions = pgTable(
  "exceptions",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    shopId: uuid("shop_id").notNull().references(() => shops.id, { onDelete: "cascade" }),
    orderId: uuid("order_id").references(() => orders.id, { onDelete: "cascade" }),
    deliveryId: integer("delivery_id"),
    /** partial_stock | unknown_sku | payment_declined | address_invalid | high_risk | invalid_payload | sync_failed */
    kind: text("kind").notNull(),
    /** open | resolved */
    status: text("status").notNull().default("open"),
    message: text("message").notNull(),
    details: jsonb("details").$type<Record<string, unknown>>().notNull().default({}),
    retryCount: integer("retry_count").notNull().default(0),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    resolvedAt: timestamp("resolved_at", { withTimezone: true }),
    resolvedBy: text("resolved_by"),
  },
  (t) => [
    index("exceptions_shop_status_idx").on(t.shopId, t.status, t.createdAt),
    // Order lists count each row's open exceptions; without this every row scanned the table.
    index("exceptions_order_idx").on(t.orderId),
  ],
);
