import type { Result } from "../shared/result.js";
import type { UnifiedOrder } from "../orders/unified-order.js";

/**
 * Import of a channel's catalogue and stock (and recent orders) into Switchyard: the shapes a
 * channel hands over and the capability that reads them. Ids are the channel's own (Shopify
 * GIDs); money is a decimal string in the shop's currency, converted with core/shared/decimal-money.
 * Failures carry the channel's own reason (shown on the import run), since an import is
 * run by a person who reads it, not retried by a policy.
 */

export interface ImportProgress {
  resource: "locations" | "products" | "inventory_levels" | "orders";
  /** Pages fetched so far. */
  done: number;
  /** Total pages when Shopify can count them (the *Count queries), otherwise null. */
  total: number | null;
}
export type OnProgress = (progress: ImportProgress) => void;
/**
 * Awaited after each page is read and before the next is requested, so a caller can commit
 * every page on its own: an import that fails half-way keeps what it already stored.
 */
export type OnPage<T> = (items: T[]) => Promise<void>;

export interface ImportedLocation {
  id: string;
  name: string;
  isActive: boolean;
  fulfillsOnlineOrders: boolean;
  shipsInventory: boolean;
  address: {
    address1: string | null;
    address2: string | null;
    city: string | null;
    provinceCode: string | null;
    zip: string | null;
    countryCode: string | null;
    phone: string | null;
    latitude: number | null;
    longitude: number | null;
  };
}

export interface ImportedVariant {
  id: string;
  sku: string | null;
  title: string;
  /** Decimal string in shop currency, as Shopify sends it. */
  price: string;
  inventoryItemId: string;
  tracked: boolean;
}

export interface ImportedProduct {
  id: string;
  title: string;
  status: string;
  variants: ImportedVariant[];
}

export interface ImportedInventoryLevel {
  locationId: string;
  inventoryItemId: string;
  sku: string | null;
  available: number;
  onHand: number;
  committed: number;
}

export interface RejectedOrder {
  externalId: string | null;
  reason: string;
  detail: string;
  /** The node as received, kept for inspection (rule 8: bad input loses nothing). */
  raw: unknown;
}

export type ImportResult<T> = Result<T, string>;

export interface CatalogueImporter {
  importLocations(options?: { onProgress?: OnProgress; onPage?: OnPage<ImportedLocation> }): Promise<ImportResult<ImportedLocation[]>>;
  /** How many products the channel holds; `exact` false when it only gives a lower bound. */
  countProducts(): Promise<ImportResult<{ count: number; exact: boolean }>>;
  importProducts(options?: { onProgress?: OnProgress; onPage?: OnPage<ImportedProduct> }): Promise<ImportResult<ImportedProduct[]>>;
  /** Channels with an export job for large catalogues (Shopify bulk operations). */
  startBulkCatalogueExport?(): Promise<ImportResult<{ bulkOperationId: string }>>;
  awaitBulkCatalogue?(id: string, options?: { pollIntervalMs?: number; timeoutMs?: number }): Promise<ImportResult<ImportedProduct[]>>;
  importInventoryLevels(
    locationIds: readonly string[],
    options?: { onProgress?: OnProgress; onPage?: OnPage<ImportedInventoryLevel> },
  ): Promise<ImportResult<ImportedInventoryLevel[]>>;
  importOrders(options?: {
    updatedSince?: Date;
    onProgress?: OnProgress;
    onPage?: (page: { orders: UnifiedOrder[]; sourceNodes: unknown[]; rejected: RejectedOrder[] }) => Promise<void>;
  }): Promise<ImportResult<{ orders: UnifiedOrder[]; rejected: RejectedOrder[]; nextCursor: string }>>;
}
