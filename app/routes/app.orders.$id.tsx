import { json, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { useFetcher, useLoaderData } from "@remix-run/react";
import { Badge, Banner, BlockStack, InlineStack, Layout, Page } from "@shopify/polaris";
import { z } from "zod";
import { canTransition } from "../../core/orders/order-state-machine";
import { orderStatusSchema } from "../../core/orders/order-status";
import { getOrderDetail } from "../../db/queries/order-queries";
import { applyMerchantOrderAction, MERCHANT_ORDER_ACTIONS } from "../../db/repositories/order-action-repository";
import { requireAdminContext } from "../auth/admin-context.server";
import { channelLabel, formatDateTime, humanize } from "../components/format";
import {
  OrderAllocationsCard,
  OrderExceptionsBanner,
  OrderLinesCard,
  OrderShipmentsCard,
  OrderSummaryCard,
  OrderTimelineCard,
} from "../components/order-detail-sections";
import { PageSkeleton } from "../components/page-loading";
import { RouteErrorBanner } from "../components/route-error-banner";
import { FinancialStatusBadge, OrderStatusBadge } from "../components/status-badges";
import { getDatabase } from "../db.server";
import { useRouteLoading } from "../hooks/use-route-loading";
import { orderIdParamSchema } from "../params/order-params";
import { parseOrThrow } from "../params/search-params";

export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { shop } = await requireAdminContext(request);
  const { id } = parseOrThrow(orderIdParamSchema, params, "order id");
  const detail = await getOrderDetail(getDatabase(), shop.id, id);
  if (!detail) throw json({ message: "This order does not exist in this shop." }, { status: 404 });
  return json(detail);
};

const orderActionSchema = z.object({ intent: z.enum(MERCHANT_ORDER_ACTIONS) });

export const action = async ({ request, params }: ActionFunctionArgs) => {
  const { shop, actor } = await requireAdminContext(request);
  const { id } = parseOrThrow(orderIdParamSchema, params, "order id");
  const parsed = orderActionSchema.safeParse(Object.fromEntries(await request.formData()));
  if (!parsed.success) return json({ ok: false as const, reason: "unknown_action" }, { status: 400 });
  const outcome = await applyMerchantOrderAction(getDatabase(), { shopId: shop.id, orderId: id, action: parsed.data.intent, actor });
  return json(outcome.ok ? { ok: true as const, reason: null } : { ok: false as const, reason: outcome.reason }, {
    status: outcome.ok ? 200 : 409,
  });
};

export default function OrderPage() {
  const { order, lines, allocations, shipments, events, exceptions } = useLoaderData<typeof loader>();
  const fetcher = useFetcher<typeof action>();
  const loading = useRouteLoading({ pathPrefix: "/app/orders/" });
  if (loading) return <PageSkeleton title="Order" />;

  const status = orderStatusSchema.safeParse(order.status);
  const allowed = (event: "hold" | "release_hold" | "cancel") => status.success && canTransition(status.data, event);
  const act = (intent: string) => fetcher.submit({ intent }, { method: "post" });
  const busy = fetcher.state !== "idle";

  return (
    <Page
      backAction={{ content: "Orders", url: "/app/orders" }}
      title={order.number}
      titleMetadata={
        <InlineStack gap="100">
          <OrderStatusBadge status={order.status} />
          <FinancialStatusBadge status={order.financialStatus} />
          <Badge>{channelLabel(order.channel)}</Badge>
        </InlineStack>
      }
      subtitle={`Placed ${formatDateTime(order.placedAt)} · ${channelLabel(order.channel)} id ${order.externalId}`}
      secondaryActions={[
        ...(allowed("hold") ? [{ content: "Hold", onAction: () => act("hold"), loading: busy }] : []),
        ...(allowed("release_hold") ? [{ content: "Release hold", onAction: () => act("release_hold"), loading: busy }] : []),
        ...(allowed("cancel") ? [{ content: "Cancel order", destructive: true, onAction: () => act("cancel"), loading: busy }] : []),
      ]}
    >
      <Layout>
        {fetcher.data && !fetcher.data.ok ? (
          <Layout.Section>
            <Banner tone="critical" title="The order was not changed">
              <p>{humanize(fetcher.data.reason)}</p>
            </Banner>
          </Layout.Section>
        ) : null}
        <Layout.Section>
          <BlockStack gap="400">
            <OrderExceptionsBanner exceptions={exceptions} />
            <OrderLinesCard lines={lines} currency={order.currency} />
            <OrderAllocationsCard allocations={allocations} />
            <OrderShipmentsCard shipments={shipments} />
            <OrderTimelineCard events={events} />
          </BlockStack>
        </Layout.Section>
        <Layout.Section variant="oneThird">
          <OrderSummaryCard order={order} />
        </Layout.Section>
      </Layout>
    </Page>
  );
}

export function ErrorBoundary() {
  return <RouteErrorBanner context="Order" />;
}
