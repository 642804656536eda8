import { z } from "zod";

/**
 * A pure estimate of what a label from one place to another costs and how many days it takes,
 * before any carrier is asked. Routing uses it to compare locations; the real rate is shopped
 * once the location is chosen (core/shipping). The figures live in a rate card the merchant can
 * replace (config), shaped like ground-parcel zone charts: zones by straight-line distance,
 * a first-unit price and a price per extra unit per zone, and a transit time per zone.
 */

export const rateCardSchema = z
  .object({
    currency: z.string().length(3),
    /** Upper bound of each zone in km, ascending; the last zone covers everything beyond. */
    zoneUpperKm: z.array(z.number().positive()).min(1).max(20),
    /** One entry per zone (zoneUpperKm.length + 1). */
    firstUnitMinor: z.array(z.number().int().nonnegative()),
    extraUnitMinor: z.array(z.number().int().nonnegative()),
    transitDays: z.array(z.number().int().positive()),
    /** Used when origin and destination are in different countries. */
    international: z.object({
      firstUnitMinor: z.number().int().nonnegative(),
      extraUnitMinor: z.number().int().nonnegative(),
      transitDays: z.number().int().positive(),
    }),
  })
  .superRefine((card, ctx) => {
    const zones = card.zoneUpperKm.length + 1;
    for (const key of ["firstUnitMinor", "extraUnitMinor", "transitDays"] as const) {
      if (card[key].length !== zones) {
        ctx.addIssue({ code: "custom", path: [key], message: `needs ${zones} entries, one per zone` });
      }
    }
    if (card.zoneUpperKm.some((km, i) => i > 0 && km <= card.zoneUpperKm[i - 1]!)) {
      ctx.addIssue({ code: "custom", path: ["zoneUpperKm"], message: "zone bounds must ascend" });
    }
  });
export type RateCard = z.infer<typeof rateCardSchema>;

/**
 * Default card: eight zones at the ground-parcel zone bounds (50, 150, 300, 600, 1000, 1400 and
 * 1800 miles, in km), priced like a small parcel of a commercial ground service. They are
 * estimates for comparing locations, never charged to anyone.
 */
export const DEFAULT_RATE_CARD: RateCard = rateCardSchema.parse({
  currency: "USD",
  zoneUpperKm: [80, 241, 483, 966, 1609, 2253, 2897],
  firstUnitMinor: [795, 835, 880, 960, 1090, 1225, 1370, 1540],
  extraUnitMinor: [95, 105, 115, 135, 160, 185, 210, 240],
  transitDays: [1, 2, 2, 3, 4, 4, 5, 5],
  international: { firstUnitMinor: 3450, extraUnitMinor: 450, transitDays: 7 },
});

export interface LabelEstimate {
  /** 1-based zone; 0 for international. */
  readonly zone: number;
  readonly costMinor: number;
  readonly currency: string;
  readonly days: number;
  /** Distance was unknown, so the farthest domestic zone was assumed. */
  readonly assumedFarthest: boolean;
}

export interface EstimateInput {
  /** Straight-line km, or undefined when either end could not be placed. */
  readonly distanceKm: number | undefined;
  readonly units: number;
  readonly international: boolean;
}

export function estimateLabel(card: RateCard, input: EstimateInput): LabelEstimate {
  if (!Number.isSafeInteger(input.units) || input.units <= 0) {
    throw new RangeError(`a label carries at least one unit, got ${input.units}`);
  }
  const extra = input.units - 1;
  if (input.international) {
    const intl = card.international;
    return {
      zone: 0,
      costMinor: intl.firstUnitMinor + extra * intl.extraUnitMinor,
      currency: card.currency,
      days: intl.transitDays,
      assumedFarthest: false,
    };
  }
  const zoneIndex = input.distanceKm === undefined ? card.zoneUpperKm.length : zoneIndexFor(card, input.distanceKm);
  return {
    zone: zoneIndex + 1,
    costMinor: card.firstUnitMinor[zoneIndex]! + extra * card.extraUnitMinor[zoneIndex]!,
    currency: card.currency,
    days: card.transitDays[zoneIndex]!,
    assumedFarthest: input.distanceKm === undefined,
  };
}

function zoneIndexFor(card: RateCard, km: number): number {
  const index = card.zoneUpperKm.findIndex((upper) => km <= upper);
  return index === -1 ? card.zoneUpperKm.length : index;
}
