import { sql } from "drizzle-orm";
import { boolean, index, integer, jsonb, pgTable, text, timestamp, unique, uuid, bigint } from "drizzle-orm/pg-core";
import { shops } from "./shops";
import { locations } from "./locations";
import { shipments } from "./orders";

/**
 * A shop's account with a label provider (EasyPost). The API key and the webhook secret are
 * encrypted together (rule 10); the settings hold what is not secret, such as a sandbox's base URL.
 */
export const carrierAccounts = pgTable(
  "carrier_accounts",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    shopId: uuid("shop_id").notNull().references(() => shops.id, { onDelete: "cascade" }),
    provider: text("provider").notNull(),
    name: text("name").notNull(),
    /** connected | disconnected */
    status: text("status").notNull().default("connected"),
    /** AES-256-GCM ciphertext of { apiKey, webhookSecret }. */
    credentialsEncrypted: text("credentials_encrypted").notNull(),
    settings: jsonb("settings").$type<Record<string, unknown>>().notNull().default({}),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [unique("carrier_accounts_shop_provider").on(t.shopId, t.provider)],
);

/**
 * The idempotency record of a label purchase: written and committed before the provider is
 * asked to buy, so after a retry or a crash the purchase is reconciled by looking the
 * provider's shipment up, never bought twice. One row per attempt; a new attempt only after
 * the previous one failed outright or its label was voided.
 */
export const labelPurchases = pgTable(
  "label_purchases",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    shopId: uuid("shop_id").notNull().references(() => shops.id, { onDelete: "cascade" }),
    shipmentId: uuid("shipment_id").notNull().references(() => shipments.id, { onDelete: "cascade" }),
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
    /** Why this rate: the policy's explanation, shown on the order page. */
    explanation: text("explanation"),
    error: text("error"),
    /** submitted | refunded | rejected once a void was asked for. */
    refundStatus: text("refund_status"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    unique("label_purchases_shipment_attempt").on(t.shipmentId, t.attempt),
    unique("label_purchases_idempotency_key").on(t.idempotencyKey),
    // The sweep of interrupted purchases (labels:settle-interrupted) reads the few `buying` rows
    // among every label ever bought: a small partial index.
    index("label_purchases_buying_idx").on(t.updatedAt).where(sql`state = 'buying'`),
  ],
);

/** A batch of shipments picked together at one location. */
export const pickWaves = pgTable(
  "pick_waves",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    shopId: uuid("shop_id").notNull().references(() => shops.id, { onDelete: "cascade" }),
    locationId: uuid("location_id").notNull().references(() => locations.id, { onDelete: "cascade" }),
    /** Per shop, increasing: what the picker reads ("Wave 12"). */
    number: integer("number").notNull(),
    createdBy: text("created_by").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [unique("pick_waves_shop_number").on(t.shopId, t.number), index("pick_waves_location_idx").on(t.locationId, t.createdAt)],
);

/** Where shipments ready to pick are announced (a WMS or 3PL), with a secret to sign each body. */
export const wmsEndpoints = pgTable(
  "wms_endpoints",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    shopId: uuid("shop_id").notNull().references(() => shops.id, { onDelete: "cascade" }),
    /** Only this location's shipments; every location's when null. */
    locationId: uuid("location_id").references(() => locations.id, { onDelete: "cascade" }),
    url: text("url").notNull(),
    /** AES-256-GCM ciphertext of the signing secret. */
    secretEncrypted: text("secret_encrypted").notNull(),
    active: boolean("active").notNull().default(true),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("wms_endpoints_shop_idx").on(t.shopId)],
);

/** One shipment announced to one endpoint: retried with backoff until it answers 2xx. */
export const wmsHandoffs = pgTable(
  "wms_handoffs",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    shopId: uuid("shop_id").notNull().references(() => shops.id, { onDelete: "cascade" }),
    endpointId: uuid("endpoint_id").notNull().references(() => wmsEndpoints.id, { onDelete: "cascade" }),
    shipmentId: uuid("shipment_id").notNull().references(() => shipments.id, { onDelete: "cascade" }),
    /** pending | delivered | failed */
    status: text("status").notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    lastHttpStatus: integer("last_http_status"),
    lastError: text("last_error"),
    deliveredAt: timestamp("delivered_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [unique("wms_handoffs_endpoint_shipment").on(t.endpointId, t.shipmentId)],
);
