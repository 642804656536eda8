import { describe, expect, it } from "vitest";
import { planOrderEdit, type StoredEditLine } from "./order-edit";

function stored(overrides: Partial<StoredEditLine> & Pick<StoredEditLine, "externalLineId">): StoredEditLine {
  return {
    lineId: `id-${overrides.externalLineId}`,
    title: overrides.externalLineId,
    variantId: `v-${overrides.externalLineId}`,
    carriesStock: true,
    quantity: 3,
    fulfilledQuantity: 0,
    reserved: 3,
    reservedOnShipment: 0,
    shipped: 0,
    ...overrides,
  };
}
const incoming = (externalLineId: string, quantity: number) => ({ externalLineId, quantity, title: externalLineId });

describe("planOrderEdit", () => {
  it("sees no edit when every quantity is what is stored", () => {
    expect(planOrderEdit("reserved", [stored({ externalLineId: "a" })], [incoming("a", 3)])).toEqual({ kind: "unchanged" });
  });

  it("releases removed units and asks for added ones, sending a reserved order back through reservation", () => {
    const plan = planOrderEdit("reserved", [stored({ externalLineId: "a" }), stored({ externalLineId: "b", quantity: 1, reserved: 1 })], [
      incoming("a", 1),
      incoming("b", 4),
      incoming("c", 2),
    ]);
    expect(plan).toMatchObject({
      kind: "apply",
      releases: [{ lineId: "id-a", variantId: "v-a", units: 2 }],
      added: [{ externalLineId: "c", quantity: 2 }],
      wantsMoreStock: true,
      reenterReservation: true,
      unitsRemoved: 2,
      unitsAdded: 5,
    });
  });

  it("a line the channel no longer lists is removed; a short line releases only what it holds", () => {
    const plan = planOrderEdit("backordered", [stored({ externalLineId: "a", quantity: 5, reserved: 2 })], []);
    expect(plan).toMatchObject({ kind: "apply", releases: [{ units: 2 }], wantsMoreStock: false, reenterReservation: false });
    const smaller = planOrderEdit("backordered", [stored({ externalLineId: "a", quantity: 5, reserved: 2 })], [incoming("a", 3)]);
    expect(smaller).toMatchObject({ kind: "apply", releases: [], wantsMoreStock: false });
  });

  it("never releases for units fulfilled by the channel or shipped, and lines without stock move nothing", () => {
    const plan = planOrderEdit(
      "reserved",
      [stored({ externalLineId: "a", quantity: 5, fulfilledQuantity: 2, reserved: 3 }), stored({ externalLineId: "g", variantId: null, carriesStock: false, reserved: 0 })],
      [incoming("a", 4), incoming("g", 0)],
    );
    expect(plan).toMatchObject({ kind: "apply", releases: [{ lineId: "id-a", units: 1 }], wantsMoreStock: false });
  });

  it("refuses additions once the order is closed, and only notes what a refund or return took away", () => {
    const line = stored({ externalLineId: "a", reserved: 0, shipped: 3 });
    for (const status of ["shipped", "delivered", "picked_up"] as const) {
      expect(planOrderEdit(status, [line], [incoming("a", 4)])).toMatchObject({ kind: "refused", reason: "order_dispatched" });
      expect(planOrderEdit(status, [line], [incoming("a", 3), incoming("b", 1)])).toMatchObject({ kind: "refused", reason: "order_dispatched" });
      expect(planOrderEdit(status, [line], [incoming("a", 1)])).toMatchObject({ kind: "noted", changes: [{ from: 3, to: 1 }] });
    }
    expect(planOrderEdit("cancelled", [stored({ externalLineId: "a", reserved: 0 })], [incoming("a", 5)])).toMatchObject({ kind: "refused", reason: "order_cancelled" });
    expect(planOrderEdit("cancelled", [stored({ externalLineId: "a", reserved: 0 })], [incoming("a", 0)])).toMatchObject({ kind: "noted" });
  });

  it("on a partly shipped order, releases what is held beyond the new need and never asks back shipped units", () => {
    // 3 ordered, 2 shipped, 1 held; the channel now says 1 (a refund of a shipped unit and the held one removed).
    expect(planOrderEdit("partially_shipped", [stored({ externalLineId: "a", reserved: 1, shipped: 2 })], [incoming("a", 1)])).toMatchObject({
      kind: "apply",
      releases: [{ units: 1 }],
      wantsMoreStock: false,
      reenterReservation: false,
    });
  });

  it("refuses to release units planned on a shipment with a bought label", () => {
    expect(planOrderEdit("allocated", [stored({ externalLineId: "a", reservedOnShipment: 2 })], [incoming("a", 0)])).toMatchObject({
      kind: "refused",
      reason: "labels_bought",
      line: "a",
    });
    // Releasing only units off the shipment is fine.
    expect(planOrderEdit("allocated", [stored({ externalLineId: "a", reservedOnShipment: 2 })], [incoming("a", 2)])).toMatchObject({
      kind: "apply",
      releases: [{ units: 1 }],
    });
  });
});
