import { describe, expect, it } from "vitest";
import { rmaEventForTracking } from "./return-tracking";
import { RMA_STATUSES, transitionRma } from "./rma-state-machine";

describe("tracking onto a return", () => {
  it.each([
    ["label_issued", "in_transit", "mark_in_transit"],
    ["label_issued", "out_for_delivery", "mark_in_transit"],
    ["label_issued", "delivered", "receive"],
    ["in_transit", "delivered", "receive"],
    ["in_transit", "in_transit", null],
    ["label_issued", "pre_transit", null],
    ["received", "delivered", null],
    ["cancelled", "delivered", null],
  ] as const)("%s + %s -> %s", (status, tracking, event) => {
    expect(rmaEventForTracking(status, tracking)).toBe(event);
  });

  it("only answers events the transitions table allows", () => {
    for (const status of RMA_STATUSES) {
      for (const tracking of ["pre_transit", "in_transit", "out_for_delivery", "available_for_pickup", "delivered", "return_to_sender", "failure"]) {
        const event = rmaEventForTracking(status, tracking);
        if (event) expect(transitionRma(status, event).ok, `${status} ${tracking}`).toBe(true);
      }
    }
  });
});
