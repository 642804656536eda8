import { describe, expect, it } from "vitest";
import { andThen, err, foldResults, isErr, isOk, mapResult, ok, unwrap, type Result } from "./result.js";

const half = (n: number): Result<number, "odd"> => (n % 2 === 0 ? ok(n / 2) : err("odd", `${n} is odd`));

describe("result", () => {
  it("omits detail when none is given, so failures compare cleanly", () => {
    expect(err("nope")).toEqual({ ok: false, reason: "nope" });
    expect(Object.keys(err("nope"))).not.toContain("detail");
    expect(err("nope", "why")).toEqual({ ok: false, reason: "nope", detail: "why" });
  });

  it("narrows with isOk and isErr", () => {
    expect(isOk(ok(1))).toBe(true);
    expect(isErr(ok(1))).toBe(false);
    expect(isErr(err("x"))).toBe(true);
  });

  it("maps values and passes failures through untouched", () => {
    expect(mapResult(ok(2), (n) => n + 1)).toEqual(ok(3));
    const failed = err("odd", "3 is odd");
    expect(mapResult(failed as Result<number, "odd">, (n) => n + 1)).toBe(failed);
  });

  it("chains steps and stops at the first failure", () => {
    expect(andThen(half(8), half)).toEqual(ok(2));
    expect(andThen(half(6), half)).toEqual(err("odd", "3 is odd"));
  });

  it("folds a list until the first failure", () => {
    expect(foldResults(0, [2, 4, 6], (acc, n) => (n > 0 ? ok(acc + n) : err("negative")))).toEqual(ok(12));
    const visited: number[] = [];
    const folded = foldResults(0, [1, -1, 5], (acc, n) => {
      visited.push(n);
      return n > 0 ? ok(acc + n) : err("negative");
    });
    expect(folded).toEqual(err("negative"));
    expect(visited).toEqual([1, -1]);
  });

  it("throws when unwrapping a failure, because reaching it is a bug", () => {
    expect(unwrap(ok("v"))).toBe("v");
    expect(() => unwrap(err("odd", "3 is odd"))).toThrow("unwrap on failed result: odd (3 is odd)");
  });
});
