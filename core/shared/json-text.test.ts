import { describe, expect, it } from "vitest";
import { endOfJsonString } from "./json-text";

describe("endOfJsonString", () => {
  it("ends a string at its first unescaped quote", () => {
    const text = String.raw`{"a":"say \"hi\"","b":1}`;
    expect(text.slice(5, endOfJsonString(text, 5))).toBe(String.raw`"say \"hi\""`);
  });

  it("takes a quote after an even run of backslashes as the end", () => {
    const text = String.raw`["a\\",1]`;
    expect(text.slice(1, endOfJsonString(text, 1))).toBe(String.raw`"a\\"`);
  });

  it("runs to the end of a string that never closes", () => {
    expect(endOfJsonString('"open', 0)).toBe(5);
  });
});
