import { describe, expect, it } from "vitest";
import { decideChannelSignal, nextChannelReturnAction, type ChannelReturnState, type RmaForChannelSync } from "./channel-return-sync";
import { RMA_STATUSES, transitionRma } from "./rma-state-machine";

describe("channel signals onto the RMA", () => {
  it.each([
    ["requested", "approved", "approve"],
    ["requested", "declined", "decline"],
    ["label_issued", "cancelled", "cancel"],
    ["in_transit", "processed", "receive"],
    ["refunded", "closed", "close"],
  ] as const)("%s + %s applies %s", (status, signal, event) => {
    expect(decideChannelSignal(status, signal)).toEqual({ kind: "apply", event });
  });

  it("treats a signal the RMA already went past as done (redelivered or out of order)", () => {
    expect(decideChannelSignal("label_issued", "approved").kind).toBe("already");
    expect(decideChannelSignal("in_transit", "requested").kind).toBe("already");
    expect(decideChannelSignal("received", "processed").kind).toBe("already");
    expect(decideChannelSignal("declined", "declined").kind).toBe("already");
    expect(decideChannelSignal("closed", "closed").kind).toBe("already");
  });

  it("reports a disagreement instead of forcing it", () => {
    expect(decideChannelSignal("declined", "approved")).toMatchObject({ kind: "conflict" });
    expect(decideChannelSignal("approved", "declined")).toMatchObject({ kind: "conflict" });
    expect(decideChannelSignal("received", "cancelled")).toMatchObject({ kind: "conflict" });
    expect(decideChannelSignal("in_transit", "closed")).toMatchObject({ kind: "conflict" });
    expect(decideChannelSignal("closed", "reopened")).toMatchObject({ kind: "conflict" });
  });

  it("only ever applies an event the transitions table allows from that status", () => {
    for (const status of RMA_STATUSES) {
      for (const signal of ["requested", "approved", "declined", "processed", "cancelled", "closed", "reopened"] as const) {
        const decision = decideChannelSignal(status, signal);
        if (decision.kind === "apply") expect(transitionRma(status, decision.event).ok, `${status} + ${signal}`).toBe(true);
      }
    }
  });
});

describe("the next call to the channel", () => {
  const rma = (overrides: Partial<RmaForChannelSync>): RmaForChannelSync => ({
    status: "requested",
    resolution: "refund",
    hasLabel: false,
    unmirrorable: false,
    plainRefundDone: false,
    ...overrides,
  });
  const open = (overrides: Partial<ChannelReturnState> = {}): ChannelReturnState => ({ status: "open", awaitingLabel: false, unprocessedQuantity: 1, ...overrides });

  it("requests a new return, creates an approved one, and waits with an exchange until it is approved", () => {
    expect(nextChannelReturnAction(rma({}), null).action).toBe("request");
    expect(nextChannelReturnAction(rma({ status: "approved" }), null).action).toBe("create");
    expect(nextChannelReturnAction(rma({ resolution: "exchange" }), null).action).toBe("none");
    expect(nextChannelReturnAction(rma({ resolution: "exchange", status: "approved" }), null).action).toBe("create");
    expect(nextChannelReturnAction(rma({ status: "declined" }), null).action).toBe("none");
  });

  it("carries the merchant's decision to a requested return", () => {
    const requested: ChannelReturnState = { status: "requested", awaitingLabel: false, unprocessedQuantity: 1 };
    expect(nextChannelReturnAction(rma({}), requested).action).toBe("none");
    expect(nextChannelReturnAction(rma({ status: "approved" }), requested).action).toBe("approve");
    expect(nextChannelReturnAction(rma({ status: "label_issued", hasLabel: true }), requested).action).toBe("approve");
    expect(nextChannelReturnAction(rma({ status: "declined" }), requested).action).toBe("decline");
    expect(nextChannelReturnAction(rma({ status: "cancelled" }), requested).action).toBe("cancel");
  });

  it("attaches the label once, processes once resolved, closes once processed", () => {
    expect(nextChannelReturnAction(rma({ status: "label_issued", hasLabel: true }), open({ awaitingLabel: true })).action).toBe("attach_label");
    expect(nextChannelReturnAction(rma({ status: "label_issued", hasLabel: true }), open()).action).toBe("none");
    expect(nextChannelReturnAction(rma({ status: "inspected", hasLabel: true }), open()).action).toBe("none");
    expect(nextChannelReturnAction(rma({ status: "refunded", hasLabel: true }), open()).action).toBe("process");
    expect(nextChannelReturnAction(rma({ status: "refunded", hasLabel: true }), open({ unprocessedQuantity: 0 })).action).toBe("none");
    expect(nextChannelReturnAction(rma({ status: "closed", hasLabel: true }), open({ unprocessedQuantity: 0 })).action).toBe("close");
    expect(nextChannelReturnAction(rma({ status: "closed" }), { status: "closed", awaitingLabel: false, unprocessedQuantity: 0 }).action).toBe("none");
  });

  it("sends nothing for an order the channel does not have", () => {
    for (const status of ["requested", "approved", "refunded", "closed"] as const) {
      expect(nextChannelReturnAction(rma({ status, orderMissing: true }), null).action).toBe("none");
    }
  });

  it("refunds plainly, once, what the channel cannot hold as a return", () => {
    expect(nextChannelReturnAction(rma({ unmirrorable: true }), null).action).toBe("none");
    expect(nextChannelReturnAction(rma({ unmirrorable: true, status: "refunded" }), null).action).toBe("plain_refund");
    expect(nextChannelReturnAction(rma({ unmirrorable: true, status: "credited", resolution: "store_credit" }), null).action).toBe("plain_refund");
    expect(nextChannelReturnAction(rma({ unmirrorable: true, status: "refunded", plainRefundDone: true }), null).action).toBe("none");
    expect(nextChannelReturnAction(rma({ unmirrorable: true, status: "exchanged", resolution: "exchange" }), null).action).toBe("none");
  });
});
