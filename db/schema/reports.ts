import { date, integer, pgTable, primaryKey, text, timestamp, unique, uuid } from "drizzle-orm/pg-core";
import { shops } from "./shops";
import { locations } from "./locations";

/**
 * Orders per shop, UTC day (of placed_at), channel and fulfilling location, so the dashboard
 * reads a few hundred rows whatever the order count. Written only by the reports/rollup job,
 * which recomputes whole days from the source rows (ADR 0011); never edited in place otherwise.
 * location_id is the location of the order's first live reservation, null while none.
 */
export const orderDayRollups = pgTable(
  "order_day_rollups",
  {
    shopId: uuid("shop_id").notNull().references(() => shops.id, { onDelete: "cascade" }),
    day: date("day", { mode: "string" }).notNull(),
    channel: text("channel").notNull(),
    locationId: uuid("location_id").references(() => locations.id, { onDelete: "cascade" }),
    orders: integer("orders").notNull(),
    cancelledOrders: integer("cancelled_orders").notNull(),
    units: integer("units").notNull(),
  },
  (t) => [unique("order_day_rollups_key").on(t.shopId, t.day, t.channel, t.locationId).nullsNotDistinct()],
);

/**
 * How far the rollups are complete per shop: every order whose updated_at is below this was
 * counted. The dashboard recounts only the days of orders changed since.
 */
export const rollupWatermarks = pgTable(
  "rollup_watermarks",
  {
    shopId: uuid("shop_id").notNull().references(() => shops.id, { onDelete: "cascade" }),
    /** The rollup's name, so other rollups can keep their own marks. */
    rollup: text("rollup").notNull(),
    ordersUpdatedBefore: timestamp("orders_updated_before", { withTimezone: true }).notNull(),
    refreshedAt: timestamp("refreshed_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.shopId, t.rollup] })],
);
