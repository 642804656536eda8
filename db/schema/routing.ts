import { sql } from "drizzle-orm";
import { bigint, boolean, doublePrecision, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import type { PlannedShipment, RoutingExplanation, UncoveredLine } from "../../core/routing/routing-decision";
import type { RoutingSettings } from "../../core/routing/routing-settings";
import { shops } from "./shops";
import { orders } from "./orders";
import { locations } from "./locations";

/**
 * Every routing decision taken for an order, with the explanation the order page shows. The
 * `current` one is what the order's reservation follows; older ones stay as history.
 */
export const routingDecisions = pgTable(
  "routing_decisions",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    shopId: uuid("shop_id").notNull().references(() => shops.id, { onDelete: "cascade" }),
    orderId: uuid("order_id").notNull().references(() => orders.id, { onDelete: "cascade" }),
    /** intake | location_rejected | admin_reroute */
    trigger: text("trigger").notNull(),
    /** routed | partial | unroutable */
    status: text("status").notNull(),
    /** ship | pickup | curbside */
    method: text("method").notNull(),
    strategy: text("strategy").notNull(),
    /** single | exact | heuristic | pickup | none */
    search: text("search").notNull(),
    current: boolean("current").notNull().default(true),
    /** The chosen locations; counted per day for each location's workload against its capacity. */
    locationIds: uuid("location_ids").array().notNull().default(sql`'{}'::uuid[]`),
    estimatedCostMinor: bigint("estimated_cost_minor", { mode: "number" }).notNull(),
    currency: text("currency").notNull(),
    deliveryDays: integer("delivery_days"),
    score: doublePrecision("score").notNull(),
    summary: text("summary").notNull(),
    explanation: jsonb("explanation").$type<RoutingExplanation>().notNull(),
    shipments: jsonb("shipments").$type<PlannedShipment[]>().notNull(),
    uncovered: jsonb("uncovered").$type<UncoveredLine[]>().notNull(),
    /** Reservation units moved between locations to follow this decision. */
    moves: jsonb("moves").$type<{ lineId: string; fromLocationId: string | null; toLocationId: string | null; quantity: number }[]>().notNull().default([]),
    actor: text("actor").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("routing_decisions_one_current").on(t.orderId).where(sql`${t.current}`),
    index("routing_decisions_order_idx").on(t.orderId, t.createdAt),
    index("routing_decisions_shop_created_idx").on(t.shopId, t.createdAt),
  ],
);

/** A location that refused an order (or could not ship it); routing never sends it back there. */
export const orderLocationRejections = pgTable(
  "order_location_rejections",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    shopId: uuid("shop_id").notNull().references(() => shops.id, { onDelete: "cascade" }),
    orderId: uuid("order_id").notNull().references(() => orders.id, { onDelete: "cascade" }),
    locationId: uuid("location_id").notNull().references(() => locations.id, { onDelete: "cascade" }),
    reason: text("reason").notNull(),
    actor: text("actor").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("order_location_rejections_order_idx").on(t.orderId)],
);

/** The merchant's routing rule order and weights (core/routing/routing-settings.ts). */
export const shopRoutingSettings = pgTable("shop_routing_settings", {
  shopId: uuid("shop_id").primaryKey().references(() => shops.id, { onDelete: "cascade" }),
  settings: jsonb("settings").$type<RoutingSettings>().notNull(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  updatedBy: text("updated_by").notNull(),
});
