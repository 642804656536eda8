import { date, integer, pgTable, text, unique, uuid } from "drizzle-orm/pg-core";
import { products } from "./catalog";
import { shops } from "./shops";

/**
 * Units sold per shop, UTC day (of placed_at), channel and product: the denominator of the
 * return rate. Written only by the reports:returns-rollup job, which recomputes whole days from
 * the source rows with a watermark (as order_day_rollups, ADR 0011); product_id is null for
 * lines matched to no variant. Cancelled orders sold nothing.
 */
export const productDaySales = pgTable(
  "product_day_sales",
  {
    shopId: uuid("shop_id").notNull().references(() => shops.id, { onDelete: "cascade" }),
    day: date("day", { mode: "string" }).notNull(),
    channel: text("channel").notNull(),
    productId: uuid("product_id").references(() => products.id, { onDelete: "cascade" }),
    units: integer("units").notNull(),
  },
  (t) => [unique("product_day_sales_key").on(t.shopId, t.day, t.channel, t.productId).nullsNotDistinct()],
);

/**
 * Units returned per shop, UTC day (of the return's requested_at), the order's channel, product
 * and reason, over returns that were not declined or cancelled: the numerator of the return
 * rate and the reasons chart. Kept by the same job and watermark as product_day_sales.
 */
export const returnDayRollups = pgTable(
  "return_day_rollups",
  {
    shopId: uuid("shop_id").notNull().references(() => shops.id, { onDelete: "cascade" }),
    day: date("day", { mode: "string" }).notNull(),
    channel: text("channel").notNull(),
    productId: uuid("product_id").references(() => products.id, { onDelete: "cascade" }),
    reason: text("reason").notNull(),
    units: integer("units").notNull(),
    returns: integer("returns").notNull(),
  },
  (t) => [unique("return_day_rollups_key").on(t.shopId, t.day, t.channel, t.productId, t.reason).nullsNotDistinct()],
);
