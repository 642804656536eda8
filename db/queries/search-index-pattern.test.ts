import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { chooseIndexWindow, likeTrigrams, sampleFromStatistics, type TextSample } from "./search-index-pattern";

const uniform = (values: string[]): TextSample => ({ values, weights: values.map(() => 1 / values.length) });

describe("the trigrams pg_trgm looks up for ILIKE '%s%'", () => {
  it("pads a word only where a character of the pattern, not its edge, bounds it", () => {
    expect(likeTrigrams("abc")).toEqual(["abc"]);
    expect(likeTrigrams("r333333@").sort()).toEqual(["333", "33 ", "r33"].sort());
    expect(likeTrigrams("x@ab").sort()).toEqual(["  a", " ab"].sort());
    expect(likeTrigrams("ab")).toEqual([]);
    expect(likeTrigrams("SKU-0").sort()).toEqual(["ku ", "sku", "  0"].sort());
  });
});

describe("choosing what the trigram index is asked for", () => {
  // Every value shares "customer" and "@example.com"; the digits tell them apart.
  const sample = uniform(Array.from({ length: 500 }, (_, i) => `#${1000 + i}\x1fcustomer${(i * 7919) % 100000}@example.com\x1fgid://shopify/Order/${5000000 + i}`));

  it("asks for the rare part of a term whose other trigrams are in every row", () => {
    const choice = chooseIndexWindow("customer333333@example.com", sample);
    expect("customer333333@example.com").toContain(choice.window);
    expect(choice.window).toMatch(/333/);
    expect(choice.window).not.toMatch(/cust|example|\.com/i);
    expect(choice.termShare).toBe(0);
  });

  it("estimates how common the whole term is from the sample", () => {
    expect(chooseIndexWindow("example.com", sample).termShare).toBeCloseTo(1);
    expect(chooseIndexWindow("zqxjv", sample).termShare).toBe(0);
  });

  it("asks for the term itself without a sample or without a trigram", () => {
    expect(chooseIndexWindow("customer333333@example.com", undefined)).toEqual({ window: "customer333333@example.com" });
    expect(chooseIndexWindow("a--", sample)).toEqual({ window: "a--" });
  });

  it("always answers a part of the term that pg_trgm can look up, so the rows found never change", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom(..."abc0123-@. _%"), minLength: 3, maxLength: 30 }),
        fc.array(fc.string({ unit: fc.constantFrom(..."abc0123-@. "), maxLength: 40 }), { maxLength: 30 }),
        (term, values) => {
          const { window } = chooseIndexWindow(term, values.length ? uniform(values) : undefined);
          expect(term.includes(window)).toBe(true);
          if (likeTrigrams(term).length > 0) expect(likeTrigrams(window).length).toBeGreaterThan(0);
        },
      ),
    );
  });
});

describe("a sample from PostgreSQL's statistics", () => {
  it("weights the most common values by their frequency and the histogram by what remains", () => {
    const sample = sampleFromStatistics({ mostCommonValues: ["A", "B"], mostCommonFreqs: [0.5, 0.3], histogram: ["c", "d", "e", "f"] })!;
    expect(sample.values).toEqual(["A", "B", "c", "d", "e", "f"]);
    expect(sample.weights.map((w) => Number(w.toFixed(3)))).toEqual([0.5, 0.3, 0.05, 0.05, 0.05, 0.05]);
    expect(sampleFromStatistics({ mostCommonValues: null, mostCommonFreqs: null, histogram: null })).toBeUndefined();
  });
});
