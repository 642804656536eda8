import type { ChannelFailureReason } from "../ports/channel-connector-port.js";

/**
 * What to do when writing an order's outcome (a fulfillment, a cancellation, a return) back to its
 * source channel failed. Transport trouble is retried by the job queue with backoff; an answer
 * the channel meant (not found, refused, token revoked) will not change by asking again, so it
 * goes to the merchant as an exception at once. The last attempt of a transport failure goes
 * to the merchant too: nothing is dropped silently when the retries run out.
 */

export type ChannelWriteOperation = "cancel_order" | "confirm_fulfillment" | "sync_return";
export type ChannelWriteDecision = "retry" | "surface";

const TRANSIENT: readonly ChannelFailureReason[] = ["rate_limited", "unavailable"];

export function channelWriteFailureDecision(
  reason: ChannelFailureReason,
  attempt: { readonly attempts: number; readonly maxAttempts: number },
): ChannelWriteDecision {
  if (!TRANSIENT.includes(reason)) return "surface";
  return attempt.attempts >= attempt.maxAttempts ? "surface" : "retry";
}

const CHANNEL_NAMES: Record<string, string> = { shopify: "Shopify", amazon: "Amazon", ebay: "eBay", woocommerce: "WooCommerce" };

export function channelDisplayName(channel: string): string {
  return CHANNEL_NAMES[channel] ?? channel;
}

const OPERATION_NOUNS: Record<ChannelWriteOperation, string> = { cancel_order: "Cancellation", confirm_fulfillment: "Fulfillment", sync_return: "Return" };

/** Timeline wording, kept here so the admin, the jobs and the tests say the same thing. */
export const channelWriteWording = {
  sent(operation: ChannelWriteOperation, channel: string, detail?: string): string {
    return `${OPERATION_NOUNS[operation]} sent to ${channelDisplayName(channel)}${detail ? ` (${detail})` : ""}`;
  },
  noConnector(operation: ChannelWriteOperation, channel: string): string {
    return `${OPERATION_NOUNS[operation]} not sent: ${channelDisplayName(channel)} connector not available yet`;
  },
  failed(operation: ChannelWriteOperation, channel: string, problem: string): string {
    return `${OPERATION_NOUNS[operation]} not sent to ${channelDisplayName(channel)}: ${problem}`;
  },
};
