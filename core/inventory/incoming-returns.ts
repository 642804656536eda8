import { z } from "zod";

/**
 * Returns as incoming stock. Units of an approved return whose label is issued or that is on its
 * way back are supply arriving at the return's destination location: shown on the inventory page,
 * and — when the merchant turns it on for a channel — partly offered for sale there before they
 * arrive. Off by default: an incoming unit may still be lost, late or graded unsellable, so the
 * merchant chooses per channel how much of it to trust (a share in percent).
 */

/** RMA statuses whose units count as incoming supply. */
export const INCOMING_RETURN_STATUSES = ["label_issued", "in_transit"] as const;

export function isIncomingReturnStatus(status: string): boolean {
  return (INCOMING_RETURN_STATUSES as readonly string[]).includes(status);
}

/**
 * Per channel (shopify, amazon, ebay, woocommerce), the share of incoming returns offered for sale;
 * absent: none. A partial record: zod 4's `z.record` with enum keys would demand every channel.
 */
export const incomingReturnsToSellSchema = z
  .partialRecord(z.enum(["shopify", "amazon", "ebay", "woocommerce"]), z.number().int().min(0).max(100))
  .default({});
export type IncomingReturnsToSell = z.infer<typeof incomingReturnsToSellSchema>;

export function incomingReturnsPercent(policy: IncomingReturnsToSell, channel: string): number {
  return (policy as Record<string, number | undefined>)[channel] ?? 0;
}

/** Units of `incoming` a channel may sell at `percent`: rounded down, so the policy never offers a unit that is not there. */
export function sellableIncomingReturns(incoming: number, percent: number): number {
  if (!Number.isSafeInteger(incoming) || incoming < 0) throw new RangeError(`incoming returns must be a non-negative integer, got ${incoming}`);
  if (!Number.isInteger(percent) || percent < 0 || percent > 100) throw new RangeError(`percent must be an integer within 0..100, got ${percent}`);
  return Math.floor((incoming * percent) / 100);
}

export interface ReturnLineInFlight {
  readonly variantId: string | null;
  readonly destinationLocationId: string | null;
  readonly status: string;
  readonly quantity: number;
}

/**
 * Incoming units per (variant, destination) from return lines: only incoming statuses, only
 * lines with a variant and a destination (an unmatched line or a return without a receiving
 * location is nothing a shelf will hold). The one definition the queries are checked against.
 */
export function incomingReturnsByLevel(lines: readonly ReturnLineInFlight[]): Map<string, number> {
  const totals = new Map<string, number>();
  for (const line of lines) {
    if (!line.variantId || !line.destinationLocationId || !isIncomingReturnStatus(line.status)) continue;
    const key = `${line.variantId}|${line.destinationLocationId}`;
    totals.set(key, (totals.get(key) ?? 0) + line.quantity);
  }
  return totals;
}
