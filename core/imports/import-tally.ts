/**
 * What one resource's import did, as plain numbers the admin can show. Skips carry a reason
 * (a variant without SKU, a SKU another variant already has...) so the merchant can fix the
 * data in the channel and import again.
 */

export interface ImportTally {
  created: number;
  updated: number;
  unchanged: number;
  skipped: number;
  skipReasons: Record<string, number>;
  skippedExamples: { ref: string; reason: string; detail?: string }[];
}

/** Enough to find the pattern without letting a huge catalogue bloat the run row. */
export const MAX_SKIPPED_EXAMPLES = 25;

export function emptyTally(): ImportTally {
  return { created: 0, updated: 0, unchanged: 0, skipped: 0, skipReasons: {}, skippedExamples: [] };
}

export type TallyOutcome = "created" | "updated" | "unchanged";

export function countOutcome(tally: ImportTally, outcome: TallyOutcome, by = 1): void {
  tally[outcome] += by;
}

export function countSkip(tally: ImportTally, skip: { ref: string; reason: string; detail?: string }): void {
  tally.skipped++;
  tally.skipReasons[skip.reason] = (tally.skipReasons[skip.reason] ?? 0) + 1;
  if (tally.skippedExamples.length < MAX_SKIPPED_EXAMPLES) {
    tally.skippedExamples.push(skip.detail === undefined ? { ref: skip.ref, reason: skip.reason } : { ...skip });
  }
}

/** Adds a page's tally into the running one (in place). */
export function addTally(into: ImportTally, page: ImportTally): void {
  into.created += page.created;
  into.updated += page.updated;
  into.unchanged += page.unchanged;
  for (const example of page.skippedExamples) {
    if (into.skippedExamples.length < MAX_SKIPPED_EXAMPLES) into.skippedExamples.push(example);
  }
  into.skipped += page.skipped;
  for (const [reason, count] of Object.entries(page.skipReasons)) into.skipReasons[reason] = (into.skipReasons[reason] ?? 0) + count;
}
