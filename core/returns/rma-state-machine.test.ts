import { describe, expect, it } from "vitest";
import { availableRmaEvents, RMA_EVENTS, RMA_STATUSES, RMA_TRANSITIONS, transitionRma } from "./rma-state-machine";

describe("RMA transitions table", () => {
  it.each([
    ["requested", "approve", "approved"],
    ["requested", "decline", "declined"],
    ["approved", "issue_label", "label_issued"],
    ["label_issued", "mark_in_transit", "in_transit"],
    ["in_transit", "receive", "received"],
    ["approved", "receive", "received"],
    ["received", "inspect", "inspected"],
    ["inspected", "refund", "refunded"],
    ["inspected", "exchange", "exchanged"],
    ["inspected", "credit", "credited"],
    ["refunded", "close", "closed"],
    ["declined", "close", "closed"],
    ["label_issued", "cancel", "cancelled"],
  ] as const)("%s --%s--> %s", (from, event, to) => {
    expect(transitionRma(from, event)).toEqual({ ok: true, from, to });
  });

  it("refuses a refund before the item is inspected, with a reason", () => {
    expect(transitionRma("in_transit", "refund")).toMatchObject({ ok: false, reason: "not_inspected" });
  });

  it("lets a kept item be refunded or credited straight after approval, and only then", () => {
    expect(transitionRma("approved", "refund", { keepItem: true })).toMatchObject({ ok: true, to: "refunded" });
    expect(transitionRma("approved", "credit", { keepItem: true })).toMatchObject({ ok: true, to: "credited" });
    expect(transitionRma("approved", "refund", { keepItem: false })).toMatchObject({ ok: false });
    expect(transitionRma("requested", "refund", { keepItem: true })).toMatchObject({ ok: false });
  });

  it("says a closed or cancelled return is finished whatever is tried", () => {
    for (const event of RMA_EVENTS) {
      expect(transitionRma("closed", event)).toMatchObject({ ok: false, reason: "already_finished" });
      expect(transitionRma("cancelled", event)).toMatchObject({ ok: false, reason: "already_finished" });
    }
  });

  it("never cancels a return whose parcel is on its way or already back", () => {
    for (const from of ["in_transit", "received", "inspected", "refunded"] as const) {
      expect(transitionRma(from, "cancel").ok).toBe(false);
    }
  });

  it("has only known statuses in the table, and every status but the final ones can move", () => {
    for (const rule of Object.values(RMA_TRANSITIONS)) {
      for (const status of [...rule.from, rule.to]) expect(RMA_STATUSES).toContain(status);
    }
    for (const status of RMA_STATUSES) {
      const moves = availableRmaEvents(status, { keepItem: true });
      if (status === "closed" || status === "cancelled") expect(moves).toEqual([]);
      else expect(moves.length).toBeGreaterThan(0);
    }
  });
});
