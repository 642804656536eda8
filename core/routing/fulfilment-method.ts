import type { FulfilmentMethod } from "./routing-types.js";

/**
 * How the customer receives the order, read from its shipping lines. Channels name pickup
 * in the line's delivery category or title ("Pickup at Brooklyn store", "Curbside pickup"),
 * and the store is usually named in the title; when it is not, routing picks the nearest
 * pickup store to the customer.
 */
export interface ShippingLineLike {
  readonly title: string;
  readonly code?: string | null;
  /** Shopify's delivery category ("pick-up", "local", "shipping") where the channel sends one. */
  readonly deliveryCategory?: string | null;
}

export interface FulfilmentChoice {
  readonly method: FulfilmentMethod;
  /** The store the customer chose, where the shipping line names one we know. */
  readonly pickupLocationId?: string;
}

const CURBSIDE = /\bcurb\s*side\b/i;
const PICKUP = /\b(pick[\s-]?up|click\s*(&|and)\s*collect|collect in store|bopis)\b/i;

export function fulfilmentChoiceOf(
  shippingLines: readonly ShippingLineLike[],
  locations: readonly { readonly id: string; readonly name: string }[],
): FulfilmentChoice {
  for (const line of shippingLines) {
    const text = `${line.title} ${line.code ?? ""}`;
    const curbside = CURBSIDE.test(text);
    const pickup = curbside || PICKUP.test(text) || line.deliveryCategory?.toLowerCase() === "pick-up";
    if (!pickup) continue;
    const lower = text.toLowerCase();
    // The longest name that appears wins, so "Brooklyn Heights" beats "Brooklyn".
    const named = [...locations].sort((a, b) => b.name.length - a.name.length).find((l) => lower.includes(l.name.toLowerCase()));
    return { method: curbside ? "curbside" : "pickup", ...(named ? { pickupLocationId: named.id } : {}) };
  }
  return { method: "ship" };
}
