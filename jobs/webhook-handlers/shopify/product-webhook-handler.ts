import { and, eq, ne, sql } from "drizzle-orm";
import { z } from "zod";
import { decimalToMinorUnits } from "../../../core/shared/decimal-money";
import type { RaisedException } from "../../../core/orders/order-intake";
import { raiseExceptions } from "../../../db/repositories/order-timeline-repository";
import { products, variants } from "../../../db/schema";
import { decimalAmount, describeIssues, failed, ignoredStale, processed, shopifyId, type ShopifyWebhookHandler, newerDeliveryProcessed } from "./webhook-handler";

const productSchema = z.object({
  id: shopifyId,
  admin_graphql_api_id: z.string().optional(),
  title: z.string().min(1),
  vendor: z.string().nullable().optional(),
  variants: z
    .array(
      z.object({
        id: shopifyId,
        admin_graphql_api_id: z.string().optional(),
        title: z.string().nullable().optional(),
        sku: z.string().nullable().optional(),
        barcode: z.string().nullable().optional(),
        price: decimalAmount.nullable().optional(),
      }),
    )
    .default([]),
});

/** Shopify names a product's only variant "Default Title"; Switchyard's title is then the product's. */
const SHOPIFY_DEFAULT_VARIANT_TITLE = "Default Title";

/**
 * products/update: the catalogue's descriptive fields follow Shopify (product title and vendor;
 * variant title, barcode, price, SKU), matched by Shopify's GIDs. Stock does not (see the
 * inventory handler). A SKU that another variant already uses is not taken over: Switchyard
 * reserves and routes by SKU, so the clash is raised for the merchant and the old SKU stays.
 */
export const handleProductWebhook: ShopifyWebhookHandler = async ({ tx, delivery, shop }) => {
  const parsed = productSchema.safeParse(delivery.payload);
  if (!parsed.success) return failed(describeIssues("products/update payload", parsed.error));
  if (await newerDeliveryProcessed(tx, delivery)) return ignoredStale("a newer version of this product was already processed");
  const product = parsed.data;
  const productGid = product.admin_graphql_api_id ?? `gid://shopify/Product/${product.id}`;

  const updatedProducts = await tx
    .update(products)
    .set({ title: product.title, ...(product.vendor !== undefined ? { vendor: product.vendor } : {}), updatedAt: sql`now()` })
    .where(and(eq(products.shopId, shop.id), eq(products.externalId, productGid)))
    .returning({ id: products.id });

  const raised: RaisedException[] = [];
  let variantsUpdated = 0;
  for (const incoming of product.variants) {
    const variantGid = incoming.admin_graphql_api_id ?? `gid://shopify/ProductVariant/${incoming.id}`;
    const [current] = await tx
      .select({ id: variants.id, sku: variants.sku })
      .from(variants)
      .where(and(eq(variants.shopId, shop.id), eq(variants.externalId, variantGid)))
      .for("update");
    if (!current) continue;

    const changes: Partial<typeof variants.$inferInsert> = {};
    if (incoming.title !== undefined && incoming.title !== null) {
      const title = incoming.title.trim();
      changes.title = !title || title === SHOPIFY_DEFAULT_VARIANT_TITLE ? product.title : `${product.title} — ${title}`;
    }
    if (incoming.barcode !== undefined) changes.barcode = incoming.barcode?.trim() || null;
    if (incoming.price !== undefined && incoming.price !== null) {
      const price = decimalToMinorUnits(incoming.price, shop.currency);
      if (price.ok) changes.priceMinor = price.value;
      else
        raised.push({
          kind: "invalid_payload",
          message: `Shopify sent an unreadable price for ${current.sku}: ${price.detail ?? price.reason}`,
          details: { deliveryRowId: delivery.id, variantId: current.id, price: incoming.price, reason: price.reason },
        });
    }
    const sku = incoming.sku?.trim();
    if (sku && sku !== current.sku) {
      const [holder] = await tx
        .select({ id: variants.id })
        .from(variants)
        .where(and(eq(variants.shopId, shop.id), eq(variants.sku, sku), ne(variants.id, current.id)));
      if (holder) {
        raised.push({
          kind: "sku_conflict",
          message: `Shopify changed SKU ${current.sku} to ${sku}, which another variant already uses; the SKU was left at ${current.sku}`,
          details: { deliveryRowId: delivery.id, variantId: current.id, currentSku: current.sku, requestedSku: sku, conflictingVariantId: holder.id },
        });
      } else {
        changes.sku = sku;
      }
    }
    if (Object.keys(changes).length > 0) {
      await tx.update(variants).set({ ...changes, updatedAt: sql`now()` }).where(eq(variants.id, current.id));
      variantsUpdated++;
    }
  }
  await raiseExceptions(tx, shop.id, raised, { deliveryRowId: delivery.id });
  if (updatedProducts.length === 0 && variantsUpdated === 0) return processed(`${productGid} is not in Switchyard's catalogue`);
  return processed(`${productGid}: ${variantsUpdated} variant${variantsUpdated === 1 ? "" : "s"} updated${raised.length ? `, ${raised.length} problem(s) raised` : ""}`);
};
