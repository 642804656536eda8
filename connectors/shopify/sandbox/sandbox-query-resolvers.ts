import { parseSearchQuery } from "./search-query.js";
import { legacyIdOf, type SandboxState, type SandboxVariant } from "./sandbox-state.js";
import { inventoryItemView, levelView, locationView, productView, variantView } from "./sandbox-catalogue-views.js";
import { connection, count, matchesAll, type Args, type SandboxContext } from "./sandbox-view-helpers.js";

/** Root query fields for the catalogue: locations, products, variants, inventory items and levels. */

function filteredVariants(state: SandboxState, query: unknown): SandboxVariant[] {
  const terms = parseSearchQuery(typeof query === "string" ? query : null);
  return state.variants.filter((v) =>
    matchesAll(terms, (field) => (field === "product_id" ? legacyIdOf(v.productId) : field === "sku" ? v.sku : field === "id" ? v.legacyId : undefined)),
  );
}

export function catalogueQueryFields(ctx: SandboxContext): Record<string, unknown> {
  const { state } = ctx;
  const sortedLocations = (sortKey: unknown) =>
    [...state.locations].sort((a, b) => (sortKey === "ID" ? a.legacyId - b.legacyId : a.name.localeCompare(b.name)));
  return {
    locations: (args: Args) => connection(sortedLocations(args.sortKey), args, ctx, (l) => locationView(l, ctx)),
    locationsCount: () => count(state.locations.length),
    location: (args: Args) => {
      const loc = args.id ? state.locations.find((l) => l.id === args.id) : state.locations[0];
      return loc ? locationView(loc, ctx) : null;
    },
    products: (args: Args) => connection(state.products, args, ctx, (p) => productView(p, ctx)),
    productsCount: () => count(state.products.length),
    product: (args: Args) => {
      const p = state.products.find((x) => x.id === args.id);
      return p ? productView(p, ctx) : null;
    },
    productVariants: (args: Args) => connection(filteredVariants(state, args.query), args, ctx, (v) => variantView(v, ctx)),
    productVariantsCount: (args: Args) => count(filteredVariants(state, args.query).length),
    productVariant: (args: Args) => {
      const v = state.variants.find((x) => x.id === args.id);
      return v ? variantView(v, ctx) : null;
    },
    inventoryItems: (args: Args) => {
      const terms = parseSearchQuery(typeof args.query === "string" ? args.query : null);
      const items = state.inventoryItems.filter((i) => matchesAll(terms, (f) => (f === "sku" ? i.sku : f === "id" ? i.legacyId : undefined)));
      return connection(items, args, ctx, (i) => inventoryItemView(i, ctx));
    },
    inventoryItem: (args: Args) => {
      const item = state.inventoryItems.find((i) => i.id === args.id);
      return item ? inventoryItemView(item, ctx) : null;
    },
    inventoryLevel: (args: Args) => {
      const level = state.inventoryLevels.find((l) => l.id === args.id);
      return level ? levelView(level, ctx) : null;
    },
  };
}
