/**
 * In-memory state of one eBay seller: inventory items by SKU (their ship-to-home quantity),
 * orders as the Fulfillment API returns them, their shipping fulfillments, and OAuth tokens.
 */

export interface EbaySandboxItem {
  sku: string;
  title: string;
  priceMinor: number;
  quantity: number;
  legacyItemId: string;
}

export interface EbaySandboxLine {
  lineItemId: string;
  legacyItemId: string;
  sku: string;
  title: string;
  quantity: number;
  priceMinor: number;
  taxMinor: number;
}

export interface EbaySandboxOrder {
  orderId: string;
  createdAt: number;
  modifiedAt: number;
  buyer: { username: string; fullName: string; email: string };
  shipTo: { fullName: string; addressLine1: string; city: string; stateOrProvince: string; postalCode: string; countryCode: string; phone: string };
  lines: EbaySandboxLine[];
  shippingMinor: number;
  paymentStatus: "PAID" | "PENDING";
  fulfillments: { fulfillmentId: string; trackingNumber: string; carrier: string; shippedDate: string; lineItems: { lineItemId: string; quantity: number }[] }[];
  /** A seller-initiated cancellation (Post-Order API), completed at once. */
  cancellation?: { cancelId: string; reason: string; requestedAt: number };
}

export interface EbaySandboxSeed {
  currency?: string;
  items?: { sku: string; title: string; price: string; quantity: number }[];
}

export interface EbaySandboxState {
  currency: string;
  items: Map<string, EbaySandboxItem>;
  orders: Map<string, EbaySandboxOrder>;
  /** access token -> expiry (ms) and kind. */
  tokens: Map<string, { expiresAt: number; kind: "user" | "application" }>;
  refreshTokens: Set<string>;
  sequence: number;
}

export function createEbaySandboxState(seed: EbaySandboxSeed): EbaySandboxState {
  const state: EbaySandboxState = { currency: seed.currency ?? "USD", items: new Map(), orders: new Map(), tokens: new Map(), refreshTokens: new Set(), sequence: 1 };
  for (const item of seed.items ?? []) {
    state.items.set(item.sku, { sku: item.sku, title: item.title, priceMinor: Math.round(Number(item.price) * 100), quantity: item.quantity, legacyItemId: String(110_000_000_000 + state.sequence++) });
  }
  return state;
}

export function money(minor: number, currency: string) {
  return { value: (minor / 100).toFixed(2), currency };
}
