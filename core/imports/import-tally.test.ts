import { describe, expect, it } from "vitest";
import { addTally, countOutcome, countSkip, emptyTally, MAX_SKIPPED_EXAMPLES } from "./import-tally";

describe("import tally", () => {
  it("counts skips per reason and keeps a bounded list of examples", () => {
    const tally = emptyTally();
    for (let i = 0; i < MAX_SKIPPED_EXAMPLES + 5; i++) countSkip(tally, { ref: `v${i}`, reason: i % 2 ? "no_sku" : "duplicate_sku" });
    expect(tally.skipped).toBe(MAX_SKIPPED_EXAMPLES + 5);
    expect(tally.skipReasons.no_sku! + tally.skipReasons.duplicate_sku!).toBe(MAX_SKIPPED_EXAMPLES + 5);
    expect(tally.skippedExamples).toHaveLength(MAX_SKIPPED_EXAMPLES);
  });

  it("adds a page's tally into the run's", () => {
    const run = emptyTally();
    const page = emptyTally();
    countOutcome(page, "created", 3);
    countOutcome(page, "unchanged");
    countSkip(page, { ref: "x", reason: "no_sku" });
    addTally(run, page);
    addTally(run, page);
    expect(run).toMatchObject({ created: 6, unchanged: 2, skipped: 2, skipReasons: { no_sku: 2 } });
    expect(run.skippedExamples).toHaveLength(2);
  });
});
