import { XMLBuilder } from "fast-xml-parser";
import { err, ok } from "../../core/shared/result.js";
import type { CancelOrderRequest, ChannelCallResult, ConfirmFulfillmentRequest } from "../../core/ports/channel-connector-port.js";
import type { AmazonSettings } from "./amazon-connection-config.js";
import type { SpApiClient } from "./sp-api-client.js";

/**
 * Writes an order's outcome back to Amazon.
 * - Shipment: confirmShipment (Orders v0, not deprecated; 2026-01-01 has no write operations)
 *   with carrier, tracking and the shipped items. Idempotent by reading the order's packages
 *   first (getOrder 2026-01-01 with PACKAGES): a tracking number already there is this same
 *   shipment confirmed before, so a retry answers `alreadyConfirmed` instead of a second package.
 * - Cancellation: SP-API has no cancel operation for seller-fulfilled orders; Amazon cancels one
 *   through a POST_ORDER_ACKNOWLEDGEMENT_DATA feed with StatusCode Failure and a CancelReason per
 *   item (the XML schema amzn-envelope.xsd is not among ../shared/specs; the feed calls are the
 *   same Feeds API as the stock feed). Amazon applies it within minutes and the next poll sees
 *   the order CANCELLED.
 */

interface SpOrderView {
  orderId: string;
  fulfillment?: { fulfillmentStatus?: string };
  orderItems?: { orderItemId: string; quantityOrdered: number; fulfillment?: { quantityUnfulfilled?: number } }[];
  packages?: { packageReferenceId: string; trackingNumber?: string; carrier?: string }[];
}

async function readOrder(client: SpApiClient, orderId: string): Promise<ChannelCallResult<SpOrderView>> {
  const response = await client.call<{ order?: SpOrderView }>("orders_2026-01-01.json:getOrder", {
    path: { orderId },
    query: { includedData: ["FULFILLMENT", "PACKAGES"] },
    maxWaitMs: 2_000,
  });
  if (!response.ok) return response;
  const order = response.value.body?.order;
  if (!order || !Array.isArray(order.orderItems)) return err("rejected", `getOrder ${orderId} answered without an order`);
  return ok(order);
}

// Amazon's carrier codes for the carriers the label gateway buys from; anything else is "Other" + name.
const CARRIER_CODES: Readonly<Record<string, string>> = {
  usps: "USPS",
  ups: "UPS",
  fedex: "FedEx",
  dhl: "DHL",
  dhlexpress: "DHL",
  "dhl express": "DHL",
  ontrac: "OnTrac",
  lasership: "Lasership",
  "canada post": "Canada Post",
  canadapost: "Canada Post",
  "royal mail": "Royal Mail",
  royalmail: "Royal Mail",
};

export function amazonCarrier(carrier: string): { carrierCode: string; carrierName?: string } {
  const code = CARRIER_CODES[carrier.trim().toLowerCase()];
  return code ? { carrierCode: code } : { carrierCode: "Other", carrierName: carrier.trim() };
}

export async function confirmAmazonShipment(
  client: SpApiClient,
  settings: AmazonSettings,
  request: ConfirmFulfillmentRequest,
): Promise<ChannelCallResult<{ externalFulfillmentId: string; alreadyConfirmed?: boolean }>> {
  const order = await readOrder(client, request.orderExternalId);
  if (!order.ok) return order;
  const existing = order.value.packages?.find((p) => p.trackingNumber === request.tracking.trackingNumber);
  if (existing) {
    return ok({ externalFulfillmentId: `${request.orderExternalId}/${existing.packageReferenceId}`, alreadyConfirmed: true });
  }
  if (order.value.fulfillment?.fulfillmentStatus === "CANCELLED") return err("rejected", `Amazon order ${request.orderExternalId} is cancelled`);
  const items = request.lines
    ? request.lines.map((line) => ({ orderItemId: line.externalLineId, quantity: line.quantity }))
    : (order.value.orderItems ?? [])
        .map((item) => ({ orderItemId: item.orderItemId, quantity: item.fulfillment?.quantityUnfulfilled ?? item.quantityOrdered }))
        .filter((item) => item.quantity > 0);
  if (items.length === 0) return err("rejected", `Amazon order ${request.orderExternalId} has nothing left to ship`);
  // Positive numbers unique within the order, as the model requires.
  const packageReferenceId = String(
    (order.value.packages ?? []).reduce((max, p) => Math.max(max, Number(p.packageReferenceId) || 0), 0) + 1,
  );
  const response = await client.call("ordersV0.json:confirmShipment", {
    path: { orderId: request.orderExternalId },
    body: {
      marketplaceId: settings.marketplaceId,
      packageDetail: {
        packageReferenceId,
        ...amazonCarrier(request.tracking.carrier),
        trackingNumber: request.tracking.trackingNumber,
        shipDate: request.tracking.shippedAt.toISOString(),
        orderItems: items,
      },
    },
    maxWaitMs: 1_000,
  });
  if (!response.ok) return response;
  return ok({ externalFulfillmentId: `${request.orderExternalId}/${packageReferenceId}` });
}

const CANCEL_REASONS: Readonly<Record<CancelOrderRequest["reason"], string>> = {
  out_of_stock: "NoInventory",
  customer_request: "BuyerCanceled",
  fraud: "RiskAssessmentInformationNotValid",
  other: "GeneralAdjustment",
};

export function orderAcknowledgementFailureXml(sellerId: string, orderId: string, itemIds: readonly string[], reason: CancelOrderRequest["reason"]): string {
  const builder = new XMLBuilder({ ignoreAttributes: false, format: true, suppressEmptyNode: true });
  return builder.build({
    "?xml": { "@_version": "1.0", "@_encoding": "UTF-8" },
    AmazonEnvelope: {
      "@_xmlns:xsi": "http://www.w3.org/2001/XMLSchema-instance",
      "@_xsi:noNamespaceSchemaLocation": "amzn-envelope.xsd",
      Header: { DocumentVersion: "1.01", MerchantIdentifier: sellerId },
      MessageType: "OrderAcknowledgement",
      Message: {
        MessageID: 1,
        OrderAcknowledgement: {
          AmazonOrderID: orderId,
          StatusCode: "Failure",
          Item: itemIds.map((id) => ({ AmazonOrderItemCode: id, CancelReason: CANCEL_REASONS[reason] })),
        },
      },
    },
  }) as string;
}

export const ORDER_ACKNOWLEDGEMENT_FEED_TYPE = "POST_ORDER_ACKNOWLEDGEMENT_DATA";
const XML_CONTENT_TYPE = "text/xml; charset=UTF-8";

export async function cancelAmazonOrder(
  client: SpApiClient,
  settings: AmazonSettings,
  request: CancelOrderRequest,
): Promise<ChannelCallResult<{ alreadyCancelled: boolean; feedId?: string }>> {
  const order = await readOrder(client, request.orderExternalId);
  if (!order.ok) return order;
  const status = order.value.fulfillment?.fulfillmentStatus;
  if (status === "CANCELLED") return ok({ alreadyCancelled: true });
  if (status === "SHIPPED" || status === "PARTIALLY_SHIPPED") {
    return err("rejected", `Amazon order ${request.orderExternalId} has shipped items and can no longer be cancelled`);
  }
  const itemIds = (order.value.orderItems ?? []).map((item) => item.orderItemId);
  const xml = orderAcknowledgementFailureXml(settings.sellerId, request.orderExternalId, itemIds, request.reason);
  const created = await client.call<{ feedDocumentId?: string; url?: string }>("feeds_2021-06-30.json:createFeedDocument", {
    body: { contentType: XML_CONTENT_TYPE },
    maxWaitMs: 2_000,
  });
  if (!created.ok) return created;
  const { feedDocumentId, url } = created.value.body ?? {};
  if (!feedDocumentId || !url) return err("rejected", "createFeedDocument answered without feedDocumentId and url");
  const uploaded = await client.upload(url, xml, XML_CONTENT_TYPE);
  if (!uploaded.ok) return uploaded;
  const feed = await client.call<{ feedId?: string }>("feeds_2021-06-30.json:createFeed", {
    body: { feedType: ORDER_ACKNOWLEDGEMENT_FEED_TYPE, marketplaceIds: [settings.marketplaceId], inputFeedDocumentId: feedDocumentId },
  });
  if (!feed.ok) return feed;
  return ok({ alreadyCancelled: false, ...(feed.value.body?.feedId ? { feedId: feed.value.body.feedId } : {}) });
}
