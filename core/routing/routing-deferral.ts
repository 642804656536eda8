/**
 * Whether routing waits for the shop's intake to catch up. During a burst (a flash sale) every
 * order's stock is already held at intake, in placement order, so nothing can be oversold while
 * routing waits; routing then only moves reservations to the best location and applies the risk
 * rules. Doing that in the middle of the burst takes the same inventory locks and roughly as much
 * CPU per order as capturing it (bench:intake: ~1.8 ms of 4.4), so capture — the part channels
 * time out on — slows down for work that can come seconds later. Routing therefore waits while
 * `backlogThreshold` deliveries or more are queued (100: a tenth of a second of intake at a
 * thousand a second), but never longer than `maxWaitMs` for the order that has waited longest,
 * so a stream that never stops is still routed.
 */
export interface RoutingDeferralSettings {
  /** Deliveries waiting in the shop's inbox at which intake counts as behind. */
  backlogThreshold: number;
  /** How long routing waits before looking again. */
  retryMs: number;
  /** The longest an order waits for routing because of a burst. */
  maxWaitMs: number;
}

export const DEFAULT_ROUTING_DEFERRAL: RoutingDeferralSettings = { backlogThreshold: 100, retryMs: 1_000, maxWaitMs: 30_000 };

export type RoutingDeferral = { defer: false } | { defer: true; retryMs: number };

export function decideRoutingDeferral(
  state: { pendingDeliveries: number; oldestWaitingMs: number | null },
  settings: RoutingDeferralSettings = DEFAULT_ROUTING_DEFERRAL,
): RoutingDeferral {
  if (state.oldestWaitingMs === null) return { defer: false };
  if (state.pendingDeliveries < settings.backlogThreshold) return { defer: false };
  if (state.oldestWaitingMs >= settings.maxWaitMs) return { defer: false };
  return { defer: true, retryMs: Math.min(settings.retryMs, settings.maxWaitMs - state.oldestWaitingMs) };
}
