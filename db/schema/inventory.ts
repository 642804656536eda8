import { sql } from "drizzle-orm";
import { bigserial, check, index, integer, pgTable, text, timestamp, unique, uuid } from "drizzle-orm/pg-core";
import { shops } from "./shops";
import { locations } from "./locations";
import { variants } from "./catalog";

/**
 * The balance per (variant, location). on_hand and reserved are a cache of the sums of
 * inventory_movements, written only in the transaction that appends the movement; the row
 * is what reservations lock (SELECT ... FOR UPDATE in id order).
 */
export const inventoryLevels = pgTable(
  "inventory_levels",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    shopId: uuid("shop_id").notNull().references(() => shops.id, { onDelete: "cascade" }),
    variantId: uuid("variant_id").notNull().references(() => variants.id, { onDelete: "cascade" }),
    locationId: uuid("location_id").notNull().references(() => locations.id, { onDelete: "cascade" }),
    onHand: integer("on_hand").notNull().default(0),
    reserved: integer("reserved").notNull().default(0),
    safetyStock: integer("safety_stock").notNull().default(0),
    /** Where the units sit in the location ("A-03-2"); pick lists walk bins in this order. */
    bin: text("bin"),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    unique("inventory_levels_variant_location").on(t.variantId, t.locationId),
    // A location's levels (its page's totals, the cascade from locations). No index names a
    // column a stock change writes, so a level update is HOT (docs/adr/0025).
    index("inventory_levels_location_idx").on(t.locationId),
    // The last line of defence against overselling: the database itself refuses it.
    check("inventory_levels_reserved_within_on_hand", sql`${t.reserved} >= 0 AND ${t.reserved} <= ${t.onHand}`),
    check("inventory_levels_safety_non_negative", sql`${t.safetyStock} >= 0`),
  ],
);

/** Append-only stock ledger. Every row names its cause and actor. */
export const inventoryMovements = pgTable(
  "inventory_movements",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    // Reaches its shop through its variant and location (cascade): no foreign key to shops (docs/adr/0021).
    shopId: uuid("shop_id").notNull(),
    // Deleted with its variant or location by their triggers, not checked per inserted row (docs/adr/0026).
    variantId: uuid("variant_id").notNull(),
    locationId: uuid("location_id").notNull(),
    /** receive | adjust | reserve | release | ship | return_restock | transfer_out | transfer_in */
    kind: text("kind").notNull(),
    quantity: integer("quantity").notNull(),
    onHandDelta: integer("on_hand_delta").notNull(),
    reservedDelta: integer("reserved_delta").notNull(),
    /** order_line | return | adjustment | sync | transfer | receipt */
    causeType: text("cause_type").notNull(),
    causeId: text("cause_id").notNull(),
    actor: text("actor").notNull(),
    reason: text("reason"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("inventory_movements_level_idx").on(t.variantId, t.locationId, t.id),
    index("inventory_movements_shop_created_idx").on(t.shopId, t.createdAt),
  ],
);
