import { lookup } from "zipcodes";
import { countryCentroid } from "./country-centroids.js";
import { isValidPoint, type GeoPoint } from "./geo-distance.js";

/**
 * Where a parcel is going, resolved offline: the `zipcodes` package (US ZIP and Canadian FSA
 * centroids, pinned in package.json) and a country centroid beside it. Never the network: a
 * routing decision must not wait on, or fail with, a geocoding service.
 */

export type PointSource = "coordinates" | "postal_code" | "country_centroid" | "unknown";

export interface ResolvedPoint {
  readonly point?: GeoPoint;
  readonly source: PointSource;
  readonly countryCode?: string;
}

export interface AddressForGeocoding {
  readonly postalCode?: string | null;
  readonly countryCode?: string | null;
  readonly latitude?: number | null;
  readonly longitude?: number | null;
}

export function resolvePoint(address: AddressForGeocoding | null | undefined): ResolvedPoint {
  if (!address) return { source: "unknown" };
  const countryCode = address.countryCode?.toUpperCase() || undefined;
  if (typeof address.latitude === "number" && typeof address.longitude === "number") {
    const point = { latitude: address.latitude, longitude: address.longitude };
    if (isValidPoint(point)) return { point, source: "coordinates", countryCode };
  }
  const fromPostal = postalPoint(address.postalCode ?? undefined, countryCode);
  if (fromPostal) return { point: fromPostal, source: "postal_code", countryCode };
  const centroid = countryCode ? countryCentroid(countryCode) : undefined;
  if (centroid) return { point: centroid, source: "country_centroid", countryCode };
  return { source: "unknown", countryCode };
}

function postalPoint(postalCode: string | undefined, countryCode: string | undefined): GeoPoint | undefined {
  if (!postalCode) return undefined;
  const trimmed = postalCode.trim().toUpperCase();
  let key: string | undefined;
  if ((countryCode === undefined || countryCode === "US" || countryCode === "PR") && /^\d{5}(-\d{4})?$/.test(trimmed)) {
    key = trimmed.slice(0, 5);
  } else if ((countryCode === undefined || countryCode === "CA") && /^[A-Z]\d[A-Z] ?\d[A-Z]\d$/.test(trimmed)) {
    // The package holds Canadian forward sortation areas (the first three characters).
    key = trimmed.slice(0, 3);
  }
  if (key === undefined) return undefined;
  const record = lookup(key);
  if (!record) return undefined;
  const point = { latitude: Number(record.latitude), longitude: Number(record.longitude) };
  return isValidPoint(point) ? point : undefined;
}
