import { describe, expect, it } from "vitest";
import { nestsAtLeast, storableParsed } from "./storable-json";

describe("making a parsed body storable", () => {
  it("hands back the parsed value itself when its text has nothing unstorable", () => {
    const text = String.raw`{"id":1,"note":"plain \u0041 text, a \"quote\", [brackets] {inside}","lines":[{"sku":"A"}]}`;
    const parsed = JSON.parse(text);
    expect(storableParsed(text, parsed)).toBe(parsed);
  });

  it("replaces an escaped NUL and lone surrogates, in values and keys", () => {
    const text = '{"note":"a\\u0000b","k\\ud800":"\\udc00x","pair":"\\ud83d\\ude00"}';
    expect(storableParsed(text, JSON.parse(text))).toEqual({ note: "a\uFFFDb", "k\uFFFD": "\uFFFDx", pair: "\u{1F600}" });
  });

  it("cuts nesting deeper than the limit, and only then", () => {
    const deep = (n: number) => "[".repeat(n) + "]".repeat(n);
    expect(nestsAtLeast(JSON.parse(deep(63)), 64)).toBe(false);
    expect(nestsAtLeast(JSON.parse(deep(64)), 64)).toBe(true);
    expect(nestsAtLeast(JSON.parse(`{"a":[1,{"b":${deep(61)}}],"c":"x"}`), 64)).toBe(true);
    expect(nestsAtLeast(JSON.parse(`{"a":[1,{"b":${deep(60)}}],"c":"x"}`), 64)).toBe(false);
    // Brackets inside strings are text, not nesting.
    expect(nestsAtLeast(JSON.parse(JSON.stringify({ text: "[".repeat(100) })), 64)).toBe(false);
    expect(nestsAtLeast("scalar", 1)).toBe(false);
    // Thousands deep, as a hostile body can be: walked without the call stack.
    expect(nestsAtLeast(JSON.parse(deep(20_000)), 64)).toBe(true);
    const text = deep(70);
    expect(JSON.stringify(storableParsed(text, JSON.parse(text)))).toContain("nested deeper than 64 levels");
  });
});
