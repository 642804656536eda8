import { endOfJsonString } from "../../core/shared/json-text";

/**
 * JSON.parse for Shopify payloads that keeps large ids exact. Shopify ids are 64-bit integers
 * sent as bare JSON numbers; above 2^53 JSON.parse silently rounds them
 * (271878346596884015 -> 271878346596884000), and a rounded inventory item or customer id
 * matches the wrong record or none. Integer literals beyond Number.MAX_SAFE_INTEGER are turned
 * into digit strings before parsing; every id reader in Switchyard accepts either form.
 */
export function parseShopifyJson(text: string): unknown {
  // Quoting first, then one native parse. Parsing first and walking the tree for a rounded integer
  // is faster for a body without one (~27 against ~35 µs: no text scan), but a body with one is
  // then parsed twice (~67 against ~42 µs), and Shopify's documented payloads, which bench:intake
  // sends, carry such ids. Kept this way (docs/adr/0025).
  return JSON.parse(quoteUnsafeIntegers(text));
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
