import { z } from "zod";
import { shopifyNumericId } from "../../../connectors/shopify/shopify-numeric-id";
import type { Policies } from "../../../core/config/default-policies";
import type { Tx } from "../../../db/client";
import type { ShopRecord } from "../../../db/repositories/shop-repository";
import type { DeliveryStatus } from "../../../db/repositories/webhook-inbox-repository";
import { webhookDeliveries } from "../../../db/schema";

export type DeliveryRow = typeof webhookDeliveries.$inferSelect;

export interface WebhookHandlerInput {
  /** The transaction the delivery row is locked in; the handler's effects and the delivery's status commit together. */
  tx: Tx;
  delivery: DeliveryRow;
  shop: ShopRecord;
  policies?: Policies;
}

/**
 * What became of a delivery. `error` is set only for failed (it is what a person reads in the
 * inbox); `note` says what happened otherwise and goes to the job log.
 */
export interface HandlerOutcome {
  status: DeliveryStatus;
  error?: string;
  note?: string;
}

export type ShopifyWebhookHandler = (input: WebhookHandlerInput) => Promise<HandlerOutcome>;

export const processed = (note?: string): HandlerOutcome => ({ status: "processed", ...(note ? { note } : {}) });
export const ignoredStale = (note: string): HandlerOutcome => ({ status: "ignored_stale", note });
export const failed = (error: string): HandlerOutcome => ({ status: "failed", error });

/** Shopify ids: numbers, or digit strings where they exceed 2^53 (see connectors/shopify/shopify-numeric-id.ts). */
export const shopifyId = shopifyNumericId.transform(String);
export const decimalAmount = z.union([z.string(), z.number()]);

export function describeIssues(what: string, error: z.ZodError): string {
  const issues = error.issues.slice(0, 5).map((i) => `${i.path.length ? i.path.join(".") : "(root)"}: ${i.message}`);
  return `${what} is invalid: ${issues.join("; ")}`;
}

export { newerDeliveryProcessed } from "../../../db/repositories/webhook-inbox-repository";
