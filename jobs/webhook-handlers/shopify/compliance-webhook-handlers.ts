import { z } from "zod";
import { minorUnitsToDecimal } from "../../../core/shared/decimal-money";
import { disableShopAfterUninstall, eraseShop, findCustomerOrders, redactCustomer, shopUninstalled } from "../../../db/repositories/compliance-repository";
import { raiseExceptions } from "../../../db/repositories/order-timeline-repository";
import { describeIssues, failed, processed, shopifyId, type ShopifyWebhookHandler } from "./webhook-handler";

const customerRequestSchema = z.object({
  customer: z.object({ id: shopifyId.optional(), email: z.string().nullable().optional(), phone: z.string().nullable().optional() }).nullable().optional(),
  orders_requested: z.array(shopifyId).default([]),
  orders_to_redact: z.array(shopifyId).default([]),
  data_request: z.object({ id: shopifyId }).nullable().optional(),
});

/** Shopify gives the merchant 30 days to answer a customer's data request. */
const DATA_REQUEST_DAYS = 30;

/** app/uninstalled: sync stops, sessions go, the Shopify connection shows disconnected. */
export const handleAppUninstalled: ShopifyWebhookHandler = async ({ tx, shop }) => {
  const { sessionsDeleted } = await disableShopAfterUninstall(tx, shop);
  return processed(`sync disabled for ${shop.domain}; ${sessionsDeleted} session(s) deleted`);
};

/**
 * customers/data_request: Switchyard cannot answer the customer itself; it gathers what it holds
 * on them (their orders) into an open exception, so the merchant can reply within 30 days.
 */
export const handleCustomerDataRequest: ShopifyWebhookHandler = async ({ tx, delivery, shop }) => {
  const parsed = customerRequestSchema.safeParse(delivery.payload);
  if (!parsed.success) return failed(describeIssues("customers/data_request payload", parsed.error));
  const request = parsed.data;
  const found = await findCustomerOrders(tx, shop.id, {
    customerId: request.customer?.id,
    email: request.customer?.email ?? undefined,
    orderIds: request.orders_requested,
  });
  const dueBy = new Date(delivery.receivedAt.getTime() + DATA_REQUEST_DAYS * 24 * 60 * 60 * 1000);
  await raiseExceptions(
    tx,
    shop.id,
    [
      {
        kind: "data_request",
        message: `Customer data request${request.customer?.email ? ` from ${request.customer.email}` : ""}: ${found.length} order${found.length === 1 ? "" : "s"} held by Switchyard; answer by ${dueBy.toISOString().slice(0, 10)}`,
        details: {
          deliveryRowId: delivery.id,
          dataRequestId: request.data_request?.id ?? null,
          customer: { id: request.customer?.id ?? null, email: request.customer?.email ?? null },
          ordersRequested: request.orders_requested,
          dueBy: dueBy.toISOString(),
          orders: found.map((o) => ({
            orderId: o.orderId,
            number: o.number,
            placedAt: o.placedAt.toISOString(),
            status: o.status,
            total: `${minorUnitsToDecimal(o.totalMinor, o.currency)} ${o.currency}`,
            totalMinor: o.totalMinor,
            currency: o.currency,
          })),
        },
      },
    ],
    { deliveryRowId: delivery.id },
  );
  return processed(`data request raised with ${found.length} order(s)`);
};

/** customers/redact: the customer's personal data goes; order numbers, totals and lines stay. */
export const handleCustomerRedact: ShopifyWebhookHandler = async ({ tx, delivery, shop }) => {
  const parsed = customerRequestSchema.safeParse(delivery.payload);
  if (!parsed.success) return failed(describeIssues("customers/redact payload", parsed.error));
  const request = parsed.data;
  const customerId = request.customer?.id;
  const result = await redactCustomer(tx, shop.id, {
    customerId,
    email: request.customer?.email ?? undefined,
    phone: request.customer?.phone ?? undefined,
    orderIds: request.orders_to_redact,
    requestDeliveryRowId: delivery.id,
    ...(customerId ? { customerGid: `gid://shopify/Customer/${customerId}` } : {}),
  });
  return processed(`redacted ${result.ordersRedacted} order(s) and ${result.deliveriesRedacted} delivery payload(s)`);
};

/**
 * shop/redact (48 hours after uninstall): everything Switchyard holds for the shop goes. Only
 * for a shop that is uninstalled: Shopify never sends it for an installed one, so one arriving
 * then is forged, or stale after a reinstall; it is kept as failed for a person to see.
 */
export const handleShopRedact: ShopifyWebhookHandler = async ({ tx, delivery, shop }) => {
  if (!(await shopUninstalled(tx, shop.id))) {
    return failed(`shop/redact refused: ${shop.domain} is still installed (Shopify only asks 48 hours after an uninstall)`);
  }
  await eraseShop(tx, shop, delivery.id);
  return processed(`erased all data of ${shop.domain}`);
};
