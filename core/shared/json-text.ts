/**
 * Walking JSON text without parsing it: callers jump from quote to quote (indexOf) and look only
 * at the stretches between strings, so the text inside strings, most of a channel payload, is never
 * read character by character in JavaScript.
 */

/** The index after the closing quote of the string that opens at `quote` (a quote after an odd run of backslashes is escaped); the text's length if it never closes. */
export function endOfJsonString(text: string, quote: number): number {
  let at = quote + 1;
  for (;;) {
    const close = text.indexOf('"', at);
    if (close === -1) return text.length;
    let backslashes = 0;
    while (text.charCodeAt(close - 1 - backslashes) === 92) backslashes++;
    if (backslashes % 2 === 0) return close + 1;
    at = close + 1;
  }
}
