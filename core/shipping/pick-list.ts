/**
 * A pick list: what a picker walks for one wave at one location. Units are added up per
 * (bin, SKU) so each bin is visited once, bins are walked in natural order ("A-2" before
 * "A-10"), and each line says which tote slot (one per shipment) gets how many.
 */

export interface PickShipmentInput {
  readonly shipmentId: string;
  readonly orderNumber: string;
  readonly trackingNumber: string | null;
  readonly lines: readonly { readonly sku: string; readonly title: string; readonly barcode: string | null; readonly bin: string | null; readonly quantity: number }[];
}

export interface PickListLine {
  readonly bin: string | null;
  readonly sku: string;
  readonly title: string;
  /** What the scanner reads: the variant's barcode, or its SKU when it has none. */
  readonly scanCode: string;
  readonly quantity: number;
  readonly slots: readonly { readonly slot: number; readonly quantity: number }[];
}

export interface PickList {
  readonly waveNumber: number;
  readonly locationName: string;
  readonly totalUnits: number;
  readonly lines: readonly PickListLine[];
  /** Tote slots in order: slot n holds shipment n's units. */
  readonly shipments: readonly { readonly slot: number; readonly shipmentId: string; readonly orderNumber: string; readonly trackingNumber: string | null; readonly units: number }[];
}

const collator = new Intl.Collator("en", { numeric: true, sensitivity: "base" });

/** Natural order, bins before no bin (unplaced stock is looked for last). */
export function compareBins(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return collator.compare(a, b);
}

export function buildPickList(input: { waveNumber: number; locationName: string; shipments: readonly PickShipmentInput[] }): PickList {
  // Slots follow the wave's order (oldest label first), so the tote order is stable.
  const shipments = input.shipments.map((s, index) => ({
    slot: index + 1,
    shipmentId: s.shipmentId,
    orderNumber: s.orderNumber,
    trackingNumber: s.trackingNumber,
    units: s.lines.reduce((sum, line) => sum + line.quantity, 0),
  }));
  const byKey = new Map<string, { bin: string | null; sku: string; title: string; scanCode: string; quantity: number; slots: Map<number, number> }>();
  input.shipments.forEach((shipment, index) => {
    for (const line of shipment.lines) {
      if (line.quantity <= 0) continue;
      const key = `${line.bin ?? ""}\u0000${line.sku}`;
      const entry = byKey.get(key) ?? { bin: line.bin, sku: line.sku, title: line.title, scanCode: line.barcode || line.sku, quantity: 0, slots: new Map<number, number>() };
      entry.quantity += line.quantity;
      entry.slots.set(index + 1, (entry.slots.get(index + 1) ?? 0) + line.quantity);
      byKey.set(key, entry);
    }
  });
  const lines = [...byKey.values()]
    .sort((a, b) => compareBins(a.bin, b.bin) || collator.compare(a.sku, b.sku))
    .map((entry) => ({
      bin: entry.bin,
      sku: entry.sku,
      title: entry.title,
      scanCode: entry.scanCode,
      quantity: entry.quantity,
      slots: [...entry.slots.entries()].sort(([a], [b]) => a - b).map(([slot, quantity]) => ({ slot, quantity })),
    }));
  return {
    waveNumber: input.waveNumber,
    locationName: input.locationName,
    totalUnits: lines.reduce((sum, line) => sum + line.quantity, 0),
    lines,
    shipments,
  };
}

/** Which of the ready shipments go into the next wave: the oldest labels first, at most `size`. */
export function nextWave<T extends { readonly labelPurchasedAt: Date | null; readonly id: string }>(ready: readonly T[], size: number): T[] {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`wave size must be a positive integer, got ${size}`);
  return [...ready]
    .sort((a, b) => (a.labelPurchasedAt?.getTime() ?? 0) - (b.labelPurchasedAt?.getTime() ?? 0) || a.id.localeCompare(b.id))
    .slice(0, size);
}
