import { distanceKm } from "./geo-distance.js";
import { estimateLabel, type LabelEstimate } from "./label-estimate.js";
import { ROUTING_RULES, ruleWeight, type RoutingRule, type RoutingSettings } from "./routing-settings.js";
import type { RoutingDestination, RoutingLine, RoutingLocation, RoutingStockLevel } from "./routing-types.js";

/**
 * The routing problem in arrays, built once per decision so the searches only do arithmetic.
 *
 * A plan is a set of candidate locations. Given the set, the cheapest way to draw each variant
 * is from the location with the lowest per-unit label cost first (costs are linear in units and
 * variants do not interact), so a set fully determines its plan and the searches only choose
 * sets. Every rule term is monotone in the set (adding a location never lowers it, apart from
 * the per-unit part), which is what makes the exact search's bound valid.
 */

export interface Candidate {
  readonly location: RoutingLocation;
  readonly distanceKm: number | undefined;
  readonly international: boolean;
  /** Estimate for a one-unit parcel; extra units add `extraUnitMinor` each. */
  readonly firstUnit: LabelEstimate;
  readonly extraUnitMinor: number;
  /** 0 for the merchant's most preferred priority among the candidates. */
  readonly priorityRank: number;
}

export interface RoutingCostModel {
  readonly variantIds: readonly string[];
  readonly demand: readonly number[];
  readonly totalDemand: number;
  /** Candidates in ascending per-unit cost: a set listed in index order is in drawing order. */
  readonly candidates: readonly Candidate[];
  /** available[candidate][variant]. */
  readonly available: readonly (readonly number[])[];
  /** Units coverable with every candidate together: the most any plan can reach. */
  readonly maxCoverage: number;
  /** Score of using the candidate at all (first unit less one per-unit charge, rank, distance). */
  readonly fixedScore: readonly number[];
  readonly perUnitScore: readonly number[];
  readonly days: readonly number[];
  readonly weights: { readonly [R in RoutingRule]: number };
  readonly ruleOrder: readonly RoutingRule[];
  readonly farthestKm: number;
  /** Per candidate, the variants it holds and how many: rows are sparse, so searches walk only these. */
  readonly sparseVariant: readonly Int32Array[];
  readonly sparseAmount: readonly Int32Array[];
}

export interface PlanEvaluation {
  /** Candidate indexes actually drawn on, ascending. */
  readonly used: readonly number[];
  /** Units drawn per used candidate, parallel to `used`. */
  readonly units: readonly number[];
  readonly covered: number;
  readonly score: number;
  /** Weighted term per rule, in settings order (for tie-breaks and explanations). */
  readonly terms: readonly number[];
}

export function buildCostModel(
  lines: readonly RoutingLine[],
  stock: readonly RoutingStockLevel[],
  eligible: readonly RoutingLocation[],
  destination: RoutingDestination,
  settings: RoutingSettings,
): RoutingCostModel {
  const variantIds: string[] = [];
  const variantIndex = new Map<string, number>();
  const demand: number[] = [];
  for (const line of lines) {
    let index = variantIndex.get(line.variantId);
    if (index === undefined) {
      index = variantIds.length;
      variantIndex.set(line.variantId, index);
      variantIds.push(line.variantId);
      demand.push(0);
    }
    demand[index]! += line.quantity;
  }
  const stockAt = new Map<string, number[]>();
  for (const level of stock) {
    const v = variantIndex.get(level.variantId);
    if (v === undefined || level.available <= 0) continue;
    let row = stockAt.get(level.locationId);
    if (!row) {
      row = variantIds.map(() => 0);
      stockAt.set(level.locationId, row);
    }
    row[v]! += level.available;
  }

  const card = settings.rateCard;
  const farthestKm = card.zoneUpperKm[card.zoneUpperKm.length - 1]! * 1.25;
  const withStock = eligible.filter((location) => stockAt.has(location.id));
  const priorities = [...new Set(withStock.map((location) => location.priority))].sort((a, b) => a - b);
  const unsorted = withStock.map((location) => {
    const km = location.point && destination.point ? distanceKm(location.point, destination.point) : undefined;
    const international = destination.countryCode !== undefined && destination.countryCode !== location.countryCode;
    const firstUnit = estimateLabel(card, { distanceKm: km, units: 1, international });
    const two = estimateLabel(card, { distanceKm: km, units: 2, international });
    return {
      location,
      distanceKm: km,
      international,
      firstUnit,
      extraUnitMinor: two.costMinor - firstUnit.costMinor,
      priorityRank: priorities.indexOf(location.priority),
    } satisfies Candidate;
  });

  const weights = Object.fromEntries(ROUTING_RULES.map((rule) => [rule, ruleWeight(settings, rule)])) as {
    [R in RoutingRule]: number;
  };
  const fixedOf = (c: Candidate) =>
    weights.label_cost * (c.firstUnit.costMinor - c.extraUnitMinor) +
    weights.location_priority * c.priorityRank +
    (weights.distance * (c.distanceKm ?? farthestKm)) / 100;
  const perUnitOf = (c: Candidate) => weights.label_cost * c.extraUnitMinor;
  const candidates = unsorted.sort(
    (a, b) =>
      perUnitOf(a) - perUnitOf(b) ||
      fixedOf(a) - fixedOf(b) ||
      (a.location.id < b.location.id ? -1 : a.location.id > b.location.id ? 1 : 0),
  );
  const available = candidates.map((c) => stockAt.get(c.location.id)!);
  let maxCoverage = 0;
  for (let v = 0; v < variantIds.length; v++) {
    let total = 0;
    for (const row of available) total += row[v]!;
    maxCoverage += Math.min(total, demand[v]!);
  }
  return {
    variantIds,
    demand,
    totalDemand: demand.reduce((sum, d) => sum + d, 0),
    candidates,
    available,
    maxCoverage,
    fixedScore: candidates.map(fixedOf),
    perUnitScore: candidates.map(perUnitOf),
    days: candidates.map((c) => c.firstUnit.days),
    weights,
    ruleOrder: settings.rules.map((entry) => entry.rule),
    farthestKm,
    sparseVariant: available.map((row) => Int32Array.from(row.flatMap((amount, v) => (amount > 0 ? [v] : [])))),
    sparseAmount: available.map((row) => Int32Array.from(row.filter((amount) => amount > 0))),
  };
}

/** Draws the order from `set` (candidate indexes, ascending) and scores what was drawn. */
export function evaluatePlan(model: RoutingCostModel, set: readonly number[]): PlanEvaluation {
  const drawn = new Array<number>(set.length).fill(0);
  let covered = 0;
  for (let v = 0; v < model.demand.length; v++) {
    let remaining = model.demand[v]!;
    for (let i = 0; i < set.length && remaining > 0; i++) {
      const free = model.available[set[i]!]![v]!;
      if (free <= 0) continue;
      const take = free < remaining ? free : remaining;
      drawn[i]! += take;
      remaining -= take;
      covered += take;
    }
  }
  const used: number[] = [];
  const units: number[] = [];
  for (let i = 0; i < set.length; i++) {
    if (drawn[i]! > 0) {
      used.push(set[i]!);
      units.push(drawn[i]!);
    }
  }
  const terms = termsOf(model, used, units);
  let score = 0;
  for (const term of terms) score += term;
  return { used, units, covered, score, terms };
}

function termsOf(model: RoutingCostModel, used: readonly number[], units: readonly number[]): number[] {
  let label = 0;
  let maxDays = 0;
  let rank = 0;
  let km = 0;
  for (let i = 0; i < used.length; i++) {
    const c = model.candidates[used[i]!]!;
    label += c.firstUnit.costMinor + (units[i]! - 1) * c.extraUnitMinor;
    if (c.firstUnit.days > maxDays) maxDays = c.firstUnit.days;
    rank += c.priorityRank;
    km += c.distanceKm ?? model.farthestKm;
  }
  const w = model.weights;
  const byRule: { [R in RoutingRule]: number } = {
    label_cost: w.label_cost * label,
    delivery_days: w.delivery_days * maxDays,
    split_penalty: w.split_penalty * Math.max(0, used.length - 1),
    location_priority: w.location_priority * rank,
    distance: (w.distance * km) / 100,
  };
  return model.ruleOrder.map((rule) => byRule[rule]);
}

const EPSILON = 1e-6;

/**
 * Negative when `a` is the better plan: more units covered, then a lower score, then the rules
 * in the merchant's order, then location ids so the answer never depends on search order.
 */
export function comparePlans(model: RoutingCostModel, a: PlanEvaluation, b: PlanEvaluation): number {
  if (a.covered !== b.covered) return b.covered - a.covered;
  if (Math.abs(a.score - b.score) > EPSILON) return a.score - b.score;
  for (let i = 0; i < a.terms.length; i++) {
    const diff = a.terms[i]! - b.terms[i]!;
    if (Math.abs(diff) > EPSILON) return diff;
  }
  const ids = (plan: PlanEvaluation) => plan.used.map((index) => model.candidates[index]!.location.id).sort().join(",");
  const ka = ids(a);
  const kb = ids(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/** What the searches need to compare sets, without building a plan. */
export interface QuickScore {
  covered: number;
  score: number;
  /** Locations in the set that draw at least one unit. */
  usedCount: number;
}

/**
 * The same figures as evaluatePlan's `covered` and `score`, computed without allocating: the
 * searches call this thousands of times per decision. `remaining` and `drawn` are scratch
 * buffers at least as long as the variant count and the set.
 */
export function quickScore(
  model: RoutingCostModel,
  set: ArrayLike<number>,
  scratch: { remaining: Int32Array; drawn: Int32Array },
  out: QuickScore,
  length: number = set.length,
): QuickScore {
  const { remaining, drawn } = scratch;
  const demand = model.demand;
  for (let v = 0; v < demand.length; v++) remaining[v] = demand[v]!;
  let covered = 0;
  for (let i = 0; i < length; i++) {
    const c = set[i]!;
    const variants = model.sparseVariant[c]!;
    const amounts = model.sparseAmount[c]!;
    let took = 0;
    for (let e = 0; e < variants.length; e++) {
      const v = variants[e]!;
      const left = remaining[v]!;
      if (left <= 0) continue;
      const free = amounts[e]!;
      const take = free < left ? free : left;
      remaining[v] = left - take;
      took += take;
    }
    drawn[i] = took;
    covered += took;
  }
  const w = model.weights;
  let label = 0;
  let maxDays = 0;
  let rank = 0;
  let km = 0;
  let used = 0;
  for (let i = 0; i < length; i++) {
    const units = drawn[i]!;
    if (units === 0) continue;
    const candidate = model.candidates[set[i]!]!;
    used++;
    label += candidate.firstUnit.costMinor + (units - 1) * candidate.extraUnitMinor;
    if (candidate.firstUnit.days > maxDays) maxDays = candidate.firstUnit.days;
    rank += candidate.priorityRank;
    km += candidate.distanceKm ?? model.farthestKm;
  }
  out.covered = covered;
  out.usedCount = used;
  out.score =
    w.label_cost * label +
    w.delivery_days * maxDays +
    w.split_penalty * (used > 1 ? used - 1 : 0) +
    w.location_priority * rank +
    (w.distance * km) / 100;
  return out;
}

export function scratchFor(model: RoutingCostModel): { remaining: Int32Array; drawn: Int32Array } {
  return { remaining: new Int32Array(model.demand.length), drawn: new Int32Array(model.candidates.length + 1) };
}
