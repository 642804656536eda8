import type { TaskList } from "graphile-worker";
import type { TaskContext } from "./task-context";
import { channelsPollDueTask, channelsPollOrdersTask } from "./tasks/channels-poll-orders.task";
import { channelsCancelOrderTask } from "./tasks/channels-cancel-order.task";
import { channelsConfirmFulfillmentTask } from "./tasks/channels-confirm-fulfillment.task";
import { inventoryReconcileTask } from "./tasks/inventory-reconcile.task";
import { inventorySyncTask } from "./tasks/inventory-sync.task";
import { labelsSettleInterruptedTask } from "./tasks/labels-settle-interrupted.task";
import { ordersFillBackordersTask } from "./tasks/orders-fill-backorders.task";
import { ordersIngestTask } from "./tasks/orders-ingest.task";
import { returnsCreateExchangeOrderTask } from "./tasks/returns-create-exchange-order.task";
import { returnsBuyLabelTask } from "./tasks/returns-buy-label.task";
import { returnsVoidLabelTask } from "./tasks/returns-void-label.task";
import { returnsSyncChannelTask } from "./tasks/returns-sync-channel.task";
import { returnsChannelWriteTask } from "./tasks/returns-channel-write.task";
import { returnsPollChannelTask, returnsPollDueTask } from "./tasks/returns-poll-channel.task";
import { ordersRouteTask } from "./tasks/orders-route.task";
import { pruneInboxTask } from "./tasks/prune-inbox.task";
import { reportsRollupTask } from "./tasks/reports-rollup.task";
import { reportsReturnsRollupTask } from "./tasks/reports-returns-rollup.task";
import { shopifyImportTask } from "./tasks/shopify-import.task";
import { shippingBuyLabelTask } from "./tasks/shipping-buy-label.task";
import { shippingVoidLabelTask } from "./tasks/shipping-void-label.task";
import { wmsHandoffTask } from "./tasks/wms-handoff.task";
import { webhooksProcessTask } from "./tasks/webhooks-process.task";

/** Every task the worker runs, by identifier. Adding a task means adding one line here. */
export function buildTaskList(context: TaskContext): TaskList {
  return {
    "orders/ingest": ordersIngestTask(context),
    "orders/fill-backorders": ordersFillBackordersTask(context),
    "orders/route": ordersRouteTask(context),
    "inventory/sync": inventorySyncTask(context),
    "inventory:reconcile": inventoryReconcileTask(context),
    "maintenance:prune-inbox": pruneInboxTask(context),
    "webhooks/process": webhooksProcessTask(context),
    "shopify/import": shopifyImportTask(context),
    "channels/cancel-order": channelsCancelOrderTask(context),
    "channels/confirm-fulfillment": channelsConfirmFulfillmentTask(context),
    "returns/create-exchange-order": returnsCreateExchangeOrderTask(context),
    "returns/sync-channel": returnsSyncChannelTask(context),
    "returns/buy-label": returnsBuyLabelTask(context),
    "returns/void-label": returnsVoidLabelTask(context),
    "returns/channel-write": returnsChannelWriteTask(context),
    "returns/poll-channel": returnsPollChannelTask(context),
    "returns:poll-due": returnsPollDueTask(context),
    "shipping/buy-label": shippingBuyLabelTask(context),
    "shipping/void-label": shippingVoidLabelTask(context),
    "labels:settle-interrupted": labelsSettleInterruptedTask(context),
    "wms/handoff": wmsHandoffTask(context),
    "channels/poll-orders": channelsPollOrdersTask(context),
    "channels:poll-due": channelsPollDueTask(context),
    "reports:rollup": reportsRollupTask(context),
    "reports:returns-rollup": reportsReturnsRollupTask(context),
  };
}

/** Cron: graphile-worker's crontab format; identifiers must exist in the task list above. */
export const CRONTAB = [
  // Hourly: deliveries past their retention go (processed and failed 30 days, unknown shops 7).
  "15 * * * * maintenance:prune-inbox ?jobKey=prune-inbox",
  // Order capture by polling (eBay; WooCommerce's fallback): one job per connection, every minute.
  "* * * * * channels:poll-due ?jobKey=poll-due",
  // Marketplace returns (eBay Post-Order, Amazon's returns report): one job per connection, every minute.
  "* * * * * returns:poll-due ?jobKey=returns-poll-due",
  // Dashboard rollups follow the orders within a minute; one queued run at a time.
  "* * * * * reports:rollup ?jobKey=reports-rollup",
  // Return rate and reasons per product and channel, the same way.
  "* * * * * reports:returns-rollup ?jobKey=reports-returns-rollup",
  // Label purchases left `buying` by a job that stopped for good are settled at the provider
  // (ADR 0009): money may have been spent on a label nobody recorded. One queued sweep at a time.
  "*/10 * * * * labels:settle-interrupted ?jobKey=labels-settle-interrupted",
  // What each channel shows is compared with what we pushed every 15 minutes; drift is corrected.
  "*/15 * * * * inventory:reconcile ?jobKey=stock-reconcile-all",
].join("\n");
