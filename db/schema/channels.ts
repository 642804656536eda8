import { sql } from "drizzle-orm";
import { integer, jsonb, pgTable, primaryKey, text, timestamp, unique, uuid, index } from "drizzle-orm/pg-core";
import { shops } from "./shops";
import { locations } from "./locations";
import { variants } from "./catalog";

export const channelConnections = pgTable(
  "channel_connections",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    shopId: uuid("shop_id").notNull().references(() => shops.id, { onDelete: "cascade" }),
    channel: text("channel").notNull(),
    name: text("name").notNull(),
    /** connected | paused | error | disconnected */
    status: text("status").notNull().default("connected"),
    /** AES-256-GCM ciphertext of the credentials JSON (see db/crypto/credential-cipher.ts). */
    credentialsEncrypted: text("credentials_encrypted"),
    /** Non-secret settings: base URL, marketplace id, site id... */
    settings: jsonb("settings").$type<Record<string, unknown>>().notNull().default({}),
    lastPushAt: timestamp("last_push_at", { withTimezone: true }),
    lastErrorAt: timestamp("last_error_at", { withTimezone: true }),
    lastError: text("last_error"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [unique("channel_connections_shop_channel_name").on(t.shopId, t.channel, t.name)],
);

/** Which locations feed a channel's available-to-sell. */
export const channelLocations = pgTable(
  "channel_locations",
  {
    connectionId: uuid("connection_id").notNull().references(() => channelConnections.id, { onDelete: "cascade" }),
    locationId: uuid("location_id").notNull().references(() => locations.id, { onDelete: "cascade" }),
  },
  (t) => [primaryKey({ columns: [t.connectionId, t.locationId] })],
);

export const channelListings = pgTable(
  "channel_listings",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    shopId: uuid("shop_id").notNull().references(() => shops.id, { onDelete: "cascade" }),
    connectionId: uuid("connection_id").notNull().references(() => channelConnections.id, { onDelete: "cascade" }),
    variantId: uuid("variant_id").notNull().references(() => variants.id, { onDelete: "cascade" }),
    /** The channel's id for the listing (Shopify inventory item GID, ASIN/SKU, eBay offer id...). */
    externalId: text("external_id").notNull(),
    externalSku: text("external_sku"),
    /**
     * What this channel's order lines carry as `channelVariantRef` for this listing (Shopify
     * ProductVariant GID, Amazon seller SKU, eBay item id[/variation SKU], Woo product or
     * variation id): order lines are matched on it before falling back to the SKU.
     */
    externalVariantRef: text("external_variant_ref"),
    /** Share of pooled stock offered on this channel, 0..100. */
    allocationPercent: integer("allocation_percent").notNull().default(100),
    /** Units held back from this channel after the percentage. */
    buffer: integer("buffer").notNull().default(0),
    lastPushedAvailable: integer("last_pushed_available"),
    lastPushedAt: timestamp("last_pushed_at", { withTimezone: true }),
    /**
     * When the channel was last known to hold `last_pushed_available` with no push of ours in
     * flight (the answer to an applied push, or its settlement); null while a submission is
     * pending or after a conflict. A sale the channel made after it came off that figure, so
     * capturing it moves the figure instead of pushing it back (core/inventory/own-sale-echo.ts).
     */
    lastPushSettledAt: timestamp("last_push_settled_at", { withTimezone: true }),
    lastPushError: text("last_push_error"),
  },
  (t) => [
    unique("channel_listings_connection_variant").on(t.connectionId, t.variantId),
    index("channel_listings_variant_idx").on(t.variantId),
    index("channel_listings_variant_ref_idx").on(t.shopId, t.externalVariantRef),
    // The Channels page counts failing listings per connection: few rows, so a small partial index.
    index("channel_listings_push_error_idx").on(t.connectionId).where(sql`${t.lastPushError} IS NOT NULL`),
  ],
);

/**
 * A line identity the merchant mapped to a variant by hand (from an unmatched line on the
 * order page, or the inventory page), remembered so later orders with the same identity are
 * matched at once. `matchKey` is "ref:<channelVariantRef>" or "sku:<sku>".
 */
export const lineMappings = pgTable(
  "line_mappings",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    shopId: uuid("shop_id").notNull().references(() => shops.id, { onDelete: "cascade" }),
    channel: text("channel").notNull(),
    matchKey: text("match_key").notNull(),
    variantId: uuid("variant_id").notNull().references(() => variants.id, { onDelete: "cascade" }),
    createdBy: text("created_by").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [unique("line_mappings_shop_channel_key").on(t.shopId, t.channel, t.matchKey)],
);

/**
 * What a location-scoped channel (Shopify) was last told per location of a listing. The
 * listing's own last_pushed_available stays the pooled sum of these, for the admin and for
 * channels that take one figure per listing.
 */
export const channelListingLocations = pgTable(
  "channel_listing_locations",
  {
    listingId: uuid("listing_id").notNull().references(() => channelListings.id, { onDelete: "cascade" }),
    locationId: uuid("location_id").notNull().references(() => locations.id, { onDelete: "cascade" }),
    lastPushedAvailable: integer("last_pushed_available"),
    /**
     * What the channel should hold here after its own sales captured since the last push (the
     * last figure less their units), or null: the next push's compare-and-set expects it, so
     * the echo of a Shopify sale is checked and applied with its batch instead of refused.
     */
    expectedAvailable: integer("expected_available"),
    lastPushedAt: timestamp("last_pushed_at", { withTimezone: true }),
    lastPushError: text("last_push_error"),
  },
  (t) => [primaryKey({ columns: [t.listingId, t.locationId] })],
);
