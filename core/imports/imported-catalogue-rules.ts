/**
 * How a channel's locations and variants become Switchyard's on first import. Kept pure so
 * the rules are testable without a database; existing rows are never re-decided here (the
 * merchant may have edited them since).
 */

export interface NewLocationSettings {
  kind: "warehouse" | "store";
  canShip: boolean;
  canPickup: boolean;
  active: boolean;
}

/**
 * A Shopify location that fulfils online orders ships parcels: a warehouse. One that does not
 * is a shop floor (POS): a store, which routing must not send parcels to.
 */
export function newLocationSettings(channel: { fulfillsOnlineOrders: boolean; isActive: boolean }): NewLocationSettings {
  return {
    kind: channel.fulfillsOnlineOrders ? "warehouse" : "store",
    canShip: channel.fulfillsOnlineOrders,
    canPickup: false,
    active: channel.isActive,
  };
}

/** Shopify names a product's only variant "Default Title"; Switchyard's title is then the product's. */
export const SHOPIFY_DEFAULT_VARIANT_TITLE = "Default Title";

export function importedVariantTitle(productTitle: string, variantTitle: string | null | undefined): string {
  const title = variantTitle?.trim();
  return !title || title === SHOPIFY_DEFAULT_VARIANT_TITLE ? productTitle : `${productTitle} — ${title}`;
}

/** A usable SKU, or null: Switchyard reserves and routes by SKU, so a variant needs one. */
export function importableSku(sku: string | null | undefined): string | null {
  const trimmed = sku?.trim();
  return trimmed ? trimmed : null;
}
