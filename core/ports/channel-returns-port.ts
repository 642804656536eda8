import type { ReturnReason } from "../returns/return-rules.js";
import type { RmaStatus } from "../returns/rma-state-machine.js";
import type { ChannelCallResult, ChannelCursor } from "./channel-connector-port.js";

/**
 * Returns a channel keeps itself (eBay's Post-Order returns, Amazon's seller-fulfilled returns
 * report) read into our one RMA queue, and what Switchyard decides written back (eBay's decide
 * and issue_refund, WooCommerce's order refunds). Implemented in connectors/<channel>/returns/;
 * one implementation per module, declared by the `returns` capability.
 */

/** Where a channel's return stands, said in our RMA statuses (the furthest it has reached). */
export type ChannelReturnStage = Extract<RmaStatus, "requested" | "approved" | "declined" | "label_issued" | "in_transit" | "received" | "refunded" | "closed" | "cancelled">;

export interface ChannelReturnLine {
  /** The channel's id of the order line (eBay transactionId), when it names one. */
  readonly externalLineId?: string;
  readonly sku?: string;
  /** The channel's listing id (eBay itemId, Amazon ASIN), matched against the line's channelVariantRef. */
  readonly listingRef?: string;
  readonly quantity: number;
  readonly reason: ReturnReason;
  /** The channel's own reason code, kept for the merchant ("AMZ-PG-APP-TOO-SMALL", "WRONG_SIZE"). */
  readonly channelReason: string;
  readonly note?: string;
}

export interface ChannelReturnRecord {
  readonly externalReturnId: string;
  readonly externalOrderId: string;
  readonly stage: ChannelReturnStage;
  /** The channel's status word, shown beside ours. */
  readonly channelStatus: string;
  readonly requestedAt: Date;
  readonly lines: readonly ChannelReturnLine[];
  readonly carrier?: string;
  readonly trackingNumber?: string;
}

export interface ReadChannelReturn {
  readonly record: ChannelReturnRecord;
  /** The channel's payload (a JSON member, a report row) exactly as read. */
  readonly raw: unknown;
}

export interface RejectedChannelReturn {
  readonly externalReturnId?: string;
  /** Why it could not be read; shown to the merchant, the raw input kept (rule 8). */
  readonly problem: string;
  readonly raw: unknown;
}

export interface ChannelReturnsPage {
  readonly returns: readonly ReadChannelReturn[];
  readonly rejected: readonly RejectedChannelReturn[];
  /** Pass back to continue; re-reading a page is harmless (records are unique per external id). */
  readonly nextCursor: ChannelCursor;
  readonly hasMore: boolean;
}

export interface ChannelReturnDecision {
  readonly externalReturnId: string;
  readonly approve: boolean;
  readonly comment?: string;
}

export interface ChannelRefundLine {
  readonly externalLineId: string;
  readonly quantity: number;
  readonly amountMinor: number;
}

export interface ChannelRefundRequest {
  readonly externalOrderId: string;
  /** The channel's return, when the return was made there (eBay). */
  readonly externalReturnId?: string;
  readonly currency: string;
  readonly amountMinor: number;
  readonly lines: readonly ChannelRefundLine[];
  readonly reason: string;
  /** Our RMA number: lets a retried refund find the one already made instead of paying twice. */
  readonly reference: string;
}

export interface ChannelReturns {
  /** Returns created or changed on the channel since the cursor; absent when the channel keeps none. */
  fetchReturns?(cursor: ChannelCursor | null): Promise<ChannelCallResult<ChannelReturnsPage>>;
  /** Approve or decline a return the channel is waiting on the seller for. */
  decide?(decision: ChannelReturnDecision): Promise<ChannelCallResult<void>>;
  /** Pay the buyer back on the channel; answers the channel's refund id. */
  refund?(request: ChannelRefundRequest): Promise<ChannelCallResult<{ readonly reference: string; readonly alreadyDone: boolean }>>;
}
