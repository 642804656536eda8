import type { Channel, PostalAddress } from "../../core/orders/unified-order";
import { SeededRandom } from "./seeded-random";

/** The demo merchant: an outdoor-apparel brand with two warehouses, a 3PL and two stores. */

export const DEMO_SHOP = { domain: "switchyard-demo.myshopify.com", name: "Switchyard Demo Outfitters", currency: "USD" };

export interface DemoLocation {
  name: string;
  kind: "warehouse" | "store" | "3pl";
  address1: string;
  city: string;
  region: string;
  postalCode: string;
  latitude: number;
  longitude: number;
  canShip: boolean;
  canPickup: boolean;
  canCurbside: boolean;
  dailyCapacity: number | null;
  priority: number;
}

export const DEMO_LOCATIONS: DemoLocation[] = [
  { name: "Columbus DC", kind: "warehouse", address1: "4400 Alum Creek Dr", city: "Columbus", region: "OH", postalCode: "43207", latitude: 39.9054, longitude: -82.9518, canShip: true, canPickup: false, canCurbside: false, dailyCapacity: 2000, priority: 1 },
  { name: "Reno DC", kind: "warehouse", address1: "1055 S Rock Blvd", city: "Reno", region: "NV", postalCode: "89502", latitude: 39.5135, longitude: -119.7757, canShip: true, canPickup: false, canCurbside: false, dailyCapacity: 1500, priority: 2 },
  { name: "Dallas 3PL", kind: "3pl", address1: "2500 Regent Blvd", city: "Dallas", region: "TX", postalCode: "75261", latitude: 32.9223, longitude: -97.0376, canShip: true, canPickup: false, canCurbside: false, dailyCapacity: 800, priority: 3 },
  { name: "Brooklyn Store", kind: "store", address1: "145 Bedford Ave", city: "Brooklyn", region: "NY", postalCode: "11211", latitude: 40.7188, longitude: -73.9573, canShip: true, canPickup: true, canCurbside: true, dailyCapacity: 60, priority: 5 },
  { name: "Atlanta Store", kind: "store", address1: "675 Ponce De Leon Ave NE", city: "Atlanta", region: "GA", postalCode: "30308", latitude: 33.7726, longitude: -84.3655, canShip: true, canPickup: true, canCurbside: false, dailyCapacity: 40, priority: 6 },
];

const PRODUCTS = [
  ["Ridge Rain Shell", 14900], ["Summit Down Jacket", 24900], ["Trailhead Fleece", 8900], ["Basecamp Hoodie", 6900],
  ["Canyon Hiking Pant", 7900], ["Switchback Short", 4900], ["Alpine Merino Tee", 5900], ["Portage Flannel", 6900],
  ["Granite Softshell", 12900], ["Tundra Parka", 29900], ["Headwater Windbreaker", 9900], ["Cairn Vest", 8900],
  ["Meadow Crew Sock", 1800], ["Timberline Beanie", 2900], ["Ember Base Layer", 6400], ["Glacier Glove", 3900],
  ["Outpost Cap", 2800], ["Ranger Overshirt", 7400], ["Harbor Quarter Zip", 8400], ["Drift Swim Trunk", 4400],
  ["Lookout Trail Runner", 13900], ["Scree Hiking Boot", 18900], ["Camp Slide", 3900], ["Ridgeline Pack 28L", 12900],
  ["Daybreak Sling", 4900], ["Portage Duffel 60L", 10900], ["Firelight Headlamp", 3400], ["Current Water Bottle", 2400],
] as const;
const COLOURS = ["Black", "Moss", "Slate", "Rust", "Sand"];
const SIZES = ["XS", "S", "M", "L", "XL", "XXL"];

export interface DemoVariant {
  sku: string;
  productTitle: string;
  title: string;
  priceMinor: number;
  weightGrams: number;
  barcode: string;
}

export function demoVariants(): DemoVariant[] {
  const random = new SeededRandom(7);
  const variants: DemoVariant[] = [];
  PRODUCTS.forEach(([title, price], productIndex) => {
    const code = title.split(" ").map((w) => w.slice(0, 3).toUpperCase()).join("-");
    const oneSize = /Sock|Beanie|Cap|Pack|Sling|Duffel|Headlamp|Bottle|Glove/.test(title);
    const colours = COLOURS.slice(0, oneSize ? 3 : 2);
    const sizes = oneSize ? ["OS"] : SIZES;
    for (const colour of colours) {
      for (const size of sizes) {
        variants.push({
          sku: `${code}-${colour.slice(0, 3).toUpperCase()}-${size}`,
          productTitle: title,
          title: `${colour} / ${size}`,
          priceMinor: price,
          weightGrams: random.int(150, 1800),
          barcode: `0${String(700000000000 + productIndex * 1000 + variants.length).slice(0, 12)}`,
        });
      }
    }
  });
  return variants;
}

/** Real US cities with their coordinates, for customer addresses. */
export const DEMO_CITIES = [
  { city: "Seattle", region: "WA", postalCode: "98101", latitude: 47.6062, longitude: -122.3321 },
  { city: "Portland", region: "OR", postalCode: "97205", latitude: 45.5152, longitude: -122.6784 },
  { city: "San Francisco", region: "CA", postalCode: "94103", latitude: 37.7749, longitude: -122.4194 },
  { city: "Los Angeles", region: "CA", postalCode: "90012", latitude: 34.0522, longitude: -118.2437 },
  { city: "Denver", region: "CO", postalCode: "80202", latitude: 39.7392, longitude: -104.9903 },
  { city: "Austin", region: "TX", postalCode: "78701", latitude: 30.2672, longitude: -97.7431 },
  { city: "Chicago", region: "IL", postalCode: "60601", latitude: 41.8781, longitude: -87.6298 },
  { city: "Minneapolis", region: "MN", postalCode: "55401", latitude: 44.9778, longitude: -93.265 },
  { city: "Nashville", region: "TN", postalCode: "37203", latitude: 36.1627, longitude: -86.7816 },
  { city: "Miami", region: "FL", postalCode: "33130", latitude: 25.7617, longitude: -80.1918 },
  { city: "Boston", region: "MA", postalCode: "02108", latitude: 42.3601, longitude: -71.0589 },
  { city: "Philadelphia", region: "PA", postalCode: "19103", latitude: 39.9526, longitude: -75.1652 },
  { city: "New York", region: "NY", postalCode: "10001", latitude: 40.7506, longitude: -73.9972 },
  { city: "Phoenix", region: "AZ", postalCode: "85004", latitude: 33.4484, longitude: -112.074 },
  { city: "Salt Lake City", region: "UT", postalCode: "84101", latitude: 40.7608, longitude: -111.891 },
];
const FIRST = ["Ada", "Grace", "Alan", "Katherine", "Linus", "Margaret", "Dennis", "Barbara", "Ken", "Frances", "Tim", "Radia", "Edsger", "Hedy", "John"];
const LAST = ["Lovelace", "Hopper", "Turing", "Johnson", "Torvalds", "Hamilton", "Ritchie", "Liskov", "Thompson", "Allen", "Berners-Lee", "Perlman", "Dijkstra", "Lamarr", "Backus"];
const STREETS = ["Oak St", "Maple Ave", "Pine St", "Cedar Ln", "Elm St", "Lake Dr", "Hill Rd", "Park Ave"];

export function demoCustomer(random: SeededRandom): { name: string; email: string; address: PostalAddress } {
  const first = random.pick(FIRST);
  const last = random.pick(LAST);
  const place = random.pick(DEMO_CITIES);
  const name = `${first} ${last}`;
  return {
    name,
    email: `${first}.${last}${random.int(1, 99)}@example.com`.toLowerCase(),
    address: {
      name,
      line1: `${random.int(10, 9999)} ${random.pick(STREETS)}`,
      city: place.city,
      region: place.region,
      postalCode: place.postalCode,
      countryCode: "US",
      latitude: place.latitude,
      longitude: place.longitude,
    },
  };
}

/**
 * The Shopify customer GID of a demo customer, stable per email (FNV-1a): a Shopify order with
 * a customer carries one, and the customer-account returns extension finds orders by it.
 */
export function demoCustomerGid(email: string): string {
  let hash = 0x811c9dc5;
  for (const char of email) hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193) >>> 0;
  return `gid://shopify/Customer/${6_200_000_000 + hash}`;
}

/** How an order number reads on each channel. */
export function demoOrderNumber(channel: Channel, index: number, random: SeededRandom): { externalId: string; number: string } {
  switch (channel) {
    case "shopify": {
      const id = 5_600_000_000_000 + index;
      return { externalId: `gid://shopify/Order/${id}`, number: `#${1001 + index}` };
    }
    case "amazon": {
      const id = `11${random.int(1, 4)}-${String(random.int(1000000, 9999999))}-${String(random.int(1000000, 9999999))}`;
      return { externalId: id, number: id };
    }
    case "ebay": {
      const id = `${String(random.int(10, 27))}-${String(random.int(10000, 99999))}-${String(random.int(10000, 99999))}`;
      return { externalId: id, number: id };
    }
    case "woocommerce": {
      const id = String(20_000 + index);
      return { externalId: id, number: `#${id}` };
    }
  }
}
