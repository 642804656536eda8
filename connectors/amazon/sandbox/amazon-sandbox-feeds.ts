import { XMLParser } from "fast-xml-parser";
import { jsonSchemaValidator } from "../amazon-spec-validator.js";
import { FULFILLMENT_AVAILABILITY_PATH, SELLER_FULFILLMENT_CHANNEL } from "../listings-stock-request.js";
import { cancelOrder } from "./amazon-sandbox-orders.js";
import { setListingQuantity, type AmazonSandboxState, type SandboxFeed } from "./amazon-sandbox-state.js";

/**
 * Feed processing in the sandbox. A feed waits IN_QUEUE for `processingDelayMs` after
 * createFeed (Amazon takes minutes; the demo a few seconds, tests none) and is processed when
 * someone next looks at it: JSON_LISTINGS_FEED messages patch fulfillment_availability and the
 * result is a processing report shaped on listings-feed-processing-report-schema-v2;
 * POST_ORDER_ACKNOWLEDGEMENT_DATA with StatusCode Failure cancels the order.
 */

export const SUPPORTED_FEED_TYPES = new Set(["JSON_LISTINGS_FEED", "POST_ORDER_ACKNOWLEDGEMENT_DATA"]);

interface FeedIssue {
  messageId: number;
  sku?: string;
  code: string;
  severity: "ERROR" | "WARNING";
  message: string;
}

export function processDueFeeds(state: AmazonSandboxState, now: number, processingDelayMs: number): void {
  for (const feed of state.feeds.values()) {
    if (feed.processingStatus !== "IN_QUEUE" || Date.parse(feed.createdTime) + processingDelayMs > now) continue;
    processFeed(state, feed, now);
  }
}

function processFeed(state: AmazonSandboxState, feed: SandboxFeed, now: number): void {
  const input = state.documents.get(feed.inputFeedDocumentId);
  feed.processingStartTime = new Date(now).toISOString();
  const outcome =
    input?.content === undefined
      ? { fatal: "the input feed document was never uploaded" }
      : feed.feedType === "JSON_LISTINGS_FEED"
        ? processListingsFeed(state, input.content, now)
        : processOrderAcknowledgement(state, input.content, now);
  const documentId = `amzn1.tortuga.4.na.sbx-result-${state.nextDocumentId++}`;
  const report =
    "fatal" in outcome
      ? { header: { sellerId: state.sellerId, version: "2.0", feedId: feed.feedId }, issues: [{ messageId: 0, code: "FATAL", severity: "ERROR", message: outcome.fatal }], summary: { errors: 1, warnings: 0, messagesProcessed: 0, messagesAccepted: 0, messagesInvalid: 0 } }
      : {
          header: { sellerId: state.sellerId, version: "2.0", feedId: feed.feedId },
          issues: outcome.issues,
          summary: {
            errors: outcome.issues.filter((i) => i.severity === "ERROR").length,
            warnings: outcome.issues.filter((i) => i.severity === "WARNING").length,
            messagesProcessed: outcome.processed,
            messagesAccepted: outcome.processed - new Set(outcome.issues.filter((i) => i.severity === "ERROR").map((i) => i.messageId)).size,
            messagesInvalid: new Set(outcome.issues.filter((i) => i.severity === "ERROR").map((i) => i.messageId)).size,
          },
        };
  state.documents.set(documentId, { feedDocumentId: documentId, contentType: "application/json", content: JSON.stringify(report) });
  feed.resultFeedDocumentId = documentId;
  feed.processingStatus = "fatal" in outcome ? "FATAL" : "DONE";
  feed.processingEndTime = new Date(now).toISOString();
}

type Outcome = { fatal: string } | { processed: number; issues: FeedIssue[] };

interface ListingsFeedMessage {
  messageId: number;
  sku: string;
  operationType: string;
  patches?: { op: string; path: string; value?: { fulfillment_channel_code?: string; quantity?: number }[] }[];
  attributes?: { fulfillment_availability?: { fulfillment_channel_code?: string; quantity?: number }[] };
}

function processListingsFeed(state: AmazonSandboxState, content: string, now: number): Outcome {
  let document: { header?: { sellerId?: string }; messages?: ListingsFeedMessage[] };
  try {
    document = JSON.parse(content) as typeof document;
  } catch {
    return { fatal: "the feed document is not JSON" };
  }
  const validate = jsonSchemaValidator("listingsFeed");
  if (validate) {
    const result = validate(document);
    if (!result.valid) return { fatal: `the feed document does not match the JSON_LISTINGS_FEED schema: ${result.errors.slice(0, 5).join("; ")}` };
  }
  if (document.header?.sellerId !== state.sellerId) return { fatal: `header.sellerId ${String(document.header?.sellerId)} is not this seller` };
  const issues: FeedIssue[] = [];
  const messages = document.messages ?? [];
  for (const message of messages) {
    const listing = state.listings.get(message.sku);
    if (!listing) {
      issues.push({ messageId: message.messageId, sku: message.sku, code: "4000001", severity: "ERROR", message: `The SKU '${message.sku}' does not exist for this seller.` });
      continue;
    }
    const quantity = quantityFrom(message);
    if (quantity === undefined) continue;
    if (!Number.isInteger(quantity) || quantity < 0) {
      issues.push({ messageId: message.messageId, sku: message.sku, code: "90220", severity: "ERROR", message: `'fulfillment_availability.quantity' must be a non-negative integer.` });
      continue;
    }
    setListingQuantity(state, message.sku, quantity, now, "feed");
  }
  return { processed: messages.length, issues };
}

function quantityFrom(message: ListingsFeedMessage): number | undefined {
  const fromPatch = message.patches?.find((p) => p.path === FULFILLMENT_AVAILABILITY_PATH && (p.op === "replace" || p.op === "merge" || p.op === "add"));
  const entries = fromPatch?.value ?? message.attributes?.fulfillment_availability;
  return entries?.find((e) => (e.fulfillment_channel_code ?? SELLER_FULFILLMENT_CHANNEL) === SELLER_FULFILLMENT_CHANNEL)?.quantity;
}

function processOrderAcknowledgement(state: AmazonSandboxState, content: string, now: number): Outcome {
  let parsed: Record<string, unknown>;
  try {
    parsed = new XMLParser({ ignoreAttributes: true, parseTagValue: false, isArray: (name) => name === "Message" || name === "Item" }).parse(content) as Record<string, unknown>;
  } catch {
    return { fatal: "the feed document is not XML" };
  }
  const envelope = parsed.AmazonEnvelope as { MessageType?: string; Message?: { MessageID?: string; OrderAcknowledgement?: { AmazonOrderID?: string; StatusCode?: string; Item?: { CancelReason?: string }[] } }[] } | undefined;
  if (!envelope || envelope.MessageType !== "OrderAcknowledgement") return { fatal: "expected an AmazonEnvelope with MessageType OrderAcknowledgement" };
  const issues: FeedIssue[] = [];
  const messages = envelope.Message ?? [];
  for (const message of messages) {
    const messageId = Number(message.MessageID ?? 0);
    const ack = message.OrderAcknowledgement;
    if (!ack?.AmazonOrderID) {
      issues.push({ messageId, code: "5000", severity: "ERROR", message: "AmazonOrderID is required" });
      continue;
    }
    if (ack.StatusCode !== "Failure") continue;
    const problem = cancelOrder(state, ack.AmazonOrderID, ack.Item?.[0]?.CancelReason ?? "GeneralAdjustment", now);
    if (problem) issues.push({ messageId, code: "18028", severity: "ERROR", message: problem });
  }
  return { processed: messages.length, issues };
}
