import { err, ok } from "../../core/shared/result.js";
import type { AdminGraphqlClient } from "./admin-graphql-client.js";
import { LOCATIONS_QUERY, LOCATION_INVENTORY_LEVELS_QUERY, PRODUCTS_COUNT_QUERY, PRODUCTS_QUERY, PRODUCT_VARIANTS_QUERY } from "./graphql-documents.js";
import type {
  ConnectorResult,
  OnPage,
  OnProgress,
  ShopifyInventoryLevel,
  ShopifyLocation,
  ShopifyProduct,
  ShopifyVariant,
} from "./shopify-connector-types.js";
import { fromApiFailure, PageAbort, pagesFor, paginate, toVariant, type Connection, type CountValue, type PageSizes } from "./shopify-connector-paging.js";

/** Catalogue import by paging: locations, products with all their variants, inventory levels. */

export async function importLocations(
  client: AdminGraphqlClient,
  pageSizes: PageSizes,
  options: { onProgress?: OnProgress; onPage?: OnPage<ShopifyLocation> } = {},
): Promise<ConnectorResult<ShopifyLocation[]>> {
  const first = pageSizes.locations;
  return paginate<ShopifyLocation, { locations: Connection<ShopifyLocation>; locationsCount: CountValue | null }>(
    client,
    "locations",
    LOCATIONS_QUERY,
    { first },
    (data) => data.locations,
    (data) => pagesFor(data.locationsCount, first),
    options.onProgress,
    options.onPage,
  );
}

/** Products in the shop, or null when Shopify only gives a lower bound. */
export async function countProducts(client: AdminGraphqlClient): Promise<ConnectorResult<{ count: number; exact: boolean }>> {
  const result = await client.request<{ productsCount: CountValue | null }>(PRODUCTS_COUNT_QUERY, {});
  if (!result.ok) return fromApiFailure(result);
  const value = result.data.productsCount;
  return ok({ count: value?.count ?? 0, exact: value?.precision === "EXACT" });
}

export async function importProducts(
  client: AdminGraphqlClient,
  pageSizes: PageSizes,
  options: { onProgress?: OnProgress; onPage?: OnPage<ShopifyProduct> } = {},
): Promise<ConnectorResult<ShopifyProduct[]>> {
  type RawVariant = { id: string; sku: string | null; title: string; price: string; inventoryItem: { id: string; tracked: boolean } };
  type RawProduct = { id: string; title: string; status: string; variants: Connection<RawVariant> };
  const first = pageSizes.products;
  const products: ShopifyProduct[] = [];
  // Each page's products are completed (all their variants) before the page is handed on.
  let completion: ConnectorResult<ShopifyProduct[]> = ok([]);
  const complete = async (page: RawProduct[]): Promise<ConnectorResult<ShopifyProduct[]>> => {
    const done: ShopifyProduct[] = [];
    for (const p of page) {
      const variants = p.variants.nodes.map(toVariant);
      if (p.variants.pageInfo.hasNextPage) {
        const rest = await allVariantsOf(client, p.id);
        if (!rest.ok) return rest;
        const seen = new Set(variants.map((v) => v.id));
        variants.push(...rest.value.filter((v) => !seen.has(v.id)));
      }
      done.push({ id: p.id, title: p.title, status: p.status, variants });
    }
    return ok(done);
  };
  const pages = await paginate<RawProduct, { products: Connection<RawProduct>; productsCount: CountValue | null }>(
    client,
    "products",
    PRODUCTS_QUERY,
    { first, variantsFirst: pageSizes.variantsPerProduct },
    (data) => data.products,
    (data) => pagesFor(data.productsCount, first),
    options.onProgress,
    async (page) => {
      completion = await complete(page);
      if (!completion.ok) throw new PageAbort();
      products.push(...completion.value);
      await options.onPage?.(completion.value);
    },
  );
  if (!completion.ok) return completion;
  if (!pages.ok) return pages;
  return ok(products);
}

async function allVariantsOf(client: AdminGraphqlClient, productGid: string): Promise<ConnectorResult<ShopifyVariant[]>> {
  type RawVariant = { id: string; sku: string | null; title: string; price: string; inventoryItem: { id: string; tracked: boolean } };
  // productVariants has its own cursor space (and order), so the search reads the whole
  // product and the caller drops what the nested page already returned.
  const numericId = productGid.split("/").pop();
  const all = await paginate<RawVariant, { productVariants: Connection<RawVariant> }>(
    client,
    "products",
    PRODUCT_VARIANTS_QUERY,
    { first: 250, query: `product_id:${numericId}` },
    (data) => data.productVariants,
    () => null,
    undefined,
  );
  if (!all.ok) return all;
  return ok(all.value.map(toVariant));
}

export async function importInventoryLevels(
  client: AdminGraphqlClient,
  pageSizes: PageSizes,
  locationIds: readonly string[],
  options: { onProgress?: OnProgress; onPage?: OnPage<ShopifyInventoryLevel> } = {},
): Promise<ConnectorResult<ShopifyInventoryLevel[]>> {
  type RawLevel = { id: string; item: { id: string; sku: string | null }; quantities: { name: string; quantity: number }[] };
  type Data = { location: { id: string; inventoryLevels: Connection<RawLevel> } | null };
  const levels: ShopifyInventoryLevel[] = [];
  let done = 0;
  for (const locationId of locationIds) {
    let after: string | null = null;
    for (;;) {
      const result: Awaited<ReturnType<AdminGraphqlClient["request"]>> = await client.request<Data>(
        LOCATION_INVENTORY_LEVELS_QUERY,
        { locationId, first: pageSizes.inventoryLevels, after },
      );
      if (!result.ok) return fromApiFailure(result);
      const data = result.data as Data;
      if (!data.location) return err("not_found", `location ${locationId} not found`);
      const pageLevels: ShopifyInventoryLevel[] = [];
      for (const level of data.location.inventoryLevels.nodes) {
        const q = (name: string) => level.quantities.find((x) => x.name === name)?.quantity ?? 0;
        pageLevels.push({
          locationId,
          inventoryItemId: level.item.id,
          sku: level.item.sku,
          available: q("available"),
          onHand: q("on_hand"),
          committed: q("committed"),
        });
      }
      levels.push(...pageLevels);
      await options.onPage?.(pageLevels);
      done++;
      options.onProgress?.({ resource: "inventory_levels", done, total: null });
      const page = data.location.inventoryLevels.pageInfo;
      if (!page.hasNextPage || !page.endCursor) break;
      after = page.endCursor;
    }
  }
  return ok(levels);
}
