import { describe, expect, it } from "vitest";
import { buildParcel, DEFAULT_PARCEL_POLICY, type ParcelItem } from "./parcel-builder";

const item = (sku: string, quantity: number, weightGrams: number | null, dims: [number, number, number] | null = null): ParcelItem => ({
  sku,
  quantity,
  weightGrams,
  lengthMm: dims?.[0] ?? null,
  widthMm: dims?.[1] ?? null,
  heightMm: dims?.[2] ?? null,
});

describe("parcel from the variants' weights and dimensions", () => {
  it("adds item weights times quantities and the packaging", () => {
    const parcel = buildParcel([item("A", 2, 300), item("B", 1, 450)]);
    expect(parcel).toEqual({ ok: true, value: { weightGrams: 2 * 300 + 450 + DEFAULT_PARCEL_POLICY.packagingWeightGrams } });
  });

  it("builds the box that holds the items stacked, whatever way round they are listed", () => {
    const parcel = buildParcel([item("A", 2, 100, [50, 300, 40]), item("B", 1, 100, [200, 250, 30])]);
    expect(parcel.ok && parcel.value).toMatchObject({ lengthMm: 300, widthMm: 200, heightMm: 40 * 2 + 30 });
  });

  it("never goes below the smallest box", () => {
    const parcel = buildParcel([item("A", 1, 10, [20, 10, 5])]);
    expect(parcel.ok && parcel.value).toMatchObject({ lengthMm: 150, widthMm: 100, heightMm: 20 });
  });

  it("goes by weight only when any dimension is unknown, rather than inventing a box", () => {
    const parcel = buildParcel([item("A", 1, 100, [200, 100, 50]), item("B", 1, 100)]);
    expect(parcel.ok && parcel.value).toEqual({ weightGrams: 200 + DEFAULT_PARCEL_POLICY.packagingWeightGrams });
  });

  it("refuses when a variant has no weight, naming it", () => {
    expect(buildParcel([item("A", 1, 100), item("NOWEIGHT", 1, null)])).toMatchObject({ ok: false, reason: "missing_weight", detail: "no weight for NOWEIGHT" });
    expect(buildParcel([])).toMatchObject({ ok: false, reason: "empty_parcel" });
  });
});
