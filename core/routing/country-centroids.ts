import type { GeoPoint } from "./geo-distance.js";

/**
 * Approximate geographic centres of the countries a merchant most often ships to, used only
 * when a postal code cannot be resolved. A centroid is coarse (the US one is in Kansas), so a
 * decision that used it says so in its explanation.
 */
const CENTROIDS: Readonly<Record<string, GeoPoint>> = {
  US: { latitude: 39.83, longitude: -98.58 },
  CA: { latitude: 56.13, longitude: -106.35 },
  MX: { latitude: 23.63, longitude: -102.55 },
  GB: { latitude: 54.0, longitude: -2.0 },
  IE: { latitude: 53.41, longitude: -8.24 },
  FR: { latitude: 46.23, longitude: 2.21 },
  DE: { latitude: 51.17, longitude: 10.45 },
  NL: { latitude: 52.13, longitude: 5.29 },
  BE: { latitude: 50.5, longitude: 4.47 },
  ES: { latitude: 40.46, longitude: -3.75 },
  PT: { latitude: 39.4, longitude: -8.22 },
  IT: { latitude: 41.87, longitude: 12.57 },
  CH: { latitude: 46.82, longitude: 8.23 },
  AT: { latitude: 47.52, longitude: 14.55 },
  DK: { latitude: 56.26, longitude: 9.5 },
  SE: { latitude: 60.13, longitude: 18.64 },
  NO: { latitude: 60.47, longitude: 8.47 },
  FI: { latitude: 61.92, longitude: 25.75 },
  PL: { latitude: 51.92, longitude: 19.15 },
  CZ: { latitude: 49.82, longitude: 15.47 },
  AU: { latitude: -25.27, longitude: 133.78 },
  NZ: { latitude: -40.9, longitude: 174.89 },
  JP: { latitude: 36.2, longitude: 138.25 },
  KR: { latitude: 35.91, longitude: 127.77 },
  CN: { latitude: 35.86, longitude: 104.2 },
  IN: { latitude: 20.59, longitude: 78.96 },
  SG: { latitude: 1.35, longitude: 103.82 },
  BR: { latitude: -14.24, longitude: -51.93 },
  AR: { latitude: -38.42, longitude: -63.62 },
  CL: { latitude: -35.68, longitude: -71.54 },
  ZA: { latitude: -30.56, longitude: 22.94 },
  AE: { latitude: 23.42, longitude: 53.85 },
  IL: { latitude: 31.05, longitude: 34.85 },
  PR: { latitude: 18.22, longitude: -66.59 },
};

export function countryCentroid(countryCode: string): GeoPoint | undefined {
  return CENTROIDS[countryCode.toUpperCase()];
}
