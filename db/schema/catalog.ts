import { index, integer, jsonb, pgTable, primaryKey, text, timestamp, unique, uuid, bigint } from "drizzle-orm/pg-core";
import { shops } from "./shops";

export const products = pgTable("products", {
  id: uuid("id").primaryKey().defaultRandom(),
  shopId: uuid("shop_id").notNull().references(() => shops.id, { onDelete: "cascade" }),
  externalId: text("external_id"),
  title: text("title").notNull(),
  vendor: text("vendor"),
  /** The channel's product tags; return rules read them (final-sale, non-returnable, windows). */
  tags: jsonb("tags").$type<string[]>().notNull().default([]),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});

export const variants = pgTable(
  "variants",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    shopId: uuid("shop_id").notNull().references(() => shops.id, { onDelete: "cascade" }),
    productId: uuid("product_id").notNull().references(() => products.id, { onDelete: "cascade" }),
    sku: text("sku").notNull(),
    title: text("title").notNull(),
    barcode: text("barcode"),
    externalId: text("external_id"),
    /** Shopify inventory item GID: what inventorySetQuantities addresses. */
    externalInventoryItemId: text("external_inventory_item_id"),
    priceMinor: bigint("price_minor", { mode: "number" }).notNull().default(0),
    weightGrams: integer("weight_grams"),
    lengthMm: integer("length_mm"),
    widthMm: integer("width_mm"),
    heightMm: integer("height_mm"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    unique("variants_shop_sku").on(t.shopId, t.sku),
    index("variants_shop_external_idx").on(t.shopId, t.externalId),
    // Inventory search finds products by title, then their variants.
    index("variants_product_idx").on(t.productId),
  ],
);

/** A kit variant is sold as one unit made of components; its stock is derived from theirs. */
export const kitComponents = pgTable(
  "kit_components",
  {
    kitVariantId: uuid("kit_variant_id").notNull().references(() => variants.id, { onDelete: "cascade" }),
    componentVariantId: uuid("component_variant_id").notNull().references(() => variants.id, { onDelete: "restrict" }),
    quantity: integer("quantity").notNull(),
  },
  (t) => [primaryKey({ columns: [t.kitVariantId, t.componentVariantId] })],
);

