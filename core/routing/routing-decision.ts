import { distanceKm } from "./geo-distance.js";
import { estimateLabel, type LabelEstimate } from "./label-estimate.js";
import { ineligibility, type IneligibilityCode } from "./location-eligibility.js";
import { buildCostModel, evaluatePlan, type PlanEvaluation, type RoutingCostModel } from "./routing-cost-model.js";
import { describeDestination, explainPassedOver, explainShipment, summarise } from "./routing-explanation.js";
import type { RoutingSettings } from "./routing-settings.js";
import type { RoutingStrategy, SearchKind } from "./routing-strategy.js";
import type { RoutedAllocation, RoutingLine, RoutingLocation, RoutingRequest, RoutingStockLevel } from "./routing-types.js";

/**
 * Turns an order, the stock it may draw on and the merchant's locations into a routing
 * decision: which location ships (or hands over) which units, what it should cost, and why
 * every other location was passed over. Like decideReservation, it checks the strategy's answer
 * and fails loudly on a bug: no level is drawn beyond what it has, no line beyond what it asked.
 */

export type RoutingStatus = "routed" | "partial" | "unroutable";
export type PassOverCode = IneligibilityCode | "no_stock" | "partial_stock" | "higher_score" | "not_needed" | "not_chosen_store";

export interface PlannedShipment {
  readonly locationId: string;
  readonly locationName: string;
  readonly units: number;
  readonly lines: readonly { readonly lineId: string; readonly quantity: number }[];
  readonly estimate: LabelEstimate;
  readonly distanceKm?: number;
}

export interface UncoveredLine {
  readonly lineId: string;
  readonly variantId: string;
  readonly requested: number;
  readonly missing: number;
  readonly reason: string;
}

export interface PassedOverLocation {
  readonly locationId: string;
  readonly name: string;
  readonly code: PassOverCode;
  readonly reason: string;
}

export interface RoutingExplanation {
  readonly summary: string;
  readonly destination: string;
  readonly chosen: readonly { readonly locationId: string; readonly name: string; readonly why: string }[];
  readonly passedOver: readonly PassedOverLocation[];
}

export interface RoutingDecision {
  readonly strategy: string;
  readonly method: RoutingRequest["method"];
  readonly status: RoutingStatus;
  readonly search: SearchKind | "pickup" | "none";
  readonly allocations: readonly RoutedAllocation[];
  readonly shipments: readonly PlannedShipment[];
  readonly uncovered: readonly UncoveredLine[];
  readonly estimatedCostMinor: number;
  readonly currency: string;
  /** Days until the slowest parcel arrives (or the store is ready); undefined when nothing is routed. */
  readonly deliveryDays?: number;
  readonly score: number;
  readonly explanation: RoutingExplanation;
}

export function decideRouting(request: RoutingRequest, settings: RoutingSettings, strategy: RoutingStrategy): RoutingDecision {
  assertValidRequest(request);
  const rejected = new Set(request.rejectedLocationIds ?? []);
  const ineligible = new Map(
    request.locations.flatMap((location) => {
      const why = ineligibility(location, request.method, rejected);
      return why ? [[location.id, why] as const] : [];
    }),
  );
  const eligible = request.locations.filter((location) => !ineligible.has(location.id));

  if (request.method !== "ship") return decidePickup(request, settings, strategy.name, eligible, ineligible);

  const model = buildCostModel(request.lines, request.stock, eligible, request.destination, settings);
  const choice = strategy.choose(model, settings);
  const plan = choice?.plan;
  return assemble(request, settings, strategy.name, model, plan, choice?.search ?? "none", ineligible);
}

/**
 * Pickup and curbside never split: the customer collects everything at one store. The store
 * they chose comes first; if it cannot (no stock, full, rejected) the nearest other store that
 * holds everything takes over, and the explanation says the store changed. When the channel
 * named no store we know, the nearest store to the customer that holds everything is used.
 */
function decidePickup(
  request: RoutingRequest,
  settings: RoutingSettings,
  strategyName: string,
  eligible: readonly RoutingLocation[],
  ineligible: ReadonlyMap<string, { code: IneligibilityCode; reason: string }>,
): RoutingDecision {
  const requested = request.locations.find((location) => location.id === request.pickupLocationId);
  const anchor = requested?.point ?? request.destination.point;
  const model = buildCostModel(request.lines, request.stock, eligible, { ...request.destination, point: anchor }, settings);
  const complete: { index: number; km: number }[] = [];
  for (let i = 0; i < model.candidates.length; i++) {
    if (evaluatePlan(model, [i]).covered === model.totalDemand) {
      const location = model.candidates[i]!.location;
      complete.push({ index: i, km: location.point && anchor ? distanceKm(location.point, anchor) : Number.POSITIVE_INFINITY });
    }
  }
  const requestedIndex = complete.find((entry) => model.candidates[entry.index]!.location.id === request.pickupLocationId);
  const pick =
    requestedIndex ??
    complete.sort(
      (a, b) =>
        a.km - b.km ||
        model.candidates[a.index]!.location.priority - model.candidates[b.index]!.location.priority ||
        (model.candidates[a.index]!.location.id < model.candidates[b.index]!.location.id ? -1 : 1),
    )[0];
  const plan = pick === undefined ? undefined : evaluatePlan(model, [pick.index]);
  return assemble(request, settings, strategyName, model, plan, plan ? "pickup" : "none", ineligible);
}

function assemble(
  request: RoutingRequest,
  settings: RoutingSettings,
  strategyName: string,
  model: RoutingCostModel,
  plan: PlanEvaluation | undefined,
  search: RoutingDecision["search"],
  ineligible: ReadonlyMap<string, { code: IneligibilityCode; reason: string }>,
): RoutingDecision {
  if (plan !== undefined && plan.used.some((index) => model.candidates[index] === undefined)) {
    throw new Error(`${strategyName} chose a location that is not a candidate`);
  }
  const allocations = plan ? allocationsFor(request.lines, request.stock, model, plan) : [];
  verify(strategyName, request, allocations, new Set(plan?.used.map((i) => model.candidates[i]!.location.id) ?? []));

  const shipments = plan ? shipmentsFor(request, settings, model, plan, allocations) : [];
  const uncovered = uncoveredLines(request, allocations, ineligible);
  const status: RoutingStatus = allocations.length === 0 ? "unroutable" : uncovered.length > 0 ? "partial" : "routed";
  const chosenIds = new Set(shipments.map((s) => s.locationId));
  const passedOver = explainPassedOver(request, model, plan, search, ineligible, chosenIds);
  const chosen = shipments.map((shipment) => ({
    locationId: shipment.locationId,
    name: shipment.locationName,
    why: explainShipment(request, shipment, search, shipments.length),
  }));
  const estimatedCostMinor = request.method === "ship" ? shipments.reduce((sum, s) => sum + s.estimate.costMinor, 0) : 0;
  const deliveryDays = shipments.length === 0 ? undefined : request.method === "ship" ? Math.max(...shipments.map((s) => s.estimate.days)) : 0;
  const destination = describeDestination(request);
  return {
    strategy: strategyName,
    method: request.method,
    status,
    search,
    allocations,
    shipments,
    uncovered,
    estimatedCostMinor,
    currency: settings.rateCard.currency,
    deliveryDays,
    score: plan?.score ?? 0,
    explanation: {
      summary: summarise({ request, status, search, shipments, uncovered, estimatedCostMinor, currency: settings.rateCard.currency, deliveryDays }),
      destination,
      chosen,
      passedOver,
    },
  };
}

/** Splits each variant's draw per location over the lines that asked for it, in line order. */
function allocationsFor(
  lines: readonly RoutingLine[],
  stock: readonly RoutingStockLevel[],
  model: RoutingCostModel,
  plan: PlanEvaluation,
): RoutedAllocation[] {
  const levelAt = new Map<string, RoutingStockLevel>();
  for (const level of stock) levelAt.set(`${level.variantId}|${level.locationId}`, level);
  const result: RoutedAllocation[] = [];
  for (let v = 0; v < model.variantIds.length; v++) {
    const variantId = model.variantIds[v]!;
    const pool: { locationId: string; left: number }[] = [];
    let remaining = model.demand[v]!;
    for (const index of plan.used) {
      const take = Math.min(model.available[index]![v]!, remaining);
      if (take > 0) pool.push({ locationId: model.candidates[index]!.location.id, left: take });
      remaining -= take;
    }
    for (const line of lines) {
      if (line.variantId !== variantId) continue;
      let wanted = line.quantity;
      for (const source of pool) {
        if (wanted === 0) break;
        const take = Math.min(source.left, wanted);
        if (take <= 0) continue;
        source.left -= take;
        wanted -= take;
        const level = levelAt.get(`${variantId}|${source.locationId}`)!;
        result.push({ lineId: line.lineId, variantId, locationId: source.locationId, levelId: level.levelId, quantity: take });
      }
    }
  }
  return result;
}

function verify(strategyName: string, request: RoutingRequest, allocations: readonly RoutedAllocation[], chosen: ReadonlySet<string>): void {
  const levels = new Map(request.stock.map((level) => [level.levelId, level]));
  const lines = new Map(request.lines.map((line) => [line.lineId, line]));
  const drawn = new Map<string, number>();
  const perLine = new Map<string, number>();
  for (const allocation of allocations) {
    const level = levels.get(allocation.levelId);
    const line = lines.get(allocation.lineId);
    if (!level || !line) throw new Error(`${strategyName} allocated from an unknown level or line`);
    if (level.variantId !== line.variantId || level.locationId !== allocation.locationId || !chosen.has(allocation.locationId)) {
      throw new Error(`${strategyName} allocated level ${level.levelId} to the wrong line or location`);
    }
    if (!Number.isSafeInteger(allocation.quantity) || allocation.quantity <= 0) {
      throw new Error(`${strategyName} allocated a non-positive quantity ${allocation.quantity}`);
    }
    const total = (drawn.get(level.levelId) ?? 0) + allocation.quantity;
    if (total > level.available) throw new Error(`${strategyName} drew ${total} from level ${level.levelId} with ${level.available} available`);
    drawn.set(level.levelId, total);
    const lineTotal = (perLine.get(line.lineId) ?? 0) + allocation.quantity;
    if (lineTotal > line.quantity) throw new Error(`${strategyName} routed ${lineTotal} for line ${line.lineId} which asked for ${line.quantity}`);
    perLine.set(line.lineId, lineTotal);
  }
}

function shipmentsFor(
  request: RoutingRequest,
  settings: RoutingSettings,
  model: RoutingCostModel,
  plan: PlanEvaluation,
  allocations: readonly RoutedAllocation[],
): PlannedShipment[] {
  return plan.used.map((index) => {
    const candidate = model.candidates[index]!;
    const here = allocations.filter((a) => a.locationId === candidate.location.id);
    const byLine = new Map<string, number>();
    for (const a of here) byLine.set(a.lineId, (byLine.get(a.lineId) ?? 0) + a.quantity);
    const units = here.reduce((sum, a) => sum + a.quantity, 0);
    const estimate = estimateLabel(settings.rateCard, { distanceKm: candidate.distanceKm, units, international: candidate.international });
    return {
      locationId: candidate.location.id,
      locationName: candidate.location.name,
      units,
      lines: request.lines.filter((l) => byLine.has(l.lineId)).map((l) => ({ lineId: l.lineId, quantity: byLine.get(l.lineId)! })),
      estimate,
      ...(candidate.distanceKm === undefined ? {} : { distanceKm: candidate.distanceKm }),
    };
  });
}

function uncoveredLines(
  request: RoutingRequest,
  allocations: readonly RoutedAllocation[],
  ineligible: ReadonlyMap<string, { code: IneligibilityCode; reason: string }>,
): UncoveredLine[] {
  const routed = new Map<string, number>();
  for (const a of allocations) routed.set(a.lineId, (routed.get(a.lineId) ?? 0) + a.quantity);
  const names = new Map(request.locations.map((l) => [l.id, l.name]));
  const result: UncoveredLine[] = [];
  for (const line of request.lines) {
    const missing = line.quantity - (routed.get(line.lineId) ?? 0);
    if (missing <= 0) continue;
    const elsewhere = request.stock.filter((s) => s.variantId === line.variantId && s.available > 0 && ineligible.has(s.locationId));
    let reason: string;
    if (request.method !== "ship" && allocations.length === 0) {
      reason = "no pickup store can hand over the whole order";
    } else if (elsewhere.length > 0) {
      reason = `stock is only at locations that cannot take it: ${elsewhere
        .map((s) => `${names.get(s.locationId) ?? s.locationId} ${ineligible.get(s.locationId)!.reason}`)
        .join("; ")}`;
    } else {
      reason = "no eligible location has enough stock";
    }
    result.push({ lineId: line.lineId, variantId: line.variantId, requested: line.quantity, missing, reason });
  }
  return result;
}

function assertValidRequest(request: RoutingRequest): void {
  const ids = new Set<string>();
  for (const line of request.lines) {
    if (!Number.isSafeInteger(line.quantity) || line.quantity <= 0) throw new RangeError(`line ${line.lineId} has non-positive quantity ${line.quantity}`);
    if (ids.has(line.lineId)) throw new RangeError(`line ${line.lineId} appears twice`);
    ids.add(line.lineId);
  }
  const levels = new Set<string>();
  const pairs = new Set<string>();
  for (const level of request.stock) {
    if (levels.has(level.levelId)) throw new RangeError(`stock lists level ${level.levelId} twice`);
    levels.add(level.levelId);
    const pair = `${level.variantId}|${level.locationId}`;
    if (pairs.has(pair)) throw new RangeError(`stock lists variant ${level.variantId} at location ${level.locationId} twice`);
    pairs.add(pair);
    if (!Number.isSafeInteger(level.available)) throw new RangeError(`level ${level.levelId} has non-integer availability`);
  }
}
