import { parseArgs } from "node:util";
import { performance } from "node:perf_hooks";
import { defaultPolicies } from "../core/config/default-policies";
import { exactSplitSearch } from "../core/routing/exact-split-search";
import { buildCostModel } from "../core/routing/routing-cost-model";
import { decideRouting } from "../core/routing/routing-decision";
import { bestSingle } from "../core/routing/routing-strategy";
import { SeededRandom } from "../db/seed/seeded-random";
import { randomOrder, randomWorld } from "../tests/helpers/random-routing-request";

/**
 * npm run bench:routing -- --decisions 3000 --small 400
 *
 * Pure routing decisions (no database) over 50 locations with sparse stock:
 * - decisions_per_s: full decideRouting (eligibility, search, allocations, explanation) on
 *   10-line orders;
 * - cost_vs_optimal: mean ratio of the decision's score to the proven optimum (branch and bound
 *   with no budget, checked against brute force in the tests) on orders of 1–4 lines;
 *   heuristic_vs_optimal is the same with exact search switched off, i.e. the bounded heuristic
 *   that large orders get. Prints one JSON object as its last line.
 */
const { values } = parseArgs({
  options: {
    decisions: { type: "string", default: "3000" },
    small: { type: "string", default: "400" },
    locations: { type: "string", default: "50" },
    seed: { type: "string", default: "42" },
  },
});
const decisionCount = Number(values.decisions);
const smallCount = Number(values.small);
const random = new SeededRandom(Number(values.seed));
const world = randomWorld(random, { locations: Number(values.locations), variants: 400, stockChance: 0.12, maxStock: 4 });
const settings = defaultPolicies.routingSettings;
const strategy = defaultPolicies.routing;

// Throughput on the largest orders.
const large = Array.from({ length: decisionCount }, () => randomOrder(random, world, 10));
for (const request of large.slice(0, 300)) decideRouting(request, settings, strategy);
const started = performance.now();
const cpuStarted = process.cpuUsage();
const searches: Record<string, number> = {};
let splitCount = 0;
for (const request of large) {
  const decision = decideRouting(request, settings, strategy);
  searches[decision.search] = (searches[decision.search] ?? 0) + 1;
  if (decision.shipments.length > 1) splitCount++;
}
const elapsedS = (performance.now() - started) / 1000;
const cpu = process.cpuUsage(cpuStarted);
const cpuS = (cpu.user + cpu.system) / 1e6;

// Quality on orders small enough to solve exactly, with every order-size 1–4 represented.
const heuristicOnly = { ...settings, exactSearchBudget: 0 };
let ratioSum = 0;
let heuristicRatioSum = 0;
let worstHeuristic = 1;
let measured = 0;
let smallSplits = 0;
for (let i = 0; i < smallCount; i++) {
  const request = randomOrder(random, world, 1 + (i % 4));
  const model = buildCostModel(request.lines, request.stock, request.locations, request.destination, settings);
  const single = bestSingle(model);
  const optimum =
    settings.preferSingleLocation && single && single.covered === model.totalDemand
      ? single
      : exactSplitSearch(model, Number.MAX_SAFE_INTEGER);
  if (!optimum || optimum.score <= 0) continue;
  const decided = decideRouting(request, settings, strategy);
  const heuristic = decideRouting(request, heuristicOnly, strategy);
  if (decided.status !== "routed" || decided.shipments.length === 0) continue;
  measured++;
  if (optimum.used.length > 1) smallSplits++;
  ratioSum += decided.score / optimum.score;
  const ratio = heuristic.score / optimum.score;
  heuristicRatioSum += ratio;
  worstHeuristic = Math.max(worstHeuristic, ratio);
}

const round = (value: number, places: number) => Number(value.toFixed(places));
console.log(`routing: ${decisionCount} ten-line decisions over ${world.locations.length} locations in ${elapsedS.toFixed(2)} s (${splitCount} split)`);
console.log(`quality: ${measured} small orders measured against the optimum (${smallSplits} need a split)`);
console.log(
  JSON.stringify({
    decisions_per_s: Math.round(decisionCount / elapsedS),
    // Wall time above includes waiting for a shared CPU; this is the decision's own cost.
    decisions_per_cpu_s: Math.round(decisionCount / cpuS),
    cost_vs_optimal: round(measured ? ratioSum / measured : Number.NaN, 4),
    heuristic_vs_optimal: round(measured ? heuristicRatioSum / measured : Number.NaN, 4),
    heuristic_worst_ratio: round(worstHeuristic, 4),
    locations: world.locations.length,
    ten_line_orders: decisionCount,
    ten_line_split_share: round(splitCount / decisionCount, 3),
    search_kinds: searches,
    small_orders: measured,
    small_split_share: round(measured ? smallSplits / measured : 0, 3),
  }),
);
