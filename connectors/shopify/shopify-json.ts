import { endOfJsonString } from "../../core/shared/json-text";

/**
 * JSON.parse for Shopify payloads that keeps large ids exact. Shopify ids are 64-bit integers
 * sent as bare JSON numbers; above 2^53 JSON.parse silently rounds them
 * (271878346596884015 -> 271878346596884000), and a rounded inventory item or customer id
 * matches the wrong record or none. Integer literals beyond Number.MAX_SAFE_INTEGER are turned
 * into digit strings before parsing; every id reader in Switchyard accepts either form.
 */
export function parseShopifyJson(text: string): unknown {
  // Parsed natively first: today's Shopify ids are ~13 digits, so almost every payload has no
  // integer beyond 2^53, and finding that out in the parsed tree costs a few µs where scanning the
  // text for one cost tens (intake's worker parses every order). Only a payload holding a rounded
  // integer is parsed again, from its text with the long integers quoted: exactly the integers
  // the check found, since every literal the quoting changes parses to an unsafe integer.
  const parsed: unknown = JSON.parse(text);
  return holdsUnsafeInteger(parsed) ? JSON.parse(quoteUnsafeIntegers(text)) : parsed;
}

/** Whether a parsed JSON value holds a number that is an integer beyond ±2^53 (so possibly rounded). Iterative: bodies can nest thousands deep. */
export function holdsUnsafeInteger(value: unknown): boolean {
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const item = pending.pop();
    if (typeof item === "number") {
      if (Number.isInteger(item) && !Number.isSafeInteger(item)) return true;
    } else if (Array.isArray(item)) {
      for (const element of item) pending.push(element);
    } else if (item !== null && typeof item === "object") {
      for (const key in item) pending.push((item as Record<string, unknown>)[key]);
    }
  }
  return false;
}

/**
 * Jumps from quote to quote (indexOf), so the text inside strings, most of a payload, is never
 * walked character by character and digits inside strings are never touched; only the stretches
 * between strings that are long enough to hold a 16-digit number are searched for a bare integer
 * that is not part of a decimal or an exponent. A text with no run of 16 digits anywhere is
 * returned as it is without that walk.
 */
const LONG_INTEGER = /(?<![\w.+-])-?\d{16,}(?![\d.eE])/g;

export function quoteUnsafeIntegers(text: string): string {
  if (!/\d{16}/.test(text)) return text;
  let out = "";
  let copied = 0;
  let from = 0;
  while (from < text.length) {
    const quote = text.indexOf('"', from);
    const end = quote === -1 ? text.length : quote;
    if (end - from >= 16) {
      const stretch = text.slice(from, end);
      for (const match of stretch.matchAll(LONG_INTEGER)) {
        if (Number.isSafeInteger(Number(match[0]))) continue;
        const at = from + match.index;
        out += `${text.slice(copied, at)}"${match[0]}"`;
        copied = at + match[0].length;
      }
    }
    if (quote === -1) break;
    from = endOfJsonString(text, quote);
  }
  return copied === 0 ? text : out + text.slice(copied);
}
