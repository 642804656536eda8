import { exactSplitSearch } from "./exact-split-search.js";
import { heuristicSplitSearch } from "./heuristic-split-search.js";
import {
  comparePlans,
  evaluatePlan,
  quickScore,
  scratchFor,
  type PlanEvaluation,
  type QuickScore,
  type RoutingCostModel,
} from "./routing-cost-model.js";
import type { RoutingSettings } from "./routing-settings.js";

export type SearchKind = "single" | "exact" | "heuristic";

export interface StrategyChoice {
  readonly plan: PlanEvaluation;
  readonly search: SearchKind;
}

/**
 * The routing extension point (rule 6): a strategy picks the set of candidate locations; the
 * decision around it (routing-decision.ts) builds the allocations from that set, checks them
 * against stock and explains them, so a custom strategy cannot oversell or drop a line.
 */
export interface RoutingStrategy {
  readonly name: string;
  choose(model: RoutingCostModel, settings: RoutingSettings): StrategyChoice | undefined;
}

/**
 * One location when one can serve the whole order (the best-scoring of those), otherwise the
 * split with the lowest score: exact branch and bound while it fits the budget, else the
 * bounded heuristic.
 */
export class CostBasedRoutingStrategy implements RoutingStrategy {
  readonly name = "single-then-cheapest-split";

  choose(model: RoutingCostModel, settings: RoutingSettings): StrategyChoice | undefined {
    if (model.candidates.length === 0 || model.maxCoverage === 0) return undefined;
    if (settings.preferSingleLocation) {
      const single = bestSingle(model);
      if (single !== undefined && single.covered === model.totalDemand) return { plan: single, search: "single" };
    }
    const exact = exactSearchFits(model, settings.exactSearchBudget) ? exactSplitSearch(model, settings.exactSearchBudget) : undefined;
    if (exact !== undefined) return { plan: exact, search: "exact" };
    const heuristic = heuristicSplitSearch(model, settings.heuristicPasses);
    return heuristic === undefined ? undefined : { plan: heuristic, search: "heuristic" };
  }
}

/** The best one-location plan: most units covered, then lowest score, then the rule order. */
export function bestSingle(model: RoutingCostModel): PlanEvaluation | undefined {
  const scratch = scratchFor(model);
  const probe: QuickScore = { covered: 0, score: 0, usedCount: 0 };
  const one = [0];
  let bestCovered = 0;
  let bestScore = Number.POSITIVE_INFINITY;
  let contenders: number[] = [];
  for (let i = 0; i < model.candidates.length; i++) {
    one[0] = i;
    quickScore(model, one, scratch, probe);
    if (probe.covered === 0 || probe.covered < bestCovered) continue;
    if (probe.covered > bestCovered || probe.score < bestScore - 1e-6) {
      bestCovered = probe.covered;
      bestScore = probe.score;
      contenders = [i];
    } else if (Math.abs(probe.score - bestScore) <= 1e-6) {
      contenders.push(i);
    }
  }
  let best: PlanEvaluation | undefined;
  for (const index of contenders) {
    const plan = evaluatePlan(model, [index]);
    if (best === undefined || comparePlans(model, plan, best) < 0) best = plan;
  }
  return best;
}

/**
 * Whether exact search is worth starting: the sets of up to one location per variant must fit
 * the budget. Larger orders go straight to the heuristic rather than spend the budget first.
 */
export function exactSearchFits(model: RoutingCostModel, budget: number): boolean {
  const n = model.candidates.length;
  let sets = 0;
  let choose = 1;
  for (let k = 1; k <= Math.min(model.variantIds.length, n); k++) {
    choose = (choose * (n - k + 1)) / k;
    sets += choose;
    if (sets > budget) return false;
  }
  return true;
}
