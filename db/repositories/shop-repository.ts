import { eq } from "drizzle-orm";
import type { DbOrTx } from "../client";
import { shops } from "../schema";

export interface ShopRecord {
  id: string;
  domain: string;
  name: string;
  currency: string;
  isDemo: boolean;
  syncEnabled: boolean;
}

const columns = { id: shops.id, domain: shops.domain, name: shops.name, currency: shops.currency, isDemo: shops.isDemo, syncEnabled: shops.syncEnabled };

export async function findShopByDomain(db: DbOrTx, domain: string): Promise<ShopRecord | undefined> {
  const [row] = await db.select(columns).from(shops).where(eq(shops.domain, domain));
  return row;
}

/** The shop row for a domain, created on first sight (install) and re-enabled on reinstall. */
export async function upsertShop(db: DbOrTx, input: { domain: string; name?: string; currency?: string; isDemo?: boolean }): Promise<ShopRecord> {
  const [row] = await db
    .insert(shops)
    .values({ domain: input.domain, name: input.name ?? input.domain, currency: input.currency ?? "USD", isDemo: input.isDemo ?? false })
    .onConflictDoUpdate({ target: shops.domain, set: { syncEnabled: true, uninstalledAt: null } })
    .returning(columns);
  return row!;
}

export async function findDemoShop(db: DbOrTx): Promise<ShopRecord | undefined> {
  const [row] = await db.select(columns).from(shops).where(eq(shops.isDemo, true)).limit(1);
  return row;
}
