import { sql } from "drizzle-orm";
import { bigint, boolean, index, integer, jsonb, pgTable, text, timestamp, unique, uuid, bigserial } from "drizzle-orm/pg-core";
import type { PostalAddress } from "../../core/orders/unified-order";
import { shops } from "./shops";
import { locations } from "./locations";
import { variants } from "./catalog";

export const orders = pgTable(
  "orders",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    shopId: uuid("shop_id").notNull().references(() => shops.id, { onDelete: "cascade" }),
    channel: text("channel").notNull(),
    externalId: text("external_id").notNull(),
    number: text("number").notNull(),
    status: text("status").notNull(),
    financialStatus: text("financial_status").notNull(),
    riskLevel: text("risk_level"),
    riskReasons: jsonb("risk_reasons").$type<string[]>().notNull().default([]),
    customerName: text("customer_name"),
    customerEmail: text("customer_email"),
    customerPhone: text("customer_phone"),
    customerExternalId: text("customer_external_id"),
    shippingAddress: jsonb("shipping_address").$type<PostalAddress | null>(),
    billingAddress: jsonb("billing_address").$type<PostalAddress | null>(),
    currency: text("currency").notNull(),
    subtotalMinor: bigint("subtotal_minor", { mode: "number" }).notNull(),
    shippingMinor: bigint("shipping_minor", { mode: "number" }).notNull().default(0),
    taxMinor: bigint("tax_minor", { mode: "number" }).notNull().default(0),
    discountMinor: bigint("discount_minor", { mode: "number" }).notNull().default(0),
    totalMinor: bigint("total_minor", { mode: "number" }).notNull(),
    tags: jsonb("tags").$type<string[]>().notNull().default([]),
    note: text("note"),
    /** The shipping method chosen at checkout ("Express Shipping"): what the delivery promise is read from. */
    shippingMethod: text("shipping_method"),
    placedAt: timestamp("placed_at", { withTimezone: true }).notNull(),
    /** The channel's own last-modified time: an older update never overwrites a newer one. */
    sourceUpdatedAt: timestamp("source_updated_at", { withTimezone: true }).notNull(),
    /**
     * The channel payload, kept for inspection and routing, when it did not arrive as a stored
     * delivery (a Shopify import, orders written before migration 0024). Null when
     * sourceDeliveryId names where it is kept.
     */
    sourcePayload: jsonb("source_payload"),
    /**
     * The inbox row (webhook_deliveries) whose body is this order's payload, stored once as it
     * arrived instead of copied here (docs/adr/0022). No foreign key: the inbox keeps the rows
     * orders name (its prune skips them), and a reader treats a missing row as no payload.
     */
    sourceDeliveryId: bigint("source_delivery_id", { mode: "number" }),
    cancelledAt: timestamp("cancelled_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    unique("orders_shop_channel_external").on(t.shopId, t.channel, t.externalId),
    index("orders_shop_updated_idx").on(t.shopId, t.updatedAt, t.id),
    index("orders_shop_placed_idx").on(t.shopId, t.placedAt),
    // Status filters page newest first, and the dashboard's attention list reads the oldest first.
    index("orders_shop_status_idx").on(t.shopId, t.status, t.placedAt),
    // Exact order-number look-ups (and searches too short for trigrams).
    index("orders_shop_number_idx").on(t.shopId, t.number),
    /**
     * The channels page's last order per channel (lastOrderReceivedAt). On lower(channel), which
     * the order look-ups never name: with no statistics yet (a new database, or one just
     * upgraded), the planner rated an index on (shop_id, channel, …) as good as the unique key
     * for an exact order and took it, reading every order of the shop for each look-up
     * (docs/adr/0027). Channel names are lower case, so the value is the same.
     */
    index("orders_shop_channel_created_idx").on(t.shopId, sql`lower(${t.channel})`, t.createdAt),
    // The inbox's prune asks whether an order still names a delivery before deleting it.
    index("orders_source_delivery_idx").on(t.sourceDeliveryId).where(sql`source_delivery_id IS NOT NULL`),
  ],
);

export const orderLines = pgTable(
  "order_lines",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    // No foreign key to shops: the row reaches its shop through its order (cascade), and a second
    // check per row cost intake's inserts ~19 % of PostgreSQL's CPU in all (docs/adr/0021).
    shopId: uuid("shop_id").notNull(),
    // Deleted with its order by the order's trigger, not checked per inserted row (docs/adr/0026).
    orderId: uuid("order_id").notNull(),
    externalLineId: text("external_line_id").notNull(),
    /**
     * Null when the line matched no variant (an unmatched line: kept, raised as an exception,
     * mapped by the merchant from the order page) or when it carries no stock.
     */
    variantId: uuid("variant_id").references(() => variants.id, { onDelete: "set null" }),
    /** As the channel sent it; null when it sent none (Shopify allows blank SKUs). */
    sku: text("sku"),
    /** The channel's identity of what was sold (Shopify ProductVariant GID, Amazon seller SKU...). */
    channelVariantRef: text("channel_variant_ref"),
    /** False for gift cards, lines needing no shipping and custom items: shown, never reserved. */
    carriesStock: boolean("carries_stock").notNull().default(true),
    title: text("title").notNull(),
    /** Units still ordered (after the channel's edits and removals; 0 for a removed line). */
    quantity: integer("quantity").notNull(),
    /** Units the channel fulfilled itself before Switchyard took the order over. */
    fulfilledQuantity: integer("fulfilled_quantity").notNull().default(0),
    unitPriceMinor: bigint("unit_price_minor", { mode: "number" }).notNull(),
    discountMinor: bigint("discount_minor", { mode: "number" }).notNull().default(0),
    taxMinor: bigint("tax_minor", { mode: "number" }).notNull().default(0),
  },
  (t) => [
    unique("order_lines_order_external").on(t.orderId, t.externalLineId),
    index("order_lines_variant_idx").on(t.variantId),
    // Unmatched lines waiting for a mapping: few rows, found by shop when a mapping is made.
    index("order_lines_unmatched_idx").on(t.shopId).where(sql`${t.variantId} IS NULL AND ${t.carriesStock}`),
  ],
);

export const shipments = pgTable(
  "shipments",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    shopId: uuid("shop_id").notNull().references(() => shops.id, { onDelete: "cascade" }),
    orderId: uuid("order_id").notNull().references(() => orders.id, { onDelete: "cascade" }),
    locationId: uuid("location_id").notNull().references(() => locations.id),
    /** pending | label_purchased | shipped | delivered | cancelled */
    status: text("status").notNull().default("pending"),
    carrier: text("carrier"),
    service: text("service"),
    trackingNumber: text("tracking_number"),
    trackingUrl: text("tracking_url"),
    labelUrl: text("label_url"),
    rateMinor: bigint("rate_minor", { mode: "number" }),
    currency: text("currency"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    shippedAt: timestamp("shipped_at", { withTimezone: true }),
    deliveredAt: timestamp("delivered_at", { withTimezone: true }),
    /** The source channel's fulfillment id once the shipment was confirmed there (Shopify Fulfillment GID). */
    channelFulfillmentId: text("channel_fulfillment_id"),
    channelConfirmedAt: timestamp("channel_confirmed_at", { withTimezone: true }),
    /** Why the last confirmation to the channel failed; cleared when it succeeds. */
    channelError: text("channel_error"),
    /** The label provider's shipment (EasyPost shp_...) and tracker, once a label was bought. */
    providerShipmentId: text("provider_shipment_id"),
    trackerId: text("tracker_id"),
    /** The carrier's latest tracking status (pre_transit, in_transit, delivered...). */
    trackingStatus: text("tracking_status"),
    trackingUpdatedAt: timestamp("tracking_updated_at", { withTimezone: true }),
    labelPurchasedAt: timestamp("label_purchased_at", { withTimezone: true }),
    /** Why the last label purchase did not happen; cleared when one succeeds. */
    labelError: text("label_error"),
    /** Why this rate was chosen, for the order page. */
    rateExplanation: text("rate_explanation"),
    /** The pick wave the shipment is picked in, once batched. */
    pickWaveId: uuid("pick_wave_id"),
  },
  (t) => [
    index("shipments_order_idx").on(t.orderId),
    index("shipments_tracker_idx").on(t.trackerId),
    index("shipments_location_status_idx").on(t.locationId, t.status),
    // The Orders page's location filter reads a quiet location's orders from here.
    index("shipments_location_idx").on(t.locationId, t.orderId),
  ],
);

/**
 * A reservation row: this many units of an order line held at one location.
 * reserved -> shipped (with the shipment) or released (cancellation, re-routing).
 */
export const allocations = pgTable(
  "allocations",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    // Reaches its order and shop through its line (cascade): no foreign key to either (docs/adr/0021).
    shopId: uuid("shop_id").notNull(),
    orderId: uuid("order_id").notNull(),
    // Kept by the parents' triggers instead of foreign keys checked per inserted row (docs/adr/0026):
    // deleted with its line; a variant or location it holds units of cannot be deleted.
    orderLineId: uuid("order_line_id").notNull(),
    variantId: uuid("variant_id").notNull(),
    locationId: uuid("location_id").notNull(),
    quantity: integer("quantity").notNull(),
    status: text("status").notNull().default("reserved"),
    shipmentId: uuid("shipment_id").references(() => shipments.id, { onDelete: "set null" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("allocations_order_idx").on(t.orderId),
    index("allocations_line_idx").on(t.orderLineId),
    // The Orders page's location filter reads a quiet location's orders from here.
    index("allocations_location_idx").on(t.locationId, t.orderId),
  ],
);

/** The order timeline a merchant reads on the order page. */
export const orderEvents = pgTable(
  "order_events",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    // Reaches its shop through its order (cascade): no foreign key to shops (docs/adr/0021).
    shopId: uuid("shop_id").notNull(),
    // Deleted with its order by the order's trigger, not checked per inserted row (docs/adr/0026).
    orderId: uuid("order_id").notNull(),
    kind: text("kind").notNull(),
    message: text("message").notNull(),
    data: jsonb("data").$type<Record<string, unknown>>().notNull().default({}),
    actor: text("actor").notNull().default("system"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("order_events_order_idx").on(t.orderId, t.id)],
);
