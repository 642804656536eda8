import { describe, expect, it } from "vitest";
import { RMA_STATUSES } from "./rma-state-machine";
import { returnLabelNotNeededBecause } from "./return-label-need";

describe("whether a return needs a label bought", () => {
  it("needs one only while approved, coming back, and holding none", () => {
    const needing = RMA_STATUSES.filter((status) => returnLabelNotNeededBecause({ status, keepItem: false, hasLabel: false }) === null);
    expect(needing).toEqual(["approved"]);
  });

  it("needs none when the customer keeps the item, whatever the status", () => {
    for (const status of RMA_STATUSES) expect(returnLabelNotNeededBecause({ status, keepItem: true, hasLabel: false })).toBe("the customer keeps the item");
  });

  it("says why in words the merchant reads", () => {
    expect(returnLabelNotNeededBecause({ status: "approved", keepItem: false, hasLabel: true })).toBe("the return already has its label");
    expect(returnLabelNotNeededBecause({ status: "label_issued", keepItem: false, hasLabel: false })).toBe("the return already has its label");
    expect(returnLabelNotNeededBecause({ status: "cancelled", keepItem: false, hasLabel: false })).toBe("the return is cancelled");
    expect(returnLabelNotNeededBecause({ status: "in_transit", keepItem: false, hasLabel: true })).toBe("the return is in transit");
  });
});
