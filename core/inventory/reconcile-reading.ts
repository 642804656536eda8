/**
 * What reconciliation makes of one figure read back from a channel (docs/adr/0012).
 *
 * The channel showing more than we pushed is drift: our lower figure goes back at once, which
 * can only undersell. Showing less is different: the usual cause is a sale the channel made
 * itself that we have not captured yet (Amazon's orders are visible to us two minutes after
 * they change; eBay's and Amazon's come by poll). Pushing our figure back up would sell that
 * unit again. So a shortfall is first held as a pending own sale and re-checked: it is drift
 * only when the same shortfall of the same pushed figure is still there once the sale would
 * have been captured (a capture moves or re-pushes the figure, which ends the shortfall): at
 * least `OWN_SALE_RECHECK_MS` after it was first seen and, for a channel whose orders we poll,
 * after a poll that late. A channel we cannot poll keeps its shortfall: underselling until
 * capture works again is the safe side.
 */

/** How long a shortfall waits before it may be drift: well past the slowest capture (Amazon's two minutes). */
export const OWN_SALE_RECHECK_MS = 5 * 60_000;

/** A shortfall seen before: what we had pushed then, and since when the channel showed less. */
export interface EarlierShortfall {
  readonly pushed: number;
  readonly firstSeenAt: Date;
}

export type ReadingVerdict =
  | { readonly kind: "match" }
  | { readonly kind: "drift" }
  | { readonly kind: "pending_own_sale"; readonly firstSeenAt: Date };

export function judgeReading(input: {
  /** What we last pushed there. */
  readonly pushed: number;
  /** What the channel shows; null when it no longer knows the listing. */
  readonly shown: number | null;
  readonly earlier?: EarlierShortfall;
  readonly now: Date;
  /**
   * When the channel's orders were last polled (null: never) for a channel whose orders we
   * poll; undefined for one that sends them (webhooks).
   */
  readonly ordersPolledAt?: Date | null;
  readonly recheckMs?: number;
}): ReadingVerdict {
  if (input.shown === input.pushed) return { kind: "match" };
  if (input.shown === null || input.shown > input.pushed) return { kind: "drift" };
  const firstSeenAt = input.earlier && input.earlier.pushed === input.pushed ? input.earlier.firstSeenAt : input.now;
  const capturedBy = firstSeenAt.getTime() + (input.recheckMs ?? OWN_SALE_RECHECK_MS);
  const waited = input.now.getTime() >= capturedBy;
  const polled = input.ordersPolledAt === undefined || (input.ordersPolledAt !== null && input.ordersPolledAt.getTime() >= capturedBy);
  return waited && polled ? { kind: "drift" } : { kind: "pending_own_sale", firstSeenAt };
}
