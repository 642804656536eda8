import { describe, expect, it } from "vitest";
import { buildPickList, compareBins, nextWave } from "./pick-list";

const shipment = (id: string, order: string, lines: [sku: string, bin: string | null, quantity: number, barcode?: string][]) => ({
  shipmentId: id,
  orderNumber: order,
  trackingNumber: `TRK-${id}`,
  lines: lines.map(([sku, bin, quantity, barcode]) => ({ sku, title: `Item ${sku}`, barcode: barcode ?? null, bin, quantity })),
});

describe("pick list for a wave", () => {
  const list = buildPickList({
    waveNumber: 7,
    locationName: "Columbus DC",
    shipments: [
      shipment("s1", "#1001", [["TEE-M", "A-10", 2], ["MUG", "A-2", 1, "0012345678905"]]),
      shipment("s2", "#1002", [["TEE-M", "A-10", 1], ["CAP", null, 1]]),
      shipment("s3", "#1003", [["BOOT-9", "B-1", 1], ["ANKLET", "A-2", 3]]),
    ],
  });

  it("walks bins in natural order, SKUs within a bin, unplaced stock last", () => {
    expect(list.lines.map((l) => `${l.bin ?? "-"} ${l.sku}`)).toEqual(["A-2 ANKLET", "A-2 MUG", "A-10 TEE-M", "B-1 BOOT-9", "- CAP"]);
  });

  it("adds up units per bin and SKU and says which tote slot gets how many", () => {
    const tee = list.lines.find((l) => l.sku === "TEE-M")!;
    expect(tee).toMatchObject({ quantity: 3, slots: [{ slot: 1, quantity: 2 }, { slot: 2, quantity: 1 }] });
    expect(list.totalUnits).toBe(2 + 1 + 1 + 1 + 1 + 3);
    expect(list.shipments.map((s) => [s.slot, s.orderNumber, s.units])).toEqual([[1, "#1001", 3], [2, "#1002", 2], [3, "#1003", 4]]);
  });

  it("scans the barcode when the variant has one, else the SKU", () => {
    expect(list.lines.find((l) => l.sku === "MUG")!.scanCode).toBe("0012345678905");
    expect(list.lines.find((l) => l.sku === "CAP")!.scanCode).toBe("CAP");
  });

  it("orders bins naturally", () => {
    expect(["B-1", null, "A-10", "A-2", "a-3"].sort(compareBins)).toEqual(["A-2", "a-3", "A-10", "B-1", null]);
  });
});

describe("waves", () => {
  const at = (minutes: number) => new Date(Date.UTC(2026, 11, 1, 10, minutes));
  it("takes the oldest labels first, at most the wave size", () => {
    const ready = [{ id: "c", labelPurchasedAt: at(3) }, { id: "a", labelPurchasedAt: at(1) }, { id: "b", labelPurchasedAt: at(2) }];
    expect(nextWave(ready, 2).map((s) => s.id)).toEqual(["a", "b"]);
    expect(nextWave(ready, 10).map((s) => s.id)).toEqual(["a", "b", "c"]);
    expect(() => nextWave(ready, 0)).toThrow(RangeError);
  });
});
