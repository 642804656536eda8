import { json } from "@remix-run/node";
import type { AdminApiContext } from "@shopify/shopify-app-remix/server";
import { findDemoShop, findShopByDomain, upsertShop, type ShopRecord } from "../../db/repositories/shop-repository";
import { getDatabase } from "../db.server";
import { authenticate, isDemoMode } from "../shopify.server";
import { assertAdminWriteAllowed, assertStorableInput } from "./admin-request-guard.server";

export interface AdminShop {
  id: string;
  domain: string;
  name: string;
  currency: string;
  isDemo: boolean;
}

export interface AdminContext {
  shop: AdminShop;
  /** The Shopify Admin API client; absent in demo mode, where no Shopify account exists. */
  admin?: AdminApiContext;
  demo: boolean;
  /** Who is acting, written into ledger movements and order timelines. */
  actor: string;
}

function toAdminShop(shop: ShopRecord): AdminShop {
  return { id: shop.id, domain: shop.domain, name: shop.name, currency: shop.currency, isDemo: shop.isDemo };
}

/**
 * The one place an admin request learns which shop it acts for. Real mode goes through
 * Shopify's embedded auth (which may throw a redirect Response); demo mode serves the seeded
 * demo shop with no OAuth so the admin can be tried in a plain browser.
 */
export async function requireAdminContext(request: Request): Promise<AdminContext> {
  // Every admin action passes here first: a forged cross-site POST stops before any work.
  await assertAdminWriteAllowed(request, { demo: isDemoMode() });
  await assertStorableInput(request);
  const db = getDatabase();
  if (isDemoMode()) {
    const demoShop = await findDemoShop(db);
    if (!demoShop) {
      throw json(
        { message: "Demo mode is on (SHOPIFY_API_KEY is unset) but no demo shop exists. Seed it with the demo seed script." },
        { status: 503 },
      );
    }
    return { shop: toAdminShop(demoShop), demo: true, actor: "user:demo" };
  }

  const { admin, session } = await authenticate.admin(request);
  const existing = await findShopByDomain(db, session.shop);
  const actor = session.onlineAccessInfo?.associated_user?.email
    ? `user:${session.onlineAccessInfo.associated_user.email}`
    : `user:${session.shop}`;
  if (existing) return { shop: toAdminShop(existing), admin, demo: false, actor };

  // First request after install: record the shop with its real name and currency.
  const details = await fetchShopDetails(admin);
  const created = await upsertShop(db, {
    domain: session.shop,
    ...(details ? { name: details.name, currency: details.currencyCode } : {}),
  });
  return { shop: toAdminShop(created), admin, demo: false, actor };
}

async function fetchShopDetails(admin: AdminApiContext): Promise<{ name: string; currencyCode: string } | undefined> {
  try {
    const response = await admin.graphql(`#graphql
      query SwitchyardShopDetails { shop { name currencyCode } }`);
    const body = (await response.json()) as { data?: { shop?: { name: string; currencyCode: string } } };
    return body.data?.shop;
  } catch (error) {
    // The shop row is still created from the session; name and currency can be corrected later.
    console.warn("[admin] could not read shop details:", error instanceof Error ? error.message : error);
    return undefined;
  }
}
