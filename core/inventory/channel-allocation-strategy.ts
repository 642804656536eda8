import { z } from "zod";

/**
 * How much of the physically sellable stock each channel is told about. Merchants hold back
 * part of their stock from marketplaces that punish cancellations (allocation percent) and
 * keep a few units in reserve against sync lag (buffer).
 */
export const channelAllocationRuleSchema = z.object({
  /** Locations whose stock this channel may sell; others are invisible to it. */
  locationIds: z.array(z.string().min(1)).max(1000),
  /** Share of pooled stock to advertise, 0–100, at most two decimals. */
  allocationPercent: z
    .number()
    .min(0)
    .max(100)
    .multipleOf(0.01, { error: "allocationPercent allows at most two decimals" })
    .default(100),
  /** Units withheld after the percentage; the result is never below zero. */
  buffer: z.number().int().nonnegative().default(0),
  /** Share (0–100) of returns on their way back offered as stock before they arrive; absent or 0: none. */
  incomingReturnsPercent: z.number().int().min(0).max(100).optional(),
});
export type ChannelAllocationRule = z.infer<typeof channelAllocationRuleSchema>;

export interface ChannelAllocationStrategy {
  readonly name: string;
  /** Units to advertise on the channel given `pooled` units sellable in its locations. */
  allocate(pooled: number, rule: Pick<ChannelAllocationRule, "allocationPercent" | "buffer">): number;
}

/**
 * floor(pooled × percent / 100) − buffer, floored at 0. The percentage is applied in basis
 * points with integer arithmetic so 33.33 % of 300 is 99 every time, never 98.99999.
 */
export class DefaultChannelAllocationStrategy implements ChannelAllocationStrategy {
  readonly name = "percent-minus-buffer";

  allocate(pooled: number, rule: Pick<ChannelAllocationRule, "allocationPercent" | "buffer">): number {
    if (!Number.isSafeInteger(pooled) || pooled < 0) {
      throw new RangeError(`pooled stock must be a non-negative integer, got ${pooled}`);
    }
    if (!(rule.allocationPercent >= 0 && rule.allocationPercent <= 100)) {
      throw new RangeError(`allocationPercent must be within 0..100, got ${rule.allocationPercent}`);
    }
    if (!Number.isSafeInteger(rule.buffer) || rule.buffer < 0) {
      throw new RangeError(`buffer must be a non-negative integer, got ${rule.buffer}`);
    }
    const basisPoints = Math.round(rule.allocationPercent * 100);
    const share = Math.floor((pooled * basisPoints) / 10_000);
    return Math.max(0, share - rule.buffer);
  }
}
