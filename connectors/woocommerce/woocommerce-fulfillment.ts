import type { ChannelCallResult, ConfirmFulfillmentRequest } from "../../core/ports/channel-connector-port.js";
import type { WooClient } from "./woocommerce-client.js";

/**
 * WooCommerce has no shipment object: a shipment is told to the buyer as an order note with the
 * tracking (POST orders/<id>/notes, `customer_note: true` e-mails it) and the order is set to
 * `completed`. A retry must not add a second note, so the notes are read first and a note that
 * already names this tracking number is reused.
 */
export async function confirmWooFulfillment(
  client: WooClient,
  request: ConfirmFulfillmentRequest,
): Promise<ChannelCallResult<{ externalFulfillmentId: string; alreadyConfirmed?: boolean }>> {
  const orderId = encodeURIComponent(request.orderExternalId);
  const notes = await client.get<{ id: number; note: string }[]>(`orders/${orderId}/notes`, { type: "any" });
  if (!notes.ok) return notes;
  const marker = trackingMarker(request);
  const existing = (Array.isArray(notes.value.data) ? notes.value.data : []).find((n) => typeof n.note === "string" && n.note.includes(marker));
  let noteId: string;
  if (existing) {
    noteId = String(existing.id);
  } else {
    const created = await client.post<{ id: number }>(`orders/${orderId}/notes`, {
      note: trackingNote(request),
      customer_note: request.notifyCustomer,
    });
    if (!created.ok) return created;
    noteId = String(created.value.data.id);
  }
  // Only a whole-order shipment completes the order; a partial one leaves it processing.
  if (!request.lines) {
    const completed = await client.put(`orders/${orderId}`, { status: "completed" });
    if (!completed.ok) return completed;
  }
  return { ok: true, value: { externalFulfillmentId: `note:${noteId}`, ...(existing ? { alreadyConfirmed: true } : {}) } };
}

/** The part of the note that identifies this shipment, also used to find it again. */
function trackingMarker(request: ConfirmFulfillmentRequest): string {
  return `${request.tracking.carrier} tracking number ${request.tracking.trackingNumber}`;
}

function trackingNote(request: ConfirmFulfillmentRequest): string {
  const url = request.tracking.trackingUrl ? ` (${request.tracking.trackingUrl})` : "";
  return `Shipped on ${request.tracking.shippedAt.toISOString().slice(0, 10)}: ${trackingMarker(request)}${url}.`;
}
