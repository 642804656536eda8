import { and, eq, isNull, or, sql } from "drizzle-orm";
import { enqueueJob } from "../queue/job-queue";
import type { CredentialCipher } from "../crypto/credential-cipher";
import type { Database, DbOrTx } from "../client";
import { exceptions, locations, orders, shipments, wmsEndpoints, wmsHandoffs } from "../schema";
import { appendTimeline } from "./order-timeline-repository";
import { shipmentLines } from "./shipment-repository";

/**
 * The WMS hand-off: when a shipment has its label it is ready to pick, and every active
 * endpoint for its location is told, once per (endpoint, shipment), by a job that graphile-worker
 * retries with exponential backoff until the endpoint answers 2xx.
 */

/** About 4.5 hours of graphile-worker's exponential backoff (exp(min(attempt, 10)) seconds). */
export const WMS_HANDOFF_MAX_ATTEMPTS = 10;

export async function enqueueWmsHandoffs(tx: DbOrTx, input: { shopId: string; shipmentId: string; locationId: string }): Promise<number> {
  const endpoints = await tx
    .select({ id: wmsEndpoints.id })
    .from(wmsEndpoints)
    .where(
      and(
        eq(wmsEndpoints.shopId, input.shopId),
        eq(wmsEndpoints.active, true),
        or(isNull(wmsEndpoints.locationId), eq(wmsEndpoints.locationId, input.locationId)),
      ),
    );
  let queued = 0;
  for (const endpoint of endpoints) {
    const [row] = await tx
      .insert(wmsHandoffs)
      .values({ shopId: input.shopId, endpointId: endpoint.id, shipmentId: input.shipmentId })
      .onConflictDoNothing()
      .returning({ id: wmsHandoffs.id });
    if (!row) continue;
    await enqueueJob(tx, "wms/handoff", { shopId: input.shopId, handoffId: row.id }, { jobKey: `wms/handoff:${row.id}`, maxAttempts: WMS_HANDOFF_MAX_ATTEMPTS });
    queued++;
  }
  return queued;
}

export async function createWmsEndpoint(
  db: Database,
  cipher: CredentialCipher,
  input: { shopId: string; locationId: string | null; url: string; secret: string },
): Promise<string> {
  const [row] = await db
    .insert(wmsEndpoints)
    .values({ shopId: input.shopId, locationId: input.locationId, url: input.url, secretEncrypted: cipher.encrypt(input.secret) })
    .returning({ id: wmsEndpoints.id });
  return row!.id;
}

export async function listWmsEndpoints(db: DbOrTx, shopId: string, locationId: string) {
  return db
    .select({ id: wmsEndpoints.id, url: wmsEndpoints.url, locationId: wmsEndpoints.locationId, active: wmsEndpoints.active, createdAt: wmsEndpoints.createdAt })
    .from(wmsEndpoints)
    .where(and(eq(wmsEndpoints.shopId, shopId), or(isNull(wmsEndpoints.locationId), eq(wmsEndpoints.locationId, locationId))));
}

export async function deactivateWmsEndpoint(db: DbOrTx, shopId: string, endpointId: string): Promise<boolean> {
  const rows = await db.update(wmsEndpoints).set({ active: false }).where(and(eq(wmsEndpoints.shopId, shopId), eq(wmsEndpoints.id, endpointId))).returning({ id: wmsEndpoints.id });
  return rows.length > 0;
}

/** The body sent to the WMS: the shipment to pick, with its lines, label and destination. */
export interface WmsShipmentMessage {
  event: "shipment.ready_to_pick";
  handoffId: string;
  shipment: {
    id: string;
    order: { id: string; number: string; channel: string };
    location: { id: string; name: string; externalId: string | null };
    carrier: string | null;
    service: string | null;
    trackingNumber: string | null;
    labelUrl: string | null;
    shipTo: unknown;
    lines: { sku: string; title: string; barcode: string | null; quantity: number }[];
  };
}

export async function loadHandoff(db: Database, shopId: string, handoffId: string) {
  const [row] = await db
    .select({
      id: wmsHandoffs.id,
      status: wmsHandoffs.status,
      attempts: wmsHandoffs.attempts,
      url: wmsEndpoints.url,
      active: wmsEndpoints.active,
      secretEncrypted: wmsEndpoints.secretEncrypted,
      shipmentId: shipments.id,
      shipmentStatus: shipments.status,
      carrier: shipments.carrier,
      service: shipments.service,
      trackingNumber: shipments.trackingNumber,
      labelUrl: shipments.labelUrl,
      orderId: orders.id,
      orderNumber: orders.number,
      channel: orders.channel,
      shipTo: orders.shippingAddress,
      locationId: locations.id,
      locationName: locations.name,
      locationExternalId: locations.externalId,
    })
    .from(wmsHandoffs)
    .innerJoin(wmsEndpoints, eq(wmsEndpoints.id, wmsHandoffs.endpointId))
    .innerJoin(shipments, eq(shipments.id, wmsHandoffs.shipmentId))
    .innerJoin(orders, eq(orders.id, shipments.orderId))
    .innerJoin(locations, eq(locations.id, shipments.locationId))
    .where(and(eq(wmsHandoffs.shopId, shopId), eq(wmsHandoffs.id, handoffId)));
  if (!row) return null;
  const lines = await shipmentLines(db, [row.shipmentId]);
  const message: WmsShipmentMessage = {
    event: "shipment.ready_to_pick",
    handoffId: row.id,
    shipment: {
      id: row.shipmentId,
      order: { id: row.orderId, number: row.orderNumber, channel: row.channel },
      location: { id: row.locationId, name: row.locationName, externalId: row.locationExternalId },
      carrier: row.carrier,
      service: row.service,
      trackingNumber: row.trackingNumber,
      labelUrl: row.labelUrl,
      shipTo: row.shipTo,
      lines: lines.map((l) => ({ sku: l.sku, title: l.title, barcode: l.barcode, quantity: l.quantity })).sort((a, b) => a.sku.localeCompare(b.sku)),
    },
  };
  return { ...row, message };
}

export async function recordHandoffAttempt(
  db: Database,
  input: { shopId: string; handoffId: string; orderId: string; delivered: boolean; httpStatus: number | null; error: string | null; finalFailure: boolean },
): Promise<void> {
  await db.transaction(async (tx) => {
    await tx
      .update(wmsHandoffs)
      .set({
        attempts: sql`${wmsHandoffs.attempts} + 1`,
        status: input.delivered ? "delivered" : input.finalFailure ? "failed" : "pending",
        lastHttpStatus: input.httpStatus,
        lastError: input.error,
        ...(input.delivered ? { deliveredAt: sql`now()` } : {}),
      })
      .where(eq(wmsHandoffs.id, input.handoffId));
    if (input.delivered) {
      await appendTimeline(tx, input.shopId, input.orderId, [{ kind: "wms_handoff", message: "Shipment handed to the WMS for picking", data: { handoffId: input.handoffId } }]);
    } else if (input.finalFailure) {
      await tx.insert(exceptions).values({
        shopId: input.shopId,
        orderId: input.orderId,
        kind: "wms_handoff_failed",
        message: `The WMS never accepted the shipment to pick: ${input.error ?? `HTTP ${input.httpStatus}`}`,
        details: { handoffId: input.handoffId, httpStatus: input.httpStatus },
      });
    }
  });
}
