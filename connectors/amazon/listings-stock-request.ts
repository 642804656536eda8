/**
 * The one way this connector tells Amazon a quantity: a JSON Patch `replace` of
 * `/attributes/fulfillment_availability` with the seller-fulfilled channel code DEFAULT. The
 * same patch goes into a patchListingsItem body (ListingsItemPatchRequest in
 * listingsItems_2021-08-01.json) and into a JSON_LISTINGS_FEED message
 * (listings-feed-schema-v2.json), so both paths write exactly the same attribute.
 */

export const FULFILLMENT_AVAILABILITY_PATH = "/attributes/fulfillment_availability";
/** Merchant-fulfilled stock; Amazon-fulfilled (AMAZON_NA …) quantities are Amazon's to tell. */
export const SELLER_FULFILLMENT_CHANNEL = "DEFAULT";

export interface AmazonStockUpdate {
  /** The SellerSKU, the listing's id on Amazon. */
  readonly sku: string;
  readonly quantity: number;
  /** The listing's Amazon product type when the catalogue import knows it. */
  readonly productType?: string;
}

export function fulfillmentAvailabilityPatch(quantity: number) {
  return {
    op: "replace" as const,
    path: FULFILLMENT_AVAILABILITY_PATH,
    value: [{ fulfillment_channel_code: SELLER_FULFILLMENT_CHANNEL, quantity: Math.max(0, Math.trunc(quantity)) }],
  };
}

export function listingsPatchBody(update: AmazonStockUpdate, defaultProductType: string) {
  return { productType: update.productType ?? defaultProductType, patches: [fulfillmentAvailabilityPatch(update.quantity)] };
}

export interface ListingsFeedDocument {
  header: { sellerId: string; version: "2.0"; issueLocale: string };
  messages: { messageId: number; sku: string; operationType: "PATCH"; productType: string; patches: ReturnType<typeof fulfillmentAvailabilityPatch>[] }[];
}

/** One message per SKU, numbered from 1 in input order; the processing report refers back by messageId. */
export function listingsFeedDocument(sellerId: string, updates: readonly AmazonStockUpdate[], defaultProductType: string): ListingsFeedDocument {
  return {
    header: { sellerId, version: "2.0", issueLocale: "en_US" },
    messages: updates.map((update, index) => ({
      messageId: index + 1,
      sku: update.sku,
      operationType: "PATCH",
      productType: update.productType ?? defaultProductType,
      patches: [fulfillmentAvailabilityPatch(update.quantity)],
    })),
  };
}
