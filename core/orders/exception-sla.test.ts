import { describe, expect, it } from "vitest";
import { DEFAULT_EXCEPTION_SLA_HOURS, slaStanding } from "./exception-sla.js";
import { EXCEPTION_KINDS } from "./order-intake.js";

describe("slaStanding", () => {
  const created = new Date("2026-12-01T00:00:00Z");
  const at = (hours: number) => new Date(created.getTime() + hours * 3_600_000);

  it("is within, due soon in the last quarter, then breached", () => {
    expect(slaStanding("high_risk", created, at(1)).state).toBe("within");
    expect(slaStanding("high_risk", created, at(3)).state).toBe("due_soon");
    expect(slaStanding("high_risk", created, at(4))).toEqual({ ageHours: 4, slaHours: 4, state: "breached" });
    expect(slaStanding("partial_stock", created, at(4)).state).toBe("within");
  });

  it("has an allowance for every cause and a default for causes it does not know", () => {
    for (const kind of EXCEPTION_KINDS) expect(DEFAULT_EXCEPTION_SLA_HOURS[kind]).toBeGreaterThan(0);
    expect(slaStanding("something_new", created, at(25)).state).toBe("breached");
  });
});
