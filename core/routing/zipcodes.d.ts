// The `zipcodes` package ships no types; this declares the one function routing uses.
declare module "zipcodes" {
  interface ZipCodeRecord {
    zip: string;
    latitude: number;
    longitude: number;
    city: string;
    state: string;
    country: string;
  }
  export function lookup(zip: string | number): ZipCodeRecord | undefined;
}
