import { currencyMinorUnits } from "./iso-4217-currencies.js";
import { err, ok, type Result } from "./result.js";

/**
 * Channels and carriers send money as decimal strings ("19.99", "1000.0" for JPY). Converting through a
 * float (19.99 * 100 = 1998.9999...) silently loses cents, so amounts are converted digit by
 * digit into integer minor units of the currency's ISO 4217 exponent.
 */

/** Minor units from the ISO 4217 table; 2 for a code that is not ISO (display of old rows only). */
export function currencyExponent(currency: string): number {
  return currencyMinorUnits(currency) ?? 2;
}

export type DecimalMoneyFailure = "malformed_amount" | "amount_too_precise" | "amount_too_large" | "unknown_currency";

const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?$/;

/**
 * "19.99" USD -> 1999, "1000" JPY -> 1000, "1000.0" JPY -> 1000, "1.5" KWD -> 1500.
 * Digits beyond the currency's exponent are accepted only when they are zeros; a non-zero one
 * means the amount cannot be represented and is reported rather than rounded away.
 */
export function decimalToMinorUnits(
  amount: string | number,
  currency: string,
): Result<number, DecimalMoneyFailure> {
  const text = typeof amount === "number" ? numberToPlainString(amount) : amount.trim();
  const match = DECIMAL.exec(text);
  if (!match) return err("malformed_amount", `"${String(amount)}" is not a decimal amount`);
  const [, sign, whole = "0", fraction = ""] = match;
  const exponent = currencyMinorUnits(currency);
  // Guessing the exponent of an unknown code would scale every amount by a power of ten.
  if (exponent === undefined) return err("unknown_currency", `"${currency.slice(0, 8)}" is not an ISO 4217 currency code`);
  const kept = fraction.slice(0, exponent).padEnd(exponent, "0");
  const dropped = fraction.slice(exponent);
  if (/[1-9]/.test(dropped)) {
    return err("amount_too_precise", `"${text}" has more than ${exponent} decimals for ${currency}`);
  }
  const digits = `${whole}${kept}`.replace(/^0+(?=\d)/, "");
  const value = Number(digits);
  if (!Number.isSafeInteger(value)) return err("amount_too_large", `"${text}" exceeds the safe integer range`);
  return ok(sign === "-" && value !== 0 ? -value : value);
}

/** Minor units back to Shopify's decimal string, e.g. 1999 USD -> "19.99", 1000 JPY -> "1000". */
export function minorUnitsToDecimal(minor: number, currency: string): string {
  const exponent = currencyExponent(currency);
  const negative = minor < 0;
  const digits = String(Math.abs(minor)).padStart(exponent + 1, "0");
  const whole = exponent === 0 ? digits : digits.slice(0, -exponent);
  const fraction = exponent === 0 ? "" : `.${digits.slice(-exponent)}`;
  return `${negative ? "-" : ""}${whole}${fraction}`;
}

function numberToPlainString(value: number): string {
  // Numbers arrive only from lenient payloads (e.g. 10 instead of "10.00"); toString keeps
  // the shortest exact decimal for them, and exponent notation is rejected as malformed.
  return Number.isFinite(value) ? String(value) : "NaN";
}
