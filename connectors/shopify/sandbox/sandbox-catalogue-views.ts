import { minorUnitsToDecimal } from "../../../core/shared/decimal-money.js";
import {
  findLevel,
  legacyIdOf,
  type SandboxInventoryItem,
  type SandboxInventoryLevel,
  type SandboxLocation,
  type SandboxProduct,
  type SandboxState,
  type SandboxVariant,
} from "./sandbox-state.js";
import { connection, count, iso, type Args, type SandboxContext } from "./sandbox-view-helpers.js";

/** GraphQL views of the catalogue: locations, products, variants, inventory items and levels. */

export function locationView(loc: SandboxLocation, ctx: SandboxContext): Record<string, unknown> {
  const { state } = ctx;
  return {
    __typename: "Location",
    id: loc.id,
    legacyResourceId: String(loc.legacyId),
    name: loc.name,
    isActive: loc.isActive,
    activatable: !loc.isActive,
    deactivatable: loc.isActive,
    deletable: false,
    fulfillsOnlineOrders: loc.fulfillsOnlineOrders,
    shipsInventory: loc.shipsInventory,
    hasActiveInventory: true,
    hasUnfulfilledOrders: state.fulfillmentOrders.some((fo) => fo.locationId === loc.id && fo.status !== "CLOSED" && fo.status !== "CANCELLED"),
    isFulfillmentService: false,
    addressVerified: true,
    createdAt: loc.createdAt,
    updatedAt: loc.updatedAt,
    address: {
      ...loc.address,
      formatted: [loc.address.address1, `${loc.address.city} ${loc.address.provinceCode} ${loc.address.zip}`, loc.address.country],
    },
    inventoryLevels: (args: Args) =>
      connection(state.inventoryLevels.filter((l) => l.locationId === loc.id), args, ctx, (l) => levelView(l, ctx)),
    inventoryLevel: (args: Args) => {
      const level = findLevel(state, String(args.inventoryItemId), loc.id);
      return level ? levelView(level, ctx) : null;
    },
  };
}

export function productView(p: SandboxProduct, ctx: SandboxContext): Record<string, unknown> {
  const variants = () => ctx.state.variants.filter((v) => v.productId === p.id).sort((a, b) => a.position - b.position);
  return {
    __typename: "Product",
    id: p.id,
    legacyResourceId: String(p.legacyId),
    title: p.title,
    handle: p.title.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, ""),
    status: p.status,
    createdAt: p.createdAt,
    updatedAt: p.updatedAt,
    tags: [],
    vendor: "Switchyard Sandbox",
    productType: "",
    tracksInventory: true,
    hasOnlyDefaultVariant: variants().length === 1,
    totalInventory: variants().reduce((sum, v) => sum + availableEverywhere(ctx.state, v.inventoryItemId), 0),
    variants: (args: Args) => connection(variants(), args, ctx, (v) => variantView(v, ctx)),
    variantsCount: count(variants().length),
  };
}

function availableEverywhere(state: SandboxState, inventoryItemId: string): number {
  return state.inventoryLevels.filter((l) => l.inventoryItemId === inventoryItemId).reduce((s, l) => s + l.available, 0);
}

export function variantView(v: SandboxVariant, ctx: SandboxContext): Record<string, unknown> {
  const { state } = ctx;
  const product = state.products.find((p) => p.id === v.productId)!;
  return {
    __typename: "ProductVariant",
    id: v.id,
    legacyResourceId: String(v.legacyId),
    sku: v.sku,
    title: v.title,
    displayName: `${product.title} - ${v.title}`,
    price: minorUnitsToDecimal(v.priceMinor, state.currency),
    compareAtPrice: null,
    barcode: null,
    position: v.position,
    availableForSale: availableEverywhere(state, v.inventoryItemId) > 0,
    inventoryQuantity: availableEverywhere(state, v.inventoryItemId),
    inventoryPolicy: "DENY",
    taxable: true,
    createdAt: v.createdAt,
    updatedAt: v.updatedAt,
    inventoryItem: () => inventoryItemView(state.inventoryItems.find((i) => i.id === v.inventoryItemId)!, ctx),
    product: () => productView(product, ctx),
    selectedOptions: [{ name: "Title", value: v.title }],
  };
}

export function inventoryItemView(item: SandboxInventoryItem, ctx: SandboxContext): Record<string, unknown> {
  const { state } = ctx;
  return {
    __typename: "InventoryItem",
    id: item.id,
    legacyResourceId: String(item.legacyId),
    sku: item.sku,
    tracked: item.tracked,
    requiresShipping: true,
    duplicateSkuCount: state.inventoryItems.filter((i) => i.sku === item.sku).length - 1,
    createdAt: iso(ctx),
    updatedAt: iso(ctx),
    inventoryLevels: (args: Args) =>
      connection(state.inventoryLevels.filter((l) => l.inventoryItemId === item.id), args, ctx, (l) => levelView(l, ctx)),
    inventoryLevel: (args: Args) => {
      const level = findLevel(state, item.id, String(args.locationId));
      return level ? levelView(level, ctx) : null;
    },
    variant: () => variantView(state.variants.find((v) => v.id === item.variantId)!, ctx),
  };
}

export function quantityOf(level: SandboxInventoryLevel, name: string): number {
  switch (name) {
    case "available":
      return level.available;
    case "committed":
      return level.committed;
    case "on_hand":
      return level.available + level.committed;
    default:
      return 0; // incoming, reserved, damaged, safety_stock, quality_control: not modelled
  }
}

export function levelView(level: SandboxInventoryLevel, ctx: SandboxContext): Record<string, unknown> {
  const { state } = ctx;
  return {
    __typename: "InventoryLevel",
    id: level.id,
    isActive: true,
    canDeactivate: level.available + level.committed === 0,
    createdAt: level.updatedAt,
    updatedAt: level.updatedAt,
    item: () => inventoryItemView(state.inventoryItems.find((i) => i.id === level.inventoryItemId)!, ctx),
    location: () => locationView(state.locations.find((l) => l.id === level.locationId)!, ctx),
    quantities: (args: Args) =>
      (args.names as string[]).map((name) => ({
        __typename: "InventoryQuantity",
        id: `gid://shopify/InventoryQuantity/${legacyIdOf(level.inventoryItemId)}-${legacyIdOf(level.locationId)}-${name}`,
        name,
        quantity: quantityOf(level, name),
        updatedAt: level.updatedAt,
      })),
  };
}
