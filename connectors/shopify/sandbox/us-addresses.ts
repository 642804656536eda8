/**
 * Real, public US street addresses (landmarks) with their real coordinates, so simulated
 * orders exercise distance-based routing with meaningful geography instead of random points.
 */
export interface UsAddress {
  address1: string;
  city: string;
  province: string;
  provinceCode: string;
  zip: string;
  latitude: number;
  longitude: number;
}

export const US_ADDRESSES: readonly UsAddress[] = [
  { address1: "350 5th Ave", city: "New York", province: "New York", provinceCode: "NY", zip: "10118", latitude: 40.7484, longitude: -73.9857 },
  { address1: "233 S Wacker Dr", city: "Chicago", province: "Illinois", provinceCode: "IL", zip: "60606", latitude: 41.8789, longitude: -87.6359 },
  { address1: "400 Broad St", city: "Seattle", province: "Washington", provinceCode: "WA", zip: "98109", latitude: 47.6205, longitude: -122.3493 },
  { address1: "1 Ferry Building", city: "San Francisco", province: "California", provinceCode: "CA", zip: "94111", latitude: 37.7955, longitude: -122.3937 },
  { address1: "200 Santa Monica Pier", city: "Santa Monica", province: "California", provinceCode: "CA", zip: "90401", latitude: 34.0094, longitude: -118.4973 },
  { address1: "4 Jersey St", city: "Boston", province: "Massachusetts", provinceCode: "MA", zip: "02215", latitude: 42.3467, longitude: -71.0972 },
  { address1: "300 Alamo Plaza", city: "San Antonio", province: "Texas", provinceCode: "TX", zip: "78205", latitude: 29.426, longitude: -98.4861 },
  { address1: "11 N 4th St", city: "St. Louis", province: "Missouri", provinceCode: "MO", zip: "63102", latitude: 38.6247, longitude: -90.1848 },
  { address1: "1701 Wynkoop St", city: "Denver", province: "Colorado", provinceCode: "CO", zip: "80202", latitude: 39.753, longitude: -105.0 },
  { address1: "265 Park Ave W NW", city: "Atlanta", province: "Georgia", provinceCode: "GA", zip: "30313", latitude: 33.7603, longitude: -84.3932 },
  { address1: "401 Biscayne Blvd", city: "Miami", province: "Florida", provinceCode: "FL", zip: "33132", latitude: 25.7783, longitude: -80.1868 },
  { address1: "1100 Congress Ave", city: "Austin", province: "Texas", provinceCode: "TX", zip: "78701", latitude: 30.2747, longitude: -97.7404 },
  { address1: "1005 W Burnside St", city: "Portland", province: "Oregon", provinceCode: "OR", zip: "97209", latitude: 45.5231, longitude: -122.6813 },
  { address1: "116 5th Ave N", city: "Nashville", province: "Tennessee", provinceCode: "TN", zip: "37219", latitude: 36.1612, longitude: -86.7785 },
  { address1: "1600 Pennsylvania Ave NW", city: "Washington", province: "District of Columbia", provinceCode: "DC", zip: "20500", latitude: 38.8977, longitude: -77.0365 },
  { address1: "3600 S Las Vegas Blvd", city: "Las Vegas", province: "Nevada", provinceCode: "NV", zip: "89109", latitude: 36.1126, longitude: -115.1767 },
];

export const FIRST_NAMES = ["Ava", "Liam", "Maya", "Noah", "Sofia", "Ethan", "Zoe", "Lucas", "Chloe", "Mateo", "Aisha", "Kenji"] as const;
export const LAST_NAMES = ["Garcia", "Nguyen", "Smith", "Johnson", "Patel", "Kim", "Brown", "Lopez", "Okafor", "Rossi", "Cohen", "Silva"] as const;
