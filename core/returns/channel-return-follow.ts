import { RMA_EVENTS, RMA_FINAL_STATUSES, RMA_PROGRESS, transitionRma, type RmaEvent, type RmaStatus } from "./rma-state-machine.js";

/**
 * A return made on a channel (eBay, Amazon) moves there on its own; our RMA follows it through
 * the same transitions table a person uses, never around it. `eventsToward` finds the shortest
 * walk of events from where our RMA is to where the channel says the return is; when the
 * channel's stage cannot be reached (the buyer closed a return nobody refunded), the walk ends in
 * `cancel` where the table allows it. Nothing here skips a guard.
 */


/**
 * Events that take an RMA from `from` to `target` (empty when it is there or already further
 * along, e.g. inspected here while the channel still says received). A person's inspection is
 * never skipped: a channel that says "refunded" takes an uninspected RMA only as far as the
 * table allows without it (received), unless the customer keeps the item.
 */
export function eventsToward(from: RmaStatus, target: RmaStatus, context: { keepItem?: boolean } = {}): RmaEvent[] {
  if (from === target || RMA_FINAL_STATUSES.includes(from)) return [];
  if (RMA_PROGRESS[from] >= RMA_PROGRESS[target] && target !== "cancelled" && target !== "declined") return [];
  const path = shortestPath(from, target, context);
  if (path) return path;
  if (target === "closed" || target === "cancelled") {
    const cancel = transitionRma(from, "cancel", context);
    if (cancel.ok) return ["cancel"];
  }
  // Unreachable without a person (inspection): go as far as the table allows towards it.
  let best: { events: RmaEvent[]; progress: number } = { events: [], progress: RMA_PROGRESS[from] };
  for (const status of Object.keys(RMA_PROGRESS) as RmaStatus[]) {
    if (RMA_PROGRESS[status] > RMA_PROGRESS[target] || RMA_PROGRESS[status] <= best.progress || status === "declined" || status === "cancelled") continue;
    const walk = shortestPath(from, status, context);
    if (walk && !walk.includes("inspect")) best = { events: walk, progress: RMA_PROGRESS[status] };
  }
  return best.events;
}

function shortestPath(from: RmaStatus, target: RmaStatus, context: { keepItem?: boolean }): RmaEvent[] | undefined {
  const seen = new Set<RmaStatus>([from]);
  const queue: { status: RmaStatus; events: RmaEvent[] }[] = [{ status: from, events: [] }];
  while (queue.length > 0) {
    const { status, events } = queue.shift()!;
    for (const event of RMA_EVENTS) {
      // Inspection is a person grading units at the dock; a channel's word never stands in for it.
      if (event === "inspect" || event === "cancel" || event === "exchange" || event === "credit") continue;
      // A return the buyer closed was not declined by the seller: decline only when the channel says so.
      if (event === "decline" && target !== "declined") continue;
      const step = transitionRma(status, event, context);
      if (!step.ok || seen.has(step.to)) continue;
      const walk = [...events, event];
      if (step.to === target) return walk;
      seen.add(step.to);
      queue.push({ status: step.to, events: walk });
    }
  }
  return undefined;
}

/** Channel stages at which nothing more will happen to a return on the channel. */
export function channelReturnSettled(stage: RmaStatus): boolean {
  return stage === "closed" || stage === "cancelled" || stage === "declined" || stage === "refunded";
}

/**
 * Where the next read of a channel's returns starts: at the oldest return still unsettled in
 * this pass (so it is read again until it settles), else where this pass started. Never before
 * `floor` (how far back the channel lets anyone search), so the window stays bounded by the
 * returns a merchant still works through, not by the history.
 */
export function nextReturnsWindowStart(
  passFrom: Date,
  passTo: Date,
  seen: readonly { requestedAt: Date; stage: RmaStatus }[],
  floor: Date,
): Date {
  let start = passTo;
  for (const entry of seen) {
    if (!channelReturnSettled(entry.stage) && entry.requestedAt < start) start = entry.requestedAt;
  }
  if (start < passFrom) start = passFrom;
  return start < floor ? floor : start;
}

/**
 * Marketplaces that hold a return issue its label themselves (eBay's return label, Amazon's
 * prepaid label): Switchyard buys none for a return made there.
 */
const CHANNELS_ISSUING_RETURN_LABELS: readonly string[] = ["ebay", "amazon"];

export function channelIssuesReturnLabel(source: string, externalId: string | null): boolean {
  return externalId !== null && CHANNELS_ISSUING_RETURN_LABELS.includes(source);
}
