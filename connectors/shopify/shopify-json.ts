/**
 * JSON.parse for Shopify payloads that keeps large ids exact. Shopify ids are 64-bit integers
 * sent as bare JSON numbers; above 2^53 JSON.parse silently rounds them
 * (271878346596884015 -> 271878346596884000), and a rounded inventory item or customer id
 * matches the wrong record or none. Integer literals beyond Number.MAX_SAFE_INTEGER are turned
 * into digit strings before parsing; every id reader in Switchyard accepts either form.
 */
export function parseShopifyJson(text: string): unknown {
  return JSON.parse(quoteUnsafeIntegers(text));
}

export function quoteUnsafeIntegers(text: string): string {
  let out = "";
  let last = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') {
      inString = true;
      continue;
    }
    if ((c === "-" || (c !== undefined && c >= "0" && c <= "9")) && !/[\w.+-]/.test(text[i - 1] ?? "")) {
      let j = c === "-" ? i + 1 : i;
      while (j < text.length && text[j]! >= "0" && text[j]! <= "9") j++;
      const next = text[j];
      const isInteger = next !== "." && next !== "e" && next !== "E";
      const literal = text.slice(i, j);
      if (isInteger && literal.replace("-", "").length >= 16 && !Number.isSafeInteger(Number(literal))) {
        out += text.slice(last, i) + `"${literal}"`;
        last = j;
      }
      i = j - 1;
    }
  }
  return last === 0 ? text : out + text.slice(last);
}
