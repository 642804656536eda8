import { index, integer, pgTable, text, timestamp, unique, uuid } from "drizzle-orm/pg-core";
import { shops } from "./shops";
import { orders, orderLines } from "./orders";

export const returns = pgTable(
  "returns",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    shopId: uuid("shop_id").notNull().references(() => shops.id, { onDelete: "cascade" }),
    orderId: uuid("order_id").notNull().references(() => orders.id, { onDelete: "cascade" }),
    rmaNumber: text("rma_number").notNull(),
    /** requested | approved | rejected | in_transit | received | refunded | closed */
    status: text("status").notNull().default("requested"),
    /** refund | exchange */
    resolution: text("resolution").notNull().default("refund"),
    reason: text("reason"),
    labelUrl: text("label_url"),
    trackingNumber: text("tracking_number"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [unique("returns_shop_rma").on(t.shopId, t.rmaNumber), index("returns_order_idx").on(t.orderId)],
);

export const returnLines = pgTable("return_lines", {
  id: uuid("id").primaryKey().defaultRandom(),
  returnId: uuid("return_id").notNull().references(() => returns.id, { onDelete: "cascade" }),
  orderLineId: uuid("order_line_id").notNull().references(() => orderLines.id, { onDelete: "cascade" }),
  quantity: integer("quantity").notNull(),
  reason: text("reason"),
  /** restock | dispose | inspect */
  disposition: text("disposition"),
});
