import type { ChannelCallResult, ConfirmFulfillmentRequest } from "../../core/ports/channel-connector-port.js";
import type { EbaySession } from "./ebay-client.js";

/**
 * Tells eBay a parcel left: createShippingFulfillment with the line items, carrier, tracking
 * number and shipped date. eBay answers 201 with the new fulfillment's id in the Location header.
 * A retry must not create a second fulfillment, so the order's fulfillments are read first and
 * one with the same tracking number (that is not a sibling parcel's) is reused.
 */
export async function confirmEbayFulfillment(
  session: EbaySession,
  request: ConfirmFulfillmentRequest,
): Promise<ChannelCallResult<{ externalFulfillmentId: string; alreadyConfirmed?: boolean }>> {
  const existing = await session.call(
    (api) =>
      api.sell.fulfillment.getShippingFulfillments(request.orderExternalId) as Promise<{ fulfillments?: { fulfillmentId: string; shipmentTrackingNumber?: string }[] }>,
  );
  if (!existing.ok) return existing;
  const known = new Set(request.knownExternalFulfillmentIds ?? []);
  const same = (existing.value.fulfillments ?? []).find((f) => f.shipmentTrackingNumber === request.tracking.trackingNumber && !known.has(f.fulfillmentId));
  if (same) return { ok: true, value: { externalFulfillmentId: same.fulfillmentId, alreadyConfirmed: true } };

  let lineItems = request.lines?.map((l) => ({ lineItemId: l.externalLineId, quantity: l.quantity }));
  if (!lineItems) {
    // The whole order shipped: eBay still wants each line named.
    const order = await session.call((api) => api.sell.fulfillment.getOrder(request.orderExternalId) as Promise<{ lineItems?: { lineItemId: string; quantity: number }[] }>);
    if (!order.ok) return order;
    lineItems = (order.value.lineItems ?? []).map((l) => ({ lineItemId: l.lineItemId, quantity: l.quantity }));
  }
  const created = await session.call(
    (api) =>
      api.sell.fulfillment.api({ returnResponse: true }).createShippingFulfillment(request.orderExternalId, {
        lineItems,
        shippedDate: request.tracking.shippedAt.toISOString(),
        shippingCarrierCode: request.tracking.carrier,
        trackingNumber: request.tracking.trackingNumber,
      }) as Promise<{ headers?: Record<string, string> }>,
  );
  if (!created.ok) return created;
  const location = created.value.headers?.location ?? "";
  const fulfillmentId = decodeURIComponent(location.split("/shipping_fulfillment/")[1] ?? "") || request.tracking.trackingNumber;
  return { ok: true, value: { externalFulfillmentId: fulfillmentId } };
}
