import { describe, expect, it } from "vitest";
import { parseShopifyJson, quoteUnsafeIntegers } from "./shopify-json";

describe("parseShopifyJson", () => {
  it("keeps 64-bit Shopify ids exact as digit strings", () => {
    expect(parseShopifyJson('{"inventory_item_id": 271878346596884015, "location_id": 24826418}')).toEqual({
      inventory_item_id: "271878346596884015",
      location_id: 24826418,
    });
  });

  it("leaves safe integers, decimals, exponents and numbers inside strings alone", () => {
    const text = '{"a": 9007199254740991, "b": 12345678901234567.5, "c": 1e25, "d": "id 271878346596884015", "e": [-271878346596884015]}';
    expect(parseShopifyJson(text)).toEqual({ a: 9007199254740991, b: 12345678901234567.5, c: 1e25, d: "id 271878346596884015", e: ["-271878346596884015"] });
  });

  it("copes with escaped quotes before a large id and returns plain JSON untouched", () => {
    expect(parseShopifyJson('{"note": "say \\"hi\\"", "id": 820982911946154508}')).toEqual({ note: 'say "hi"', id: "820982911946154508" });
    const plain = '{"id": 42, "price": "19.99"}';
    expect(quoteUnsafeIntegers(plain)).toBe(plain);
  });

  it("quotes ids in arrays and after every kind of separator, never digits of a decimal, an exponent or a string", () => {
    const text = '[820982911946154508,-820982911946154508, {"x":[1, 820982911946154508 ]}, 1.8209829119461545e3, 2E-8209829119461545, "\\\\", 820982911946154508]';
    expect(quoteUnsafeIntegers(text)).toBe(
      '["820982911946154508","-820982911946154508", {"x":[1, "820982911946154508" ]}, 1.8209829119461545e3, 2E-8209829119461545, "\\\\", "820982911946154508"]',
    );
  });

  it("still refuses text that is not JSON", () => {
    expect(() => parseShopifyJson('{"id": 271878346596884015, ')).toThrow(SyntaxError);
  });
});
