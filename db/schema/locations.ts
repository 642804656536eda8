import { boolean, doublePrecision, integer, pgTable, text, timestamp, uuid, unique } from "drizzle-orm/pg-core";
import { shops } from "./shops";

export const locations = pgTable(
  "locations",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    shopId: uuid("shop_id").notNull().references(() => shops.id, { onDelete: "cascade" }),
    /** Shopify location GID where the location mirrors one in Shopify. */
    externalId: text("external_id"),
    name: text("name").notNull(),
    /** warehouse | store | 3pl */
    kind: text("kind").notNull(),
    address1: text("address1").notNull(),
    address2: text("address2"),
    city: text("city").notNull(),
    region: text("region"),
    postalCode: text("postal_code"),
    countryCode: text("country_code").notNull(),
    latitude: doublePrecision("latitude"),
    longitude: doublePrecision("longitude"),
    canShip: boolean("can_ship").notNull().default(true),
    canPickup: boolean("can_pickup").notNull().default(false),
    canCurbside: boolean("can_curbside").notNull().default(false),
    /** Orders the location can fulfil a day; null means unlimited. */
    dailyCapacity: integer("daily_capacity"),
    /** Lower is preferred. */
    priority: integer("priority").notNull().default(100),
    active: boolean("active").notNull().default(true),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [unique("locations_shop_name").on(t.shopId, t.name)],
);
