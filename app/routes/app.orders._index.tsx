import { useCallback, useState } from "react";
import { json, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { useFetcher, useLoaderData, useSearchParams } from "@remix-run/react";
import { Banner, BlockStack, Card, Layout, List, Modal, Page, Text } from "@shopify/polaris";
import { ORDER_STATUSES, ORDER_STATUS_INFO } from "../../core/orders/order-status";
import { CHANNELS } from "../../core/orders/unified-order";
import { listLocationOptions, listOrders } from "../../db/queries/order-queries";
import {
  applyMerchantOrderAction,
  type MerchantOrderActionOutcome,
} from "../../db/repositories/order-action-repository";
import { requireAdminContext } from "../auth/admin-context.server";
import { useOrderExport } from "../components/order-export-modal";
import { OrderFilters, type OrderFilterValues } from "../components/order-filters";
import { OrdersIndexTable, type OrderBulkIntent } from "../components/orders-index-table";
import { RouteErrorBanner } from "../components/route-error-banner";
import { humanize } from "../components/format";
import { getDatabase } from "../db.server";
import { useRouteLoading } from "../hooks/use-route-loading";
import { ORDER_LIST_ARRAY_PARAMS, orderBulkActionSchema, orderListParamsSchema } from "../params/order-params";
import { parseOrThrow, searchParamsToObject } from "../params/search-params";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { shop } = await requireAdminContext(request);
  const params = parseOrThrow(
    orderListParamsSchema,
    searchParamsToObject(new URL(request.url).searchParams, ORDER_LIST_ARRAY_PARAMS),
    "order filters",
  );
  const db = getDatabase();
  const [page, locations] = await Promise.all([
    listOrders(
      db,
      shop.id,
      {
        channels: params.channel,
        statuses: params.status,
        locationId: params.location,
        placedFrom: params.from,
        placedTo: params.to,
        search: params.q,
      },
      { cursor: params.cursor, direction: params.direction },
    ),
    listLocationOptions(db, shop.id),
  ]);
  return json({ page, locations });
};

export const action = async ({ request }: ActionFunctionArgs) => {
  const { shop, actor } = await requireAdminContext(request);
  const form = await request.formData();
  const parsed = orderBulkActionSchema.safeParse({ intent: form.get("intent"), orderIds: form.getAll("orderId") });
  if (!parsed.success) {
    return json({ ok: false as const, error: parsed.error.issues.map((issue) => issue.message).join("; "), outcomes: [] }, { status: 400 });
  }
  const db = getDatabase();
  // One transaction per order: a refused order (already shipped, say) must not undo the others.
  const outcomes: MerchantOrderActionOutcome[] = [];
  for (const orderId of parsed.data.orderIds) {
    outcomes.push(await applyMerchantOrderAction(db, { shopId: shop.id, orderId, action: parsed.data.intent, actor }));
  }
  return json({ ok: true as const, intent: parsed.data.intent, outcomes, error: null });
};

const INTENT_PAST_TENSE: Record<OrderBulkIntent, string> = {
  hold: "put on hold",
  release_hold: "released from hold",
  cancel: "cancelled",
};

export default function OrdersPage() {
  const { page, locations } = useLoaderData<typeof loader>();
  const [searchParams, setSearchParams] = useSearchParams();
  const exportQuery = new URLSearchParams([...searchParams].filter(([key]) => key !== "cursor" && key !== "direction")).toString();
  const orderExport = useOrderExport(exportQuery);
  const loading = useRouteLoading();
  const fetcher = useFetcher<typeof action>();
  const [pendingCancel, setPendingCancel] = useState<string[] | null>(null);

  const values: OrderFilterValues = {
    channels: searchParams.getAll("channel"),
    statuses: searchParams.getAll("status"),
    locationId: searchParams.get("location") ?? undefined,
    from: searchParams.get("from") ?? undefined,
    to: searchParams.get("to") ?? undefined,
    query: searchParams.get("q") ?? "",
  };
  const filtered =
    values.channels.length > 0 || values.statuses.length > 0 || Boolean(values.locationId || values.from || values.to || values.query);

  const applyFilters = useCallback(
    (next: OrderFilterValues) => {
      // Any filter change starts again from the newest order.
      const params = new URLSearchParams();
      next.channels.forEach((channel) => params.append("channel", channel));
      next.statuses.forEach((status) => params.append("status", status));
      if (next.locationId) params.set("location", next.locationId);
      if (next.from) params.set("from", next.from);
      if (next.to) params.set("to", next.to);
      if (next.query.trim()) params.set("q", next.query.trim());
      setSearchParams(params);
    },
    [setSearchParams],
  );

  const goToPage = (direction: "after" | "before", cursor: string | null) => {
    if (!cursor) return;
    const params = new URLSearchParams(searchParams);
    params.set("cursor", cursor);
    params.set("direction", direction);
    setSearchParams(params);
  };

  const submitBulk = (intent: OrderBulkIntent, orderIds: string[]) => {
    const form = new FormData();
    form.set("intent", intent);
    orderIds.forEach((id) => form.append("orderId", id));
    fetcher.submit(form, { method: "post" });
  };

  const onBulkAction = (intent: OrderBulkIntent, orderIds: string[]) => {
    if (intent === "cancel") setPendingCancel(orderIds);
    else submitBulk(intent, orderIds);
  };

  const result = fetcher.data;
  const succeeded = result?.ok ? result.outcomes.filter((outcome) => outcome.ok) : [];
  const refused = result?.ok ? result.outcomes.filter((outcome) => !outcome.ok) : [];

  return (
    <Page
      fullWidth
      title="Orders"
      subtitle="Every channel's orders in one list"
      secondaryActions={[{ content: "Export CSV", onAction: () => void orderExport.start(), disabled: orderExport.running }]}
    >
      <Layout>
        {result && !result.ok ? (
          <Layout.Section>
            <Banner tone="critical" title="The action was not applied">
              <p>{result.error}</p>
            </Banner>
          </Layout.Section>
        ) : null}
        {result?.ok ? (
          <Layout.Section>
            <Banner
              tone={refused.length > 0 ? "warning" : "success"}
              title={`${succeeded.length} order${succeeded.length === 1 ? "" : "s"} ${INTENT_PAST_TENSE[result.intent]}`}
            >
              {refused.length > 0 ? (
                <BlockStack gap="100">
                  <Text as="p">Not changed:</Text>
                  <List>
                    {refused.map((outcome) => (
                      <List.Item key={outcome.orderId}>
                        {outcome.number ?? outcome.orderId}: {"reason" in outcome ? humanize(outcome.reason) : ""}
                      </List.Item>
                    ))}
                  </List>
                </BlockStack>
              ) : null}
            </Banner>
          </Layout.Section>
        ) : null}
        <Layout.Section>
          <Card padding="0">
            <OrderFilters
              values={values}
              options={{
                channels: CHANNELS,
                statuses: ORDER_STATUSES.map((status) => ({ value: status, label: ORDER_STATUS_INFO[status].label })),
                locations,
              }}
              onChange={applyFilters}
            />
            <OrdersIndexTable
              rows={page.rows}
              loading={loading || fetcher.state !== "idle"}
              filtered={filtered}
              pagination={{
                hasNext: page.hasNextPage,
                hasPrevious: page.hasPreviousPage,
                onNext: () => goToPage("after", page.endCursor),
                onPrevious: () => goToPage("before", page.startCursor),
              }}
              onBulkAction={onBulkAction}
            />
          </Card>
        </Layout.Section>
      </Layout>
      <Modal
        open={pendingCancel !== null}
        onClose={() => setPendingCancel(null)}
        title={`Cancel ${pendingCancel?.length ?? 0} order${pendingCancel?.length === 1 ? "" : "s"}?`}
        primaryAction={{
          content: "Cancel orders",
          destructive: true,
          onAction: () => {
            if (pendingCancel) submitBulk("cancel", pendingCancel);
            setPendingCancel(null);
          },
        }}
        secondaryActions={[{ content: "Keep orders", onAction: () => setPendingCancel(null) }]}
      >
        <Modal.Section>
          <Text as="p">
            Their reservations are released back to stock. Orders that have already shipped cannot be cancelled and
            are left as they are. The cancellation is recorded in Switchyard; it is not sent back to the sales channel.
          </Text>
        </Modal.Section>
      </Modal>
      {orderExport.modal}
    </Page>
  );
}

export function ErrorBoundary() {
  return <RouteErrorBanner context="Orders" />;
}
