import { describe, expect, it } from "vitest";
import { transitionRma, type RmaStatus } from "./rma-state-machine";
import { eventsToward, nextReturnsWindowStart } from "./channel-return-follow";

function walk(from: RmaStatus, target: RmaStatus, keepItem = false): RmaStatus {
  let status = from;
  for (const event of eventsToward(from, target, { keepItem })) {
    const step = transitionRma(status, event, { keepItem });
    if (!step.ok) throw new Error(`${event} refused from ${status}`);
    status = step.to;
  }
  return status;
}

describe("eventsToward", () => {
  it.each<[RmaStatus, RmaStatus, RmaStatus]>([
    ["requested", "approved", "approved"],
    ["requested", "declined", "declined"],
    ["requested", "in_transit", "in_transit"],
    ["requested", "received", "received"],
    ["approved", "in_transit", "in_transit"],
    // Inspection is a person's: a channel's "refunded" stops an uninspected return at received.
    ["requested", "refunded", "received"],
    ["inspected", "refunded", "refunded"],
    ["refunded", "closed", "closed"],
    // A buyer who closed an undecided return cancelled it; nobody declined it.
    ["requested", "closed", "cancelled"],
    ["label_issued", "cancelled", "cancelled"],
    // We are ahead of the channel: nothing moves back.
    ["inspected", "received", "inspected"],
    ["received", "approved", "received"],
    ["closed", "refunded", "closed"],
  ])("from %s towards %s ends at %s, through the transitions table", (from, target, end) => {
    expect(walk(from, target)).toBe(end);
  });

  it("lets a keep-the-item return be refunded straight after approval", () => {
    expect(walk("requested", "refunded", true)).toBe("refunded");
  });

  it("never declines on the way to closed", () => {
    expect(eventsToward("requested", "closed")).not.toContain("decline");
  });
});

describe("nextReturnsWindowStart", () => {
  const from = new Date("2026-11-01T00:00:00Z");
  const to = new Date("2026-11-10T00:00:00Z");
  const floor = new Date("2026-10-01T00:00:00Z");
  it("moves to the end of the pass when every return seen is settled", () => {
    expect(nextReturnsWindowStart(from, to, [{ requestedAt: new Date("2026-11-02T00:00:00Z"), stage: "refunded" }], floor)).toEqual(to);
  });
  it("stays at the oldest unsettled return so it is read again", () => {
    const seen = [
      { requestedAt: new Date("2026-11-05T00:00:00Z"), stage: "requested" as const },
      { requestedAt: new Date("2026-11-03T00:00:00Z"), stage: "in_transit" as const },
      { requestedAt: new Date("2026-11-02T00:00:00Z"), stage: "closed" as const },
    ];
    expect(nextReturnsWindowStart(from, to, seen, floor)).toEqual(new Date("2026-11-03T00:00:00Z"));
  });
  it("never goes back before the pass start or the floor", () => {
    expect(nextReturnsWindowStart(from, to, [{ requestedAt: new Date("2026-09-01T00:00:00Z"), stage: "requested" }], floor)).toEqual(from);
    expect(nextReturnsWindowStart(new Date("2026-09-01T00:00:00Z"), to, [], new Date("2026-12-01T00:00:00Z"))).toEqual(new Date("2026-12-01T00:00:00Z"));
  });
});
