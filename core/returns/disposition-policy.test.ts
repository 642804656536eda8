import { describe, expect, it } from "vitest";
import { RETURN_REASONS } from "./return-rules";
import { RETURN_GRADES, TableDispositionPolicy } from "./disposition-policy";

describe("disposition rules", () => {
  const policy = new TableDispositionPolicy();

  it.each([
    ["A", "size_too_small", "restock"],
    ["B", "unwanted", "restock"],
    ["A", "defective", "refurbish"],
    ["C", "style", "refurbish"],
    ["D", "unwanted", "dispose"],
    ["D", "defective", "dispose"],
  ] as const)("grade %s returned as %s is %s", (grade, reason, disposition) => {
    expect(policy.decide(grade, reason).disposition).toBe(disposition);
  });

  it("covers every grade and reason with an explanation", () => {
    for (const grade of RETURN_GRADES) {
      for (const reason of RETURN_REASONS) expect(policy.decide(grade, reason).explanation).toMatch(/^Grade /);
    }
  });

  it("fails loudly on a rule table with a hole, rather than guessing", () => {
    const partial = new TableDispositionPolicy([{ grades: ["A"], disposition: "restock" }]);
    expect(() => partial.decide("D", "unwanted")).toThrow(/cover no grade D/);
  });
});
