import { US_ADDRESSES } from "../../shopify/sandbox/us-addresses.js";

/**
 * In-memory state of one WooCommerce store: products (simple or variable), variations, orders
 * with their notes, and webhook subscriptions. Money is kept in minor units and rendered as
 * Woo's decimal strings on the way out; dates are UTC and rendered without a zone like Woo's
 * `*_gmt` fields.
 */

export interface WooSandboxVariation {
  id: number;
  parentId: number;
  sku: string;
  priceMinor: number;
  attributes: { name: string; option: string }[];
  manageStock: boolean;
  stockQuantity: number | null;
  modifiedAt: number;
}

export interface WooSandboxProduct {
  id: number;
  name: string;
  type: "simple" | "variable";
  sku: string;
  priceMinor: number;
  manageStock: boolean;
  stockQuantity: number | null;
  variationIds: number[];
  modifiedAt: number;
}

export interface WooSandboxLine {
  id: number;
  name: string;
  productId: number;
  variationId: number;
  sku: string;
  quantity: number;
  priceMinor: number;
  taxMinor: number;
}

export interface WooSandboxAddress {
  first_name: string;
  last_name: string;
  company: string;
  address_1: string;
  address_2: string;
  city: string;
  state: string;
  postcode: string;
  country: string;
  email?: string;
  phone?: string;
}

export interface WooSandboxOrder {
  id: number;
  status: string;
  currency: string;
  createdAt: number;
  modifiedAt: number;
  customerId: number;
  billing: WooSandboxAddress;
  shipping: WooSandboxAddress;
  lines: WooSandboxLine[];
  shippingMinor: number;
  notes: { id: number; note: string; customerNote: boolean; createdAt: number }[];
}

export interface WooSandboxWebhook {
  id: number;
  name: string;
  status: "active" | "paused" | "disabled";
  topic: string;
  deliveryUrl: string;
  secret: string;
  createdAt: number;
}

export interface WooSandboxSeed {
  currency?: string;
  products?: {
    name: string;
    sku?: string;
    price: string;
    stock?: number;
    variations?: { sku: string; price: string; option: string; stock?: number }[];
  }[];
}

export interface WooSandboxState {
  currency: string;
  nextId: number;
  products: Map<number, WooSandboxProduct>;
  variations: Map<number, WooSandboxVariation>;
  orders: Map<number, WooSandboxOrder>;
  webhooks: Map<number, WooSandboxWebhook>;
}

export function createWooSandboxState(seed: WooSandboxSeed, now: () => number): WooSandboxState {
  const state: WooSandboxState = { currency: seed.currency ?? "USD", nextId: 100, products: new Map(), variations: new Map(), orders: new Map(), webhooks: new Map() };
  for (const p of seed.products ?? []) {
    const id = state.nextId++;
    const product: WooSandboxProduct = {
      id,
      name: p.name,
      type: p.variations?.length ? "variable" : "simple",
      sku: p.sku ?? "",
      priceMinor: toMinor(p.price),
      manageStock: p.stock !== undefined,
      stockQuantity: p.stock ?? null,
      variationIds: [],
      modifiedAt: now(),
    };
    state.products.set(id, product);
    for (const v of p.variations ?? []) {
      const variationId = state.nextId++;
      state.variations.set(variationId, {
        id: variationId,
        parentId: id,
        sku: v.sku,
        priceMinor: toMinor(v.price),
        attributes: [{ name: "Option", option: v.option }],
        manageStock: v.stock !== undefined,
        stockQuantity: v.stock ?? null,
        modifiedAt: now(),
      });
      product.variationIds.push(variationId);
    }
  }
  return state;
}

export function toMinor(price: string): number {
  const [whole = "0", fraction = ""] = price.split(".");
  return Number(whole) * 100 + Number(fraction.padEnd(2, "0").slice(0, 2));
}

export function toDecimal(minor: number): string {
  return (minor / 100).toFixed(2);
}

/** Woo's `*_gmt` rendering: ISO 8601 in UTC, seconds precision, no zone designator. */
export function gmt(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19);
}

export function randomAddress(random: () => number, id: number): WooSandboxAddress {
  const place = US_ADDRESSES[Math.floor(random() * US_ADDRESSES.length) % US_ADDRESSES.length]!;
  const first = ["Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald"][Math.floor(random() * 6) % 6]!;
  const last = ["Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth"][Math.floor(random() * 6) % 6]!;
  return {
    first_name: first,
    last_name: last,
    company: "",
    address_1: place.address1,
    address_2: "",
    city: place.city,
    state: place.provinceCode,
    postcode: place.zip,
    country: "US",
    email: `${first}.${last}.${id}@example.com`.toLowerCase(),
    phone: `(555) 555-${String(1000 + (id % 9000))}`,
  };
}
