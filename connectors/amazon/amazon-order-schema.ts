import { z } from "zod";

/**
 * The parts of an Orders API 2026-01-01 `Order` (orders_2026-01-01.json, definitions.Order)
 * the mapper reads. Required fields follow the model's `required` lists; everything else is
 * optional because Amazon omits it for pending orders (no buyer, recipient or proceeds until
 * payment is authorised) and for data sets not requested with `includedData`.
 */

const money = z.object({ amount: z.string().regex(/^-?\d+(\.\d+)?$/, "must be a decimal amount"), currencyCode: z.string().length(3) });
export type AmazonMoney = z.infer<typeof money>;

const breakdown = z.object({ type: z.string(), subtotal: money, status: z.string().optional() });

const customerAddress = z.looseObject({
  name: z.string().optional(),
  companyName: z.string().optional(),
  addressLine1: z.string().optional(),
  addressLine2: z.string().optional(),
  addressLine3: z.string().optional(),
  city: z.string().optional(),
  districtOrCounty: z.string().optional(),
  stateOrRegion: z.string().optional(),
  municipality: z.string().optional(),
  postalCode: z.string().optional(),
  countryCode: z.string().optional(),
  phone: z.string().optional(),
  addressType: z.string().optional(),
});

export const amazonOrderItemSchema = z.looseObject({
  orderItemId: z.string().min(1),
  quantityOrdered: z.number().int().nonnegative(),
  product: z.looseObject({
    asin: z.string().optional(),
    title: z.string().optional(),
    sellerSku: z.string().optional(),
    price: z.looseObject({ unitPrice: money.optional() }).optional(),
  }),
  proceeds: z.looseObject({ proceedsTotal: money.optional(), breakdowns: z.array(breakdown).optional() }).optional(),
  fulfillment: z.looseObject({ quantityFulfilled: z.number().int().optional(), quantityUnfulfilled: z.number().int().optional() }).optional(),
});
export type AmazonOrderItem = z.infer<typeof amazonOrderItemSchema>;

export const AMAZON_FULFILLMENT_STATUSES = [
  "PENDING_AVAILABILITY",
  "PENDING",
  "UNSHIPPED",
  "PARTIALLY_SHIPPED",
  "SHIPPED",
  "CANCELLED",
  "UNFULFILLABLE",
] as const;
export type AmazonFulfillmentStatus = (typeof AMAZON_FULFILLMENT_STATUSES)[number];

export const amazonOrderSchema = z.looseObject({
  orderId: z.string().min(1),
  createdTime: z.iso.datetime({ offset: true }),
  lastUpdatedTime: z.iso.datetime({ offset: true }),
  salesChannel: z.looseObject({ channelName: z.string(), marketplaceId: z.string().optional(), marketplaceName: z.string().optional() }),
  buyer: z.looseObject({ buyerName: z.string().optional(), buyerEmail: z.string().optional(), buyerCompanyName: z.string().optional() }).optional(),
  recipient: z.looseObject({ deliveryAddress: customerAddress.optional() }).optional(),
  proceeds: z.looseObject({ grandTotal: money.optional(), breakdowns: z.array(breakdown).optional() }).optional(),
  fulfillment: z.looseObject({
    fulfillmentStatus: z.enum(AMAZON_FULFILLMENT_STATUSES),
    fulfilledBy: z.string().optional(),
    fulfillmentServiceLevel: z.string().optional(),
  }).optional(),
  orderItems: z.array(amazonOrderItemSchema),
  programs: z.array(z.string()).optional(),
});
export type AmazonOrder = z.infer<typeof amazonOrderSchema>;

/** The one delivery id per order version: redelivering the same version is a no-op in the inbox. */
export function amazonOrderDeliveryId(order: { orderId: string; lastUpdatedTime: string }): string {
  return `${order.orderId}@${order.lastUpdatedTime}`;
}
