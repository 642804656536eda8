import type { Task } from "graphile-worker";
import { eq } from "drizzle-orm";
import { isShopifyWebhookTopic, runsWithSyncDisabled } from "../../connectors/shopify/shopify-webhook-topics";
import { markDeliveryProcessed } from "../../db/repositories/webhook-inbox-repository";
import { shops, webhookDeliveries } from "../../db/schema";
import { jobPayloadSchemas } from "../../db/queue/job-payloads";
import type { TaskContext } from "../task-context";
import { handleEasyPostDelivery } from "../webhook-handlers/easypost/easypost-webhook-handler";
import { handleMarketplaceOrder, marketplaceOrderMapper } from "../webhook-handlers/marketplace-order-handler";
import { SHOPIFY_WEBHOOK_HANDLERS } from "../webhook-handlers/shopify/shopify-webhook-handlers";
import { failed, ignoredStale, type HandlerOutcome } from "../webhook-handlers/shopify/webhook-handler";

export type ProcessDeliveryOutcome =
  | (HandlerOutcome & { delivery: "handled" })
  /** Nothing to do: the row is gone, or it was already finished (a retried or duplicate job). */
  | { delivery: "missing" | "already_finished"; status?: string };

/**
 * Processes one stored delivery: the row is locked, the topic's handler runs, and the handler's
 * effects and the delivery's final status (processed | ignored_stale | failed) commit in one
 * transaction. A delivery that is no longer `received` is left alone, so a job retried after a
 * commit does nothing twice. A bug or an outage throws, rolls everything back and leaves the
 * delivery `received` for graphile-worker's retry; bad data is a value and ends as `failed`.
 */
export async function processWebhookDelivery(context: TaskContext, deliveryRowId: number): Promise<ProcessDeliveryOutcome> {
  return context.db.transaction(async (tx) => {
    const [delivery] = await tx.select().from(webhookDeliveries).where(eq(webhookDeliveries.id, deliveryRowId)).for("update");
    if (!delivery) return { delivery: "missing" } as const;
    if (delivery.status !== "received") return { delivery: "already_finished", status: delivery.status } as const;

    const outcome = await decide();
    await markDeliveryProcessed(tx, delivery.id, outcome.status, outcome.status === "failed" ? outcome.error : undefined);
    return { ...outcome, delivery: "handled" } as const;

    async function decide(): Promise<HandlerOutcome> {
      if (delivery!.channel === "easypost") return handleEasyPostDelivery(tx, delivery!);
      const topic = delivery!.topic;
      const marketplaceMapper = marketplaceOrderMapper(delivery!.channel, topic);
      if (delivery!.channel !== "shopify" && !marketplaceMapper) return failed(`no handler for ${delivery!.channel} topic ${topic}`);
      if (delivery!.channel === "shopify" && !isShopifyWebhookTopic(topic)) return failed(`no handler for Shopify topic ${topic}`);
      if (isUnparseable(delivery!.payload)) return failed("payload was not valid JSON when received");
      const [shop] = delivery!.shopId
        ? await tx
            .select({ id: shops.id, domain: shops.domain, name: shops.name, currency: shops.currency, isDemo: shops.isDemo, syncEnabled: shops.syncEnabled })
            .from(shops)
            .where(eq(shops.id, delivery!.shopId))
        : [];
      if (!shop) return failed("the delivery's shop is not installed");
      // Ignored, not failed: nothing is wrong with the delivery, the merchant switched sync off
      // (uninstall). Marked ignored_stale because the inbox has no other "ignored" status.
      if (!shop.syncEnabled && !(delivery!.channel === "shopify" && isShopifyWebhookTopic(topic) && runsWithSyncDisabled(topic))) {
        return ignoredStale(`sync is disabled for ${shop.domain}`);
      }
      if (marketplaceMapper) return handleMarketplaceOrder(marketplaceMapper, { tx, delivery: delivery!, shop, policies: context.policies });
      if (!isShopifyWebhookTopic(topic)) return failed(`no handler for Shopify topic ${topic}`);
      return SHOPIFY_WEBHOOK_HANDLERS[topic]({ tx, delivery: delivery!, shop, policies: context.policies });
    }
  });
}

function isUnparseable(payload: unknown): boolean {
  return typeof payload === "object" && payload !== null && "unparseable" in payload && Object.keys(payload).length === 1;
}

/** webhooks/process: one stored webhook delivery -> its topic's handler (jobs/webhook-handlers). */
export function webhooksProcessTask(context: TaskContext): Task {
  return async (rawPayload, helpers) => {
    const payload = jobPayloadSchemas["webhooks/process"].parse(rawPayload);
    const outcome = await processWebhookDelivery(context, payload.deliveryRowId);
    const detail = outcome.delivery === "handled" ? `${outcome.status}${outcome.error ? `: ${outcome.error}` : outcome.note ? ` (${outcome.note})` : ""}` : outcome.delivery;
    helpers.logger.info(`delivery ${payload.deliveryRowId}: ${detail}`);
  };
}
