import { err, ok } from "../../core/shared/result.js";
import type { ChannelCallResult } from "../../core/ports/channel-connector-port.js";
import type { AmazonSettings } from "./amazon-connection-config.js";
import { amazonFailure } from "./amazon-failure-mapping.js";
import { listingsPatchBody, listingsFeedDocument, type AmazonStockUpdate } from "./listings-stock-request.js";
import type { SpApiClient } from "./sp-api-client.js";

/**
 * Stock to Amazon. A few SKUs go one patchListingsItem each (5 per second, burst 5: answered
 * per item at once; what a second of patching cannot carry is handed back to retry). A larger
 * batch goes as one JSON_LISTINGS_FEED through the Feeds API (createFeedDocument → upload →
 * createFeed): three calls for any number of SKUs, but Amazon answers minutes later, so every
 * item comes back `pending` with the feed id and is settled by `settleAmazonStockFeed` once the
 * processing report is there. A feed is sent only when no listings feed of the connection is
 * still being processed (Amazon processes a seller's product feeds one after another, and its
 * best practices ask to wait for the previous one: the changes gathered meanwhile then ride in
 * one larger feed instead of many small ones) and only within the documented rates: createFeed's
 * bucket, and five JSON_LISTINGS_FEED submissions per five minutes.
 */

export type AmazonStockItemResult =
  | { readonly sku: string; readonly status: "applied" }
  | { readonly sku: string; readonly status: "rejected"; readonly problem: string }
  /** Not sent (the rate ran out or Amazon was unavailable): push it again later. */
  | { readonly sku: string; readonly status: "retry"; readonly problem: string; readonly retryAfterMs?: number }
  | { readonly sku: string; readonly status: "pending"; readonly feedId: string; readonly messageId: number };

const FEED_CONTENT_TYPE = "application/json; charset=UTF-8";
// One push patches for at most this long (waiting for the 5/s bucket); the rest is handed back as
// retry, so a large batch never holds a worker slot for the many seconds 5/s would take.
const PATCH_RUN_BUDGET_MS = 1_000;

export async function pushAmazonStock(
  client: SpApiClient,
  settings: AmazonSettings,
  updates: readonly AmazonStockUpdate[],
  options: { readonly feedInFlight?: boolean } = {},
): Promise<ChannelCallResult<AmazonStockItemResult[]>> {
  if (updates.length === 0) return ok([]);
  const feed = updates.length > settings.feedThreshold && !options.feedInFlight && feedAffordable(client);
  return feed ? submitStockFeed(client, settings, updates) : patchEach(client, settings, updates);
}

/**
 * A feed needs a createFeedDocument and a createFeed token now, and room in the JSON_LISTINGS_FEED
 * window (five per five minutes). When either is used up, patches (5/s) carry what they can
 * meanwhile instead of a document being created for a feed that cannot be submitted.
 */
function feedAffordable(client: SpApiClient): boolean {
  return (
    client.listingsFeedWindow().available() >= 1 &&
    client.bucket("feeds_2021-06-30.json:createFeed").available() >= 1 &&
    client.bucket("feeds_2021-06-30.json:createFeedDocument").available() >= 1
  );
}

async function patchEach(client: SpApiClient, settings: AmazonSettings, updates: readonly AmazonStockUpdate[]): Promise<ChannelCallResult<AmazonStockItemResult[]>> {
  const results: AmazonStockItemResult[] = [];
  const deadline = Date.now() + PATCH_RUN_BUDGET_MS;
  for (const [index, update] of updates.entries()) {
    const response = await client.call<{ status?: string; issues?: { severity?: string; message?: string; code?: string }[] }>(
      "listingsItems_2021-08-01.json:patchListingsItem",
      {
        path: { sellerId: settings.sellerId, sku: update.sku },
        query: { marketplaceIds: [settings.marketplaceId] },
        body: listingsPatchBody(update, settings.productType),
        maxWaitMs: Math.max(0, deadline - Date.now()),
      },
    );
    if (!response.ok) {
      if (response.reason === "unauthorized") return response;
      if (response.reason === "rejected" || response.reason === "not_found") {
        results.push({ sku: update.sku, status: "rejected", problem: response.detail ?? response.reason });
        continue;
      }
      // Rate limit or outage: nothing after this item was sent; hand them all back to retry.
      for (const rest of updates.slice(index)) {
        results.push({ sku: rest.sku, status: "retry", problem: response.detail ?? response.reason, ...(response.retryAfterMs ? { retryAfterMs: response.retryAfterMs } : {}) });
      }
      return ok(results);
    }
    const body = response.value.body;
    const errors = (body?.issues ?? []).filter((issue) => issue.severity === "ERROR");
    if (body?.status === "ACCEPTED" && errors.length === 0) results.push({ sku: update.sku, status: "applied" });
    else results.push({ sku: update.sku, status: "rejected", problem: issueText(errors) || `submission ${body?.status ?? "without status"}` });
  }
  return ok(results);
}

async function submitStockFeed(client: SpApiClient, settings: AmazonSettings, updates: readonly AmazonStockUpdate[]): Promise<ChannelCallResult<AmazonStockItemResult[]>> {
  const document = listingsFeedDocument(settings.sellerId, updates, settings.productType);
  const created = await client.call<{ feedDocumentId?: string; url?: string }>("feeds_2021-06-30.json:createFeedDocument", {
    body: { contentType: FEED_CONTENT_TYPE },
  });
  if (!created.ok) return created;
  const { feedDocumentId, url } = created.value.body ?? {};
  if (!feedDocumentId || !url) return err("rejected", "createFeedDocument answered without feedDocumentId and url");
  const uploaded = await client.upload(url, JSON.stringify(document), FEED_CONTENT_TYPE);
  if (!uploaded.ok) return uploaded;
  // Counted when sent, as Amazon counts it; another connection of the seller may have taken the last one.
  const wait = client.listingsFeedWindow().tryTake();
  if (wait > 0) return amazonFailure({ kind: "local_rate_limit" }, "five JSON_LISTINGS_FEED submissions in five minutes already", wait);
  const feed = await client.call<{ feedId?: string }>("feeds_2021-06-30.json:createFeed", {
    body: { feedType: "JSON_LISTINGS_FEED", marketplaceIds: [settings.marketplaceId], inputFeedDocumentId: feedDocumentId },
  });
  if (!feed.ok) return feed;
  const feedId = feed.value.body?.feedId;
  if (!feedId) return err("rejected", "createFeed answered without a feedId");
  return ok(document.messages.map((message) => ({ sku: message.sku, status: "pending" as const, feedId, messageId: message.messageId })));
}

export type AmazonFeedSettlement =
  | { readonly done: false; readonly processingStatus: string }
  | { readonly done: true; readonly processingStatus: string; readonly results: readonly AmazonFeedMessageResult[] };

export interface AmazonFeedMessageResult {
  readonly messageId: number;
  readonly sku?: string;
  readonly status: "applied" | "rejected" | "retry";
  readonly problem?: string;
}

interface ProcessingReport {
  issues?: { messageId?: number; sku?: string; code?: string; severity?: string; message?: string }[];
  summary?: { messagesProcessed?: number };
}

/**
 * Reads a stock feed's outcome: still `pending` while Amazon queues or processes it; once DONE,
 * one result per message of the processing report (an ERROR issue rejects that message, every
 * other submitted message applied). CANCELLED and FATAL feeds applied nothing we can rely on:
 * all their messages are to be pushed again.
 */
export async function settleAmazonStockFeed(
  client: SpApiClient,
  feedId: string,
  messageIds: readonly number[],
): Promise<ChannelCallResult<AmazonFeedSettlement>> {
  // The processing report comes through getFeedDocument (0.0222/s, one per 45 s after a burst of
  // 10): while its rate is used up a DONE feed could not be settled, so its status is not asked.
  if (client.bucket("feeds_2021-06-30.json:getFeedDocument").available() < 1) return ok({ done: false, processingStatus: "NOT_ASKED" });
  const feed = await client.call<{ processingStatus?: string; resultFeedDocumentId?: string }>("feeds_2021-06-30.json:getFeed", { path: { feedId } });
  if (!feed.ok) return feed;
  const status = feed.value.body?.processingStatus ?? "UNKNOWN";
  if (status === "IN_QUEUE" || status === "IN_PROGRESS") return ok({ done: false, processingStatus: status });
  if (status !== "DONE") {
    return ok({ done: true, processingStatus: status, results: messageIds.map((messageId) => ({ messageId, status: "retry" as const, problem: `feed ${feedId} ended ${status}` })) });
  }
  const documentId = feed.value.body?.resultFeedDocumentId;
  if (!documentId) return err("rejected", `feed ${feedId} is DONE without a resultFeedDocumentId`);
  const document = await client.call<{ url?: string; compressionAlgorithm?: string }>("feeds_2021-06-30.json:getFeedDocument", { path: { feedDocumentId: documentId } });
  if (!document.ok) return document;
  if (!document.value.body?.url) return err("rejected", `getFeedDocument ${documentId} answered without a url`);
  const content = await client.download({ url: document.value.body.url, ...(document.value.body.compressionAlgorithm ? { compressionAlgorithm: document.value.body.compressionAlgorithm } : {}) });
  if (!content.ok) return content;
  let report: ProcessingReport;
  try {
    report = JSON.parse(content.value) as ProcessingReport;
  } catch {
    return err("rejected", `the processing report of feed ${feedId} is not JSON`);
  }
  const errorsByMessage = new Map<number, string[]>();
  for (const issue of report.issues ?? []) {
    if (issue.severity !== "ERROR" || typeof issue.messageId !== "number") continue;
    errorsByMessage.set(issue.messageId, [...(errorsByMessage.get(issue.messageId) ?? []), [issue.code, issue.message].filter(Boolean).join(": ")]);
  }
  return ok({
    done: true,
    processingStatus: status,
    results: messageIds.map((messageId) => {
      const errors = errorsByMessage.get(messageId);
      return errors ? { messageId, status: "rejected" as const, problem: errors.join("; ") } : { messageId, status: "applied" as const };
    }),
  });
}

function issueText(issues: readonly { code?: string; message?: string }[]): string {
  return issues.map((issue) => [issue.code, issue.message].filter(Boolean).join(": ")).join("; ");
}
