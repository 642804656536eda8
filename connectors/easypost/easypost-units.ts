/**
 * EasyPost measures parcels in ounces and inches with one decimal; the core keeps grams and
 * millimetres as integers. Rounding is always up: a parcel declared lighter or smaller than it
 * is gets a carrier surcharge after the fact.
 */
const GRAMS_PER_OUNCE = 28.349523125;
const MM_PER_INCH = 25.4;

function upToTenth(value: number): number {
  return Math.ceil(value * 10 - 1e-9) / 10;
}

export function gramsToOunces(grams: number): number {
  return upToTenth(grams / GRAMS_PER_OUNCE);
}

export function mmToInches(mm: number): number {
  return upToTenth(mm / MM_PER_INCH);
}

export function ouncesToGrams(ounces: number): number {
  return Math.round(ounces * GRAMS_PER_OUNCE);
}
