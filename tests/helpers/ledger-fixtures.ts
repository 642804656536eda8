import { randomUUID } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import type { UnifiedOrderInput } from "../../core/orders/unified-order";
import { unifiedOrderSchema } from "../../core/orders/unified-order";
import type { Database } from "../../db/client";
import { receiveStock } from "../../db/repositories/inventory-repository";
import { upsertShop } from "../../db/repositories/shop-repository";
import { inventoryLevels, locations, products, variants } from "../../db/schema";

/** Small builders for integration tests: everything stock-related still goes through the ledger. */

export async function createShop(db: Database, domain = `shop-${randomUUID().slice(0, 8)}.myshopify.com`) {
  return upsertShop(db, { domain, name: domain.split(".")[0] });
}

export async function createLocation(
  db: Database,
  shopId: string,
  overrides: Partial<typeof locations.$inferInsert> = {},
) {
  const [row] = await db
    .insert(locations)
    .values({
      shopId,
      name: `Location ${randomUUID().slice(0, 6)}`,
      kind: "warehouse",
      address1: "1 Main St",
      city: "Columbus",
      region: "OH",
      postalCode: "43004",
      countryCode: "US",
      latitude: 39.96,
      longitude: -82.99,
      priority: 10,
      ...overrides,
    })
    .returning();
  return row!;
}

export async function createVariant(db: Database, shopId: string, sku: string, priceMinor = 1999) {
  const [product] = await db.insert(products).values({ shopId, title: `Product ${sku}` }).returning();
  const [variant] = await db.insert(variants).values({ shopId, productId: product!.id, sku, title: sku, priceMinor }).returning();
  return variant!;
}

export async function receive(db: Database, shopId: string, variantId: string, locationId: string, quantity: number) {
  await db.transaction((tx) => receiveStock(tx, { shopId, variantId, locationId, quantity, actor: "test", receiptId: randomUUID() }));
}

export function makeOrder(overrides: Partial<UnifiedOrderInput> & Pick<UnifiedOrderInput, "lines">) {
  const externalId = overrides.externalId ?? randomUUID();
  return unifiedOrderSchema.parse({
    channel: "shopify",
    externalId,
    number: `#${externalId.slice(0, 6)}`,
    placedAt: new Date("2026-11-20T10:00:00Z"),
    sourceUpdatedAt: new Date("2026-11-20T10:00:00Z"),
    currency: "USD",
    financialStatus: "paid",
    customer: { name: "Ada Lovelace", email: "ada@example.com" },
    shippingAddress: { name: "Ada Lovelace", line1: "1 Infinite Loop", city: "Cupertino", region: "CA", postalCode: "95014", countryCode: "US" },
    subtotalMinor: 1999,
    totalMinor: 1999,
    ...overrides,
  });
}

export function line(sku: string, quantity: number, externalLineId = `${sku}-line`) {
  return { externalLineId, sku, title: sku, quantity, unitPriceMinor: 1999 };
}

/** The ledger's own sums per level, to compare with the cached balances. */
export async function ledgerMismatches(db: Database, shopId: string) {
  const result = await db.execute<{ id: string; on_hand: number; reserved: number; ledger_on_hand: number; ledger_reserved: number }>(sql`
    SELECT l.id, l.on_hand, l.reserved,
           coalesce(sum(m.on_hand_delta), 0)::int AS ledger_on_hand,
           coalesce(sum(m.reserved_delta), 0)::int AS ledger_reserved
      FROM inventory_levels l
      LEFT JOIN inventory_movements m ON m.variant_id = l.variant_id AND m.location_id = l.location_id
     WHERE l.shop_id = ${shopId}
     GROUP BY l.id
    HAVING l.on_hand <> coalesce(sum(m.on_hand_delta), 0) OR l.reserved <> coalesce(sum(m.reserved_delta), 0)`);
  return result.rows;
}

export async function levelOf(db: Database, variantId: string) {
  return db.select().from(inventoryLevels).where(eq(inventoryLevels.variantId, variantId));
}
