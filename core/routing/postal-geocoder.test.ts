import { describe, expect, it } from "vitest";
import { distanceKm } from "./geo-distance.js";
import { resolvePoint } from "./postal-geocoder.js";

describe("resolvePoint", () => {
  it("places US ZIP and Canadian postal codes offline", () => {
    const manhattan = resolvePoint({ postalCode: "10001-1234", countryCode: "US" });
    expect(manhattan.source).toBe("postal_code");
    const beverlyHills = resolvePoint({ postalCode: "90210", countryCode: "US" });
    // New York to Los Angeles is about 3,940 km in a straight line.
    expect(distanceKm(manhattan.point!, beverlyHills.point!)).toBeGreaterThan(3800);
    expect(distanceKm(manhattan.point!, beverlyHills.point!)).toBeLessThan(4100);
    expect(resolvePoint({ postalCode: "m5v 3l9", countryCode: "CA" }).source).toBe("postal_code");
  });

  it("prefers coordinates on the address, falls back to the country centre, and admits when it cannot", () => {
    expect(resolvePoint({ latitude: 1, longitude: 2, postalCode: "10001", countryCode: "US" })).toEqual({
      point: { latitude: 1, longitude: 2 },
      source: "coordinates",
      countryCode: "US",
    });
    expect(resolvePoint({ postalCode: "SW1A 1AA", countryCode: "gb" })).toMatchObject({ source: "country_centroid", countryCode: "GB" });
    expect(resolvePoint({ postalCode: "00000", countryCode: "US" }).source).toBe("country_centroid");
    expect(resolvePoint({ countryCode: "XX" })).toEqual({ source: "unknown", countryCode: "XX" });
    expect(resolvePoint(null)).toEqual({ source: "unknown" });
  });
});
