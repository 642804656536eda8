import type { IneligibilityCode } from "./location-eligibility.js";
import { quickScore, scratchFor, type PlanEvaluation, type RoutingCostModel } from "./routing-cost-model.js";
import type { PassedOverLocation, PlannedShipment, RoutingDecision, RoutingStatus, UncoveredLine } from "./routing-decision.js";
import type { RoutingRequest } from "./routing-types.js";

/**
 * Sentences a merchant reads on the order page: where the order went and why, and for every
 * other location the one reason it was passed over. Figures are the estimates routing used,
 * so the text and the decision never disagree.
 */

// Building an Intl formatter costs far more than a whole routing decision; keep one per currency.
const formatters = new Map<string, Intl.NumberFormat | null>();

export function formatMinor(minor: number, currency: string): string {
  let formatter = formatters.get(currency);
  if (formatter === undefined) {
    try {
      formatter = new Intl.NumberFormat("en-US", { style: "currency", currency });
    } catch {
      formatter = null;
    }
    formatters.set(currency, formatter);
  }
  return formatter ? formatter.format(minor / 100) : `${(minor / 100).toFixed(2)} ${currency}`;
}

export function describeDestination(request: RoutingRequest): string {
  const d = request.destination;
  switch (d.source) {
    case "coordinates":
      return "the customer's address coordinates";
    case "postal_code":
      return "the customer's postal code";
    case "country_centroid":
      return `the centre of ${d.countryCode ?? "the country"} (postal code not found; distances are rough)`;
    default:
      return "an unknown place (no address to measure from; the farthest zone is assumed)";
  }
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

export function explainShipment(
  request: RoutingRequest,
  shipment: PlannedShipment,
  search: RoutingDecision["search"],
  shipmentCount: number,
): string {
  const lineCount = shipment.lines.length;
  const where = shipment.distanceKm === undefined ? "distance unknown" : `${Math.round(shipment.distanceKm)} km away`;
  if (search === "pickup") {
    if (shipment.locationId === request.pickupLocationId) return `the store the customer chose; it holds all ${plural(lineCount, "line")}`;
    return request.pickupLocationId === undefined
      ? `the nearest pickup store to the customer that holds the whole order (${where})`
      : `the nearest other store that holds the whole order (${where} from the chosen store)`;
  }
  const cost = `est. ${formatMinor(shipment.estimate.costMinor, shipment.estimate.currency)}, ${plural(shipment.estimate.days, "day")}, zone ${shipment.estimate.zone || "international"}`;
  if (shipmentCount === 1) {
    return search === "single"
      ? `holds all ${plural(lineCount, "line")} and scores best of the locations that do (${where}, ${cost})`
      : `the lowest-scoring plan ships everything from here (${where}, ${cost})`;
  }
  return `ships ${plural(shipment.units, "unit")} on ${plural(lineCount, "line")} as part of the lowest-scoring split (${where}, ${cost})`;
}

export function explainPassedOver(
  request: RoutingRequest,
  model: RoutingCostModel,
  plan: PlanEvaluation | undefined,
  search: RoutingDecision["search"],
  ineligible: ReadonlyMap<string, { code: IneligibilityCode; reason: string }>,
  chosenIds: ReadonlySet<string>,
): PassedOverLocation[] {
  const scratch = scratchFor(model);
  const candidateIndex = new Map(model.candidates.map((c, i) => [c.location.id, i]));
  const result: PassedOverLocation[] = [];
  for (const location of request.locations) {
    if (chosenIds.has(location.id)) continue;
    const base = { locationId: location.id, name: location.name };
    const why = ineligible.get(location.id);
    if (why) {
      result.push({ ...base, code: why.code, reason: why.reason });
      continue;
    }
    const index = candidateIndex.get(location.id);
    if (index === undefined) {
      result.push({ ...base, code: "no_stock", reason: "has none of this order's items" });
      continue;
    }
    const alone = quickScore(model, [index], scratch, { covered: 0, score: 0, usedCount: 0 });
    if (alone.covered < model.totalDemand) {
      result.push({
        ...base,
        code: "partial_stock",
        reason:
          search === "pickup"
            ? `holds only ${alone.covered} of ${plural(model.totalDemand, "unit")}, and pickup orders are never split`
            : `holds only ${alone.covered} of ${plural(model.totalDemand, "unit")}, and a cheaper combination covered them`,
      });
      continue;
    }
    if (search === "pickup") {
      result.push({ ...base, code: "not_chosen_store", reason: "holds the whole order but is not the customer's store or the nearest" });
      continue;
    }
    const c = model.candidates[index]!;
    const estimate = `est. ${formatMinor(c.firstUnit.costMinor + (model.totalDemand - 1) * c.extraUnitMinor, c.firstUnit.currency)}, ${plural(c.firstUnit.days, "day")}`;
    result.push({
      ...base,
      code: plan && plan.used.length > 1 ? "not_needed" : "higher_score",
      reason: `could ship everything but scores ${Math.round(alone.score)} against ${Math.round(plan?.score ?? 0)} (${estimate})`,
    });
  }
  return result;
}

export function summarise(input: {
  request: RoutingRequest;
  status: RoutingStatus;
  search: RoutingDecision["search"];
  shipments: readonly PlannedShipment[];
  uncovered: readonly UncoveredLine[];
  estimatedCostMinor: number;
  currency: string;
  deliveryDays: number | undefined;
}): string {
  const { request, status, shipments, uncovered } = input;
  if (status === "unroutable") {
    return request.method === "ship"
      ? `Cannot route: ${uncovered[0]?.reason ?? "no eligible location"}.`
      : `Cannot route the ${request.method} order: no store that takes it holds the whole order.`;
  }
  const names = shipments.map((s) => s.locationName).join(" and ");
  if (request.method !== "ship") {
    const moved = request.pickupLocationId !== undefined && shipments[0]?.locationId !== request.pickupLocationId;
    return `${request.method === "pickup" ? "Pickup" : "Curbside pickup"} at ${names}${moved ? " (the chosen store could not take it)" : ""}.`;
  }
  const how =
    shipments.length === 1
      ? `Ships from ${names}`
      : `Split into ${shipments.length} shipments from ${names} (no single location could serve the whole order${input.search === "heuristic" ? "; best split found by bounded search" : ""})`;
  const figures = `est. ${formatMinor(input.estimatedCostMinor, input.currency)} in labels, ${plural(input.deliveryDays ?? 0, "day")}`;
  const short = uncovered.length > 0 ? `; ${uncovered.reduce((sum, line) => sum + line.missing, 0)} units cannot be routed` : "";
  return `${how}; ${figures}${short}.`;
}
