import { and, asc, desc, eq, inArray, isNull, sql } from "drizzle-orm";
import { buildPickList, nextWave, type PickList } from "../../core/shipping/pick-list";
import { err, ok, type Result } from "../../core/shared/result";
import type { Database, DbOrTx } from "../client";
import { inventoryLevels, locations, orders, pickWaves, shipments } from "../schema";
import { appendTimeline } from "./order-timeline-repository";
import { shipmentLines } from "./shipment-repository";

/**
 * Pick waves: shipments whose labels are bought and that have not left are batched per location,
 * oldest label first; each wave's pick list is built from the shipments' reserved units and the
 * bins they sit in at that location.
 */

/** Shipments ready to pick at a location and not in a wave yet. */
function readyAt(shopId: string, locationId: string) {
  return and(eq(shipments.shopId, shopId), eq(shipments.locationId, locationId), eq(shipments.status, "label_purchased"), isNull(shipments.pickWaveId));
}

export async function createPickWave(
  db: Database,
  input: { shopId: string; locationId: string; actor: string; maxShipments: number },
): Promise<Result<{ waveId: string; number: number; shipmentCount: number }, "nothing_to_pick" | "location_not_found">> {
  return db.transaction(async (tx) => {
    const [location] = await tx.select({ id: locations.id }).from(locations).where(and(eq(locations.shopId, input.shopId), eq(locations.id, input.locationId)));
    if (!location) return err("location_not_found");
    // One wave numbering per shop: concurrent "create wave" clicks take turns.
    await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtext(${`pick-waves:${input.shopId}`}))`);
    const ready = await tx
      .select({ id: shipments.id, orderId: shipments.orderId, labelPurchasedAt: shipments.labelPurchasedAt })
      .from(shipments)
      .where(readyAt(input.shopId, input.locationId))
      .for("update", { skipLocked: true });
    const chosen = nextWave(ready, input.maxShipments);
    if (chosen.length === 0) return err("nothing_to_pick", "no shipment with a label is waiting to be picked here");
    const [{ next }] = (await tx
      .select({ next: sql<number>`coalesce(max(${pickWaves.number}), 0)::int + 1` })
      .from(pickWaves)
      .where(eq(pickWaves.shopId, input.shopId))) as [{ next: number }];
    const [wave] = await tx
      .insert(pickWaves)
      .values({ shopId: input.shopId, locationId: input.locationId, number: next, createdBy: input.actor })
      .returning({ id: pickWaves.id });
    await tx.update(shipments).set({ pickWaveId: wave!.id }).where(inArray(shipments.id, chosen.map((s) => s.id)));
    for (const orderId of new Set(chosen.map((s) => s.orderId))) {
      await appendTimeline(tx, input.shopId, orderId, [{ kind: "pick_wave", message: `Added to pick wave ${next}`, data: { waveId: wave!.id }, actor: input.actor }]);
    }
    return ok({ waveId: wave!.id, number: next, shipmentCount: chosen.length });
  });
}

export async function readyToPickCount(db: DbOrTx, shopId: string, locationId: string): Promise<number> {
  const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(shipments).where(readyAt(shopId, locationId));
  return row?.n ?? 0;
}

export async function listPickWaves(db: DbOrTx, shopId: string, locationId: string, limit = 20) {
  return db
    .select({
      id: pickWaves.id,
      number: pickWaves.number,
      createdAt: pickWaves.createdAt,
      createdBy: pickWaves.createdBy,
      shipmentCount: sql<number>`(select count(*)::int from ${shipments} s where s.pick_wave_id = ${pickWaves.id})`,
      shippedCount: sql<number>`(select count(*)::int from ${shipments} s where s.pick_wave_id = ${pickWaves.id} and s.status in ('shipped', 'delivered'))`,
    })
    .from(pickWaves)
    .where(and(eq(pickWaves.shopId, shopId), eq(pickWaves.locationId, locationId)))
    .orderBy(desc(pickWaves.number))
    .limit(limit);
}

/** Counts per location for the pick lists index. */
export async function pickLocations(db: DbOrTx, shopId: string) {
  return db
    .select({
      id: locations.id,
      name: locations.name,
      ready: sql<number>`(select count(*)::int from ${shipments} s where s.location_id = ${locations.id} and s.status = 'label_purchased' and s.pick_wave_id is null)`,
      waves: sql<number>`(select count(*)::int from ${pickWaves} w where w.location_id = ${locations.id})`,
    })
    .from(locations)
    .where(and(eq(locations.shopId, shopId), eq(locations.active, true)))
    .orderBy(asc(locations.priority), asc(locations.name));
}

/** The pick list of one wave: its shipments in slot order with their lines and bins. */
export async function loadPickList(db: DbOrTx, shopId: string, waveId: string): Promise<PickList | null> {
  const [wave] = await db
    .select({ id: pickWaves.id, number: pickWaves.number, locationId: pickWaves.locationId, locationName: locations.name })
    .from(pickWaves)
    .innerJoin(locations, eq(locations.id, pickWaves.locationId))
    .where(and(eq(pickWaves.shopId, shopId), eq(pickWaves.id, waveId)));
  if (!wave) return null;
  const members = await db
    .select({ id: shipments.id, orderNumber: orders.number, trackingNumber: shipments.trackingNumber, labelPurchasedAt: shipments.labelPurchasedAt })
    .from(shipments)
    .innerJoin(orders, eq(orders.id, shipments.orderId))
    .where(eq(shipments.pickWaveId, wave.id))
    .orderBy(asc(shipments.labelPurchasedAt), asc(shipments.id));
  const lines = await shipmentLines(db, members.map((m) => m.id));
  const variantIds = [...new Set(lines.map((l) => l.variantId))];
  const bins = variantIds.length
    ? await db
        .select({ variantId: inventoryLevels.variantId, bin: inventoryLevels.bin })
        .from(inventoryLevels)
        .where(and(eq(inventoryLevels.locationId, wave.locationId), inArray(inventoryLevels.variantId, variantIds)))
    : [];
  const binOf = new Map(bins.map((b) => [b.variantId, b.bin]));
  return buildPickList({
    waveNumber: wave.number,
    locationName: wave.locationName,
    shipments: members.map((m) => ({
      shipmentId: m.id,
      orderNumber: m.orderNumber,
      trackingNumber: m.trackingNumber,
      lines: lines
        .filter((l) => l.shipmentId === m.id)
        .map((l) => ({ sku: l.sku, title: l.title, barcode: l.barcode, bin: binOf.get(l.variantId) ?? null, quantity: l.quantity })),
    })),
  });
}
