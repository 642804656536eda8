import { comparePlans, evaluatePlan, type PlanEvaluation, type RoutingCostModel } from "./routing-cost-model.js";

/**
 * Branch and bound over sets of candidate locations. Exact: every set that could beat the best
 * plan found so far is visited, and a branch is cut only when a lower bound on every plan that
 * extends it (fixed costs and priority ranks of the set, its split penalty and slowest parcel,
 * and the cheapest possible per-unit charge for every unit) is already worse.
 *
 * Returns undefined when more than `budget` sets would be visited, so a caller can fall back to
 * the heuristic instead of stalling on a large order.
 */
export function exactSplitSearch(model: RoutingCostModel, budget: number): PlanEvaluation | undefined {
  const n = model.candidates.length;
  if (n === 0 || model.maxCoverage === 0) return undefined;
  const minPerUnit = Math.min(...model.perUnitScore);
  const unitFloor = minPerUnit * model.maxCoverage;
  // Visit cheap locations first so a good plan is found early and bounds cut sooner.
  const order = [...Array(n).keys()].sort((a, b) => model.fixedScore[a]! - model.fixedScore[b]! || a - b);
  const w = model.weights;
  let best: PlanEvaluation | undefined;
  let visited = 0;
  let aborted = false;
  const set: number[] = [];

  const visit = (start: number, fixed: number, maxDays: number): void => {
    for (let k = start; k < n && !aborted; k++) {
      const candidate = order[k]!;
      const nextFixed = fixed + model.fixedScore[candidate]!;
      const nextDays = Math.max(maxDays, model.days[candidate]!);
      const bound =
        nextFixed + w.split_penalty * set.length + w.delivery_days * nextDays + unitFloor;
      if (best !== undefined && bound > best.score + 1e-6) continue;
      if (++visited > budget) {
        aborted = true;
        return;
      }
      set.push(candidate);
      const sorted = [...set].sort((a, b) => a - b);
      const plan = evaluatePlan(model, sorted);
      // A location that draws nothing adds nothing: the same plan is met without it.
      if (plan.used.length === set.length) {
        if (plan.covered === model.maxCoverage && (best === undefined || comparePlans(model, plan, best) < 0)) best = plan;
        visit(k + 1, nextFixed, nextDays);
      }
      set.pop();
    }
  };
  visit(0, 0, 0);
  return aborted ? undefined : best;
}
