import { evaluatePlan, quickScore, scratchFor, type PlanEvaluation, type QuickScore, type RoutingCostModel } from "./routing-cost-model.js";

/**
 * Bounded heuristic for orders too large to search exactly: a greedy cover (add the location
 * with the lowest score per unit it newly covers) followed by at most `passes` rounds of local
 * improvement (drop a location, swap one for another, add one), each keeping full coverage.
 * Work is O(passes × set size × candidates) quick scores, whatever the order's size; sets are
 * built in one reused buffer because allocation, not arithmetic, was the cost.
 */
export function heuristicSplitSearch(model: RoutingCostModel, passes: number): PlanEvaluation | undefined {
  const n = model.candidates.length;
  if (n === 0 || model.maxCoverage === 0) return undefined;
  const scratch = scratchFor(model);
  const probe: QuickScore = { covered: 0, score: 0, usedCount: 0 };
  const buffer = new Int32Array(n + 1);
  const inSet = new Uint8Array(n);

  let set: number[] = [];
  let covered = 0;
  let score = 0;
  while (covered < model.maxCoverage) {
    let pick = -1;
    let pickRatio = Number.POSITIVE_INFINITY;
    let pickGain = 0;
    let pickScore = 0;
    for (let j = 0; j < n; j++) {
      if (inSet[j]) continue;
      const length = fill(buffer, set, -1, j);
      quickScore(model, buffer, scratch, probe, length);
      const gain = probe.covered - covered;
      if (gain <= 0) continue;
      const ratio = (probe.score - score) / gain;
      if (ratio < pickRatio - 1e-9 || (Math.abs(ratio - pickRatio) <= 1e-9 && gain > pickGain)) {
        pick = j;
        pickRatio = ratio;
        pickGain = gain;
        pickScore = probe.score;
      }
    }
    if (pick === -1) break;
    set = Array.from(buffer.subarray(0, fill(buffer, set, -1, pick)));
    inSet[pick] = 1;
    covered += pickGain;
    score = pickScore;
  }
  set = withoutUnused(model, set, scratch, probe);

  for (let pass = 0; pass < passes; pass++) {
    let bestScore = score;
    let bestOut = -1;
    let bestIn = -1;
    const consider = (out: number, into: number) => {
      const length = fill(buffer, set, out, into);
      quickScore(model, buffer, scratch, probe, length);
      if (probe.covered === model.maxCoverage && probe.score < bestScore - 1e-6) {
        bestScore = probe.score;
        bestOut = out;
        bestIn = into;
      }
    };
    for (const out of set) consider(out, -1);
    for (let j = 0; j < n; j++) {
      if (inSet[j]) continue;
      consider(-1, j);
      for (const out of set) consider(out, j);
    }
    if (bestOut === -1 && bestIn === -1) break;
    for (const index of set) inSet[index] = 0;
    set = withoutUnused(model, Array.from(buffer.subarray(0, fill(buffer, set, bestOut, bestIn))), scratch, probe);
    for (const index of set) inSet[index] = 1;
    score = bestScore;
  }
  const plan = evaluatePlan(model, set);
  return plan.covered === 0 ? undefined : plan;
}

/** Writes `set` without `out` and with `into` (either may be -1) into `buffer`, ascending. */
function fill(buffer: Int32Array, set: readonly number[], out: number, into: number): number {
  let length = 0;
  let placed = into < 0;
  for (const item of set) {
    if (item === out) continue;
    if (!placed && item > into) {
      buffer[length++] = into;
      placed = true;
    }
    buffer[length++] = item;
  }
  if (!placed) buffer[length++] = into;
  return length;
}

function withoutUnused(
  model: RoutingCostModel,
  set: number[],
  scratch: { remaining: Int32Array; drawn: Int32Array },
  probe: QuickScore,
): number[] {
  quickScore(model, set, scratch, probe);
  return probe.usedCount === set.length ? set : set.filter((_, i) => scratch.drawn[i]! > 0);
}
