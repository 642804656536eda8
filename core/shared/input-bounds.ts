/**
 * Bounds of the numbers Switchyard stores, so input beyond them is refused as input (a 4xx
 * naming the field) instead of failing in PostgreSQL (a 5xx). Quantities live in int4 columns,
 * money in int8 minor units, timestamps in timestamptz of years 1..9999 as JavaScript prints them.
 */
export const MAX_INT32 = 2_147_483_647;
/** A stock quantity (on hand, reserved, one movement) is an int4 in the ledger. */
export const MAX_STOCK_QUANTITY = MAX_INT32;
/** Money in minor units stays an exact JavaScript integer (int8 holds more). */
export const MAX_MONEY_MINOR = Number.MAX_SAFE_INTEGER;
/** Four-digit years only: ISO 8601 without extensions, and what every client library parses. */
export const MIN_DATE_MS = Date.UTC(1970, 0, 1);
export const MAX_DATE_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

export function isDateInRange(date: Date): boolean {
  const time = date.getTime();
  return Number.isFinite(time) && time >= MIN_DATE_MS && time <= MAX_DATE_MS;
}

/** The canonical UUID text form (any version): what a uuid column accepts. */
export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** PostgreSQL text cannot hold NUL; a lone surrogate is not text at all. */
export function isStorableText(value: string): boolean {
  return !/\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(value);
}
