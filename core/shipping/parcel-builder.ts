import type { Parcel } from "../ports/carrier-gateway-port.js";
import { err, ok, type Result } from "../shared/result.js";

/**
 * One parcel from the units a shipment carries. Weight is the sum of the variants' weights
 * plus the packaging; the box is the simplest one that holds the items stacked flat (longest
 * length, widest width, heights added), rounded up to the packaging's minimum. When any item
 * lacks a dimension the parcel goes out by weight only, which carriers rate as a soft pack,
 * rather than with a made-up box.
 */

export interface ParcelItem {
  readonly sku: string;
  readonly quantity: number;
  readonly weightGrams: number | null;
  readonly lengthMm: number | null;
  readonly widthMm: number | null;
  readonly heightMm: number | null;
}

export interface ParcelPolicy {
  /** Box, filler and label: added once per parcel. */
  readonly packagingWeightGrams: number;
  /** The smallest box the packer uses, so a single thin item is not rated as a letter. */
  readonly minimumBoxMm: { readonly length: number; readonly width: number; readonly height: number };
}

export const DEFAULT_PARCEL_POLICY: ParcelPolicy = {
  packagingWeightGrams: 120,
  minimumBoxMm: { length: 150, width: 100, height: 20 },
};

export type ParcelRefusal = "empty_parcel" | "missing_weight";

export function buildParcel(items: readonly ParcelItem[], policy: ParcelPolicy = DEFAULT_PARCEL_POLICY): Result<Parcel, ParcelRefusal> {
  const packed = items.filter((item) => item.quantity > 0);
  if (packed.length === 0) return err("empty_parcel", "the shipment carries no units");
  const unweighed = packed.filter((item) => item.weightGrams === null || !(item.weightGrams > 0));
  if (unweighed.length > 0) {
    // A guessed weight buys a label the carrier later surcharges; the merchant must weigh it.
    return err("missing_weight", `no weight for ${unweighed.map((item) => item.sku).join(", ")}`);
  }
  const weightGrams = packed.reduce((sum, item) => sum + item.weightGrams! * item.quantity, 0) + policy.packagingWeightGrams;
  const measured = packed.every((item) => [item.lengthMm, item.widthMm, item.heightMm].every((d) => d !== null && d > 0));
  if (!measured) return ok({ weightGrams });
  // Each item laid with its longest side as length, so a box fits however the catalogue lists it.
  const oriented = packed.map((item) => {
    const [length, width, height] = [item.lengthMm!, item.widthMm!, item.heightMm!].sort((a, b) => b - a) as [number, number, number];
    return { length, width, height, quantity: item.quantity };
  });
  return ok({
    weightGrams,
    lengthMm: Math.max(policy.minimumBoxMm.length, ...oriented.map((o) => o.length)),
    widthMm: Math.max(policy.minimumBoxMm.width, ...oriented.map((o) => o.width)),
    heightMm: Math.max(policy.minimumBoxMm.height, oriented.reduce((sum, o) => sum + o.height * o.quantity, 0)),
  });
}
