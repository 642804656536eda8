import { sql } from "drizzle-orm";
import { bigint, bigserial, boolean, check, index, integer, jsonb, pgTable, text, timestamp, unique, uuid } from "drizzle-orm/pg-core";
import { locations } from "./locations";
import { orders, orderLines } from "./orders";
import { shops } from "./shops";
import { variants } from "./catalog";

/**
 * A return (RMA). Its status moves only through core/returns/rma-state-machine; the quote the
 * customer saw (fees, payout, explanation) is kept with it, so the merchant reads the same
 * reasons. One row per channel return: (shop, source, external id) is unique, so a redelivered
 * Shopify returns/request or a re-read eBay return adds nothing.
 */
export const returns = pgTable(
  "returns",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    shopId: uuid("shop_id").notNull().references(() => shops.id, { onDelete: "cascade" }),
    orderId: uuid("order_id").notNull().references(() => orders.id, { onDelete: "cascade" }),
    rmaNumber: text("rma_number").notNull(),
    status: text("status").notNull().default("requested"),
    /** refund | store_credit | exchange */
    resolution: text("resolution").notNull().default("refund"),
    /** Where the request came from: customer_account | portal | admin | shopify | ebay | amazon | woocommerce */
    source: text("source").notNull(),
    /** The channel's own return id, when the return was made on the channel. */
    externalId: text("external_id"),
    /** Where the parcel goes back to: restock and inspection happen there. */
    destinationLocationId: uuid("destination_location_id").references(() => locations.id),
    currency: text("currency").notNull(),
    itemsValueMinor: bigint("items_value_minor", { mode: "number" }).notNull().default(0),
    restockingFeeMinor: bigint("restocking_fee_minor", { mode: "number" }).notNull().default(0),
    returnShippingFeeMinor: bigint("return_shipping_fee_minor", { mode: "number" }).notNull().default(0),
    storeCreditBonusMinor: bigint("store_credit_bonus_minor", { mode: "number" }).notNull().default(0),
    payoutMinor: bigint("payout_minor", { mode: "number" }).notNull().default(0),
    keepItem: boolean("keep_item").notNull().default(false),
    explanation: jsonb("explanation").$type<string[]>().notNull().default([]),
    /** The exchange order created (and reserved) at request time: an instant exchange. */
    exchangeOrderId: uuid("exchange_order_id").references(() => orders.id, { onDelete: "set null" }),
    labelUrl: text("label_url"),
    trackingNumber: text("tracking_number"),
    carrier: text("carrier"),
    declineReason: text("decline_reason"),
    refundReference: text("refund_reference"),
    /** The tracker and provider shipment of a bought return label (EasyPost), so tracker events find the return. */
    trackingUrl: text("tracking_url"),
    providerShipmentId: text("provider_shipment_id"),
    trackerId: text("tracker_id"),
    trackingStatus: text("tracking_status"),
    trackingUpdatedAt: timestamp("tracking_updated_at", { withTimezone: true }),
    labelError: text("label_error"),
    /**
     * The return's mirror on its sales channel (a Shopify Return GID). Set when our request
     * placed it, or when the return was made on the channel; one RMA per channel return.
     */
    channelReturnId: text("channel_return_id"),
    /**
     * pending (a write is queued) | placing (a request or create was sent, its answer not yet
     * recorded) | synced | failed | unmirrorable (the channel holds nothing returnable: money
     * goes back as a plain refund) | order_missing (the channel does not have the order: nothing
     * is mirrored); null where the channel takes no returns.
     */
    channelSyncState: text("channel_sync_state"),
    channelSyncError: text("channel_sync_error"),
    channelSyncedAt: timestamp("channel_synced_at", { withTimezone: true }),
    /** The channel's refund made outside a return (refundCreate), once. */
    channelRefundId: text("channel_refund_id"),
    requestedAt: timestamp("requested_at", { withTimezone: true }).notNull().defaultNow(),
    decidedAt: timestamp("decided_at", { withTimezone: true }),
    receivedAt: timestamp("received_at", { withTimezone: true }),
    resolvedAt: timestamp("resolved_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    unique("returns_shop_rma").on(t.shopId, t.rmaNumber),
    unique("returns_shop_source_external").on(t.shopId, t.source, t.externalId),
    unique("returns_shop_channel_return").on(t.shopId, t.channelReturnId),
    index("returns_tracker_idx").on(t.shopId, t.trackerId),
    index("returns_order_idx").on(t.orderId),
    index("returns_shop_status_requested_idx").on(t.shopId, t.status, t.requestedAt),
    // The returns rollup finds the returns changed since its watermark.
    index("returns_shop_updated_idx").on(t.shopId, t.updatedAt),
    // ...and recomputes whole days of returns by requested_at.
    index("returns_shop_requested_idx").on(t.shopId, t.requestedAt),
  ],
);

export const returnLines = pgTable(
  "return_lines",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    shopId: uuid("shop_id").notNull().references(() => shops.id, { onDelete: "cascade" }),
    returnId: uuid("return_id").notNull().references(() => returns.id, { onDelete: "cascade" }),
    orderLineId: uuid("order_line_id").notNull().references(() => orderLines.id, { onDelete: "cascade" }),
    variantId: uuid("variant_id").references(() => variants.id),
    quantity: integer("quantity").notNull(),
    /** One of core/returns RETURN_REASONS. */
    reason: text("reason").notNull(),
    customerNote: text("customer_note"),
    exchangeVariantId: uuid("exchange_variant_id").references(() => variants.id),
    unitNetMinor: bigint("unit_net_minor", { mode: "number" }).notNull(),
    /** A–D, set at inspection. */
    grade: text("grade"),
    /** restock | refurbish | dispose, decided from grade and reason by the disposition policy. */
    disposition: text("disposition"),
    inspectionNotes: text("inspection_notes"),
    inspectedAt: timestamp("inspected_at", { withTimezone: true }),
  },
  (t) => [
    index("return_lines_return_idx").on(t.returnId),
    index("return_lines_order_line_idx").on(t.orderLineId),
    // Returns as incoming stock and the return-rate charts read a variant's return lines.
    index("return_lines_variant_idx").on(t.variantId),
    check("return_lines_quantity_positive", sql`${t.quantity} > 0`),
  ],
);

/** Refurbishing units: back in the building but not for sale until repaired. */
export const returnHoldings = pgTable(
  "return_holdings",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    shopId: uuid("shop_id").notNull().references(() => shops.id, { onDelete: "cascade" }),
    returnLineId: uuid("return_line_id").notNull().references(() => returnLines.id, { onDelete: "cascade" }),
    variantId: uuid("variant_id").notNull().references(() => variants.id),
    locationId: uuid("location_id").notNull().references(() => locations.id),
    quantity: integer("quantity").notNull(),
    /** refurbish | dispose */
    disposition: text("disposition").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [unique("return_holdings_line").on(t.returnLineId), index("return_holdings_shop_variant_idx").on(t.shopId, t.variantId)],
);

/** The return's timeline, read on the return page (the order timeline gets a summary line). */
export const returnEvents = pgTable(
  "return_events",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    shopId: uuid("shop_id").notNull().references(() => shops.id, { onDelete: "cascade" }),
    returnId: uuid("return_id").notNull().references(() => returns.id, { onDelete: "cascade" }),
    kind: text("kind").notNull(),
    message: text("message").notNull(),
    data: jsonb("data").$type<Record<string, unknown>>().notNull().default({}),
    actor: text("actor").notNull().default("system"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("return_events_return_idx").on(t.returnId, t.id)],
);

/** A shop's return rules (core/returns/return-rules), edited on the returns settings page. */
export const returnSettings = pgTable("return_settings", {
  shopId: uuid("shop_id").primaryKey().references(() => shops.id, { onDelete: "cascade" }),
  rules: jsonb("rules").$type<Record<string, unknown>>().notNull().default({}),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});

/**
 * The return label's purchase records, the same decision as an order's label (ADR 0009,
 * core/shipping/label-purchase-decision): written and committed before the provider is asked
 * to buy, reconciled against the provider's shipment after a crash, one owner per attempt.
 */
export const returnLabelPurchases = pgTable(
  "return_label_purchases",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    shopId: uuid("shop_id").notNull().references(() => shops.id, { onDelete: "cascade" }),
    returnId: uuid("return_id").notNull().references(() => returns.id, { onDelete: "cascade" }),
    attempt: integer("attempt").notNull(),
    idempotencyKey: text("idempotency_key").notNull(),
    /** buying | purchased | failed | voided */
    state: text("state").notNull(),
    provider: text("provider").notNull(),
    providerShipmentId: text("provider_shipment_id").notNull(),
    rateId: text("rate_id").notNull(),
    carrier: text("carrier").notNull(),
    service: text("service").notNull(),
    amountMinor: bigint("amount_minor", { mode: "number" }).notNull(),
    currency: text("currency").notNull(),
    explanation: text("explanation"),
    error: text("error"),
    /** submitted | refunded once a second label bought for the return was refunded (ADR 0009). */
    refundStatus: text("refund_status"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    unique("return_label_purchases_return_attempt").on(t.returnId, t.attempt),
    unique("return_label_purchases_idempotency_key").on(t.idempotencyKey),
    // As label_purchases_buying_idx: the sweep of interrupted purchases reads only `buying` rows.
    index("return_label_purchases_buying_idx").on(t.updatedAt).where(sql`state = 'buying'`),
  ],
);
