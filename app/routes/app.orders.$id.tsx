import { json, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { useFetcher, useLoaderData } from "@remix-run/react";
import { Badge, Banner, BlockStack, InlineStack, Layout, Page } from "@shopify/polaris";
import { z } from "zod";
import { canTransition } from "../../core/orders/order-state-machine";
import { orderStatusSchema } from "../../core/orders/order-status";
import { getOrderDetail } from "../../db/queries/order-queries";
import { unmatchedLinesOfOrder } from "../../db/queries/unmatched-line-queries";
import { shipReservedOrder } from "../../db/repositories/fulfillment-repository";
import { applyMerchantOrderAction, MERCHANT_ORDER_ACTIONS } from "../../db/repositories/order-action-repository";
import { advancePickup } from "../../db/repositories/pickup-repository";
import { routingHistory, sendBackToRouting } from "../../db/repositories/routing-repository";
import { requireAdminContext } from "../auth/admin-context.server";
import { channelLabel, formatDateTime, humanize } from "../components/format";
import { FulfilOrderForm, type FulfilOrderValues } from "../components/fulfil-order-form";
import {
  OrderAllocationsCard,
  OrderExceptionsBanner,
  OrderLinesCard,
  OrderShipmentsCard,
  OrderSummaryCard,
  OrderTimelineCard,
} from "../components/order-detail-sections";
import { OrderRoutingCard } from "../components/order-routing-card";
import { PageSkeleton } from "../components/page-loading";
import { RouteErrorBanner } from "../components/route-error-banner";
import { FinancialStatusBadge, OrderStatusBadge } from "../components/status-badges";
import { getDatabase } from "../db.server";
import { useRouteLoading } from "../hooks/use-route-loading";
import { fulfilOrderFieldErrors, fulfilOrderFormSchema, type FulfilOrderFieldErrors } from "../params/fulfilment-params";
import { orderIdParamSchema } from "../params/order-params";
import { parseOrThrow } from "../params/search-params";
import { SHIPPING_INTENTS, shippingActionSchema } from "../params/shipment-params";
import { applyShippingAction } from "../orders/shipping-actions.server";
import { BuyLabelsCard } from "../components/order-shipping-cards";
import { UnmatchedLinesCard } from "../components/unmatched-lines-card";
import { applyLineMappingAction } from "../orders/line-mapping-actions.server";

export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { shop } = await requireAdminContext(request);
  const { id } = parseOrThrow(orderIdParamSchema, params, "order id");
  const detail = await getOrderDetail(getDatabase(), shop.id, id);
  if (!detail) throw json({ message: "This order does not exist in this shop." }, { status: 404 });
  const [routing, unmatched] = await Promise.all([routingHistory(getDatabase(), shop.id, id), unmatchedLinesOfOrder(getDatabase(), shop.id, id)]);
  return json({ ...detail, routing, unmatched });
};

const orderActionSchema = z.object({ intent: z.enum(MERCHANT_ORDER_ACTIONS) });
const routingActionSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("reroute") }),
  z.object({ intent: z.literal("reject_location"), locationId: z.guid(), reason: z.string().trim().min(1).max(500) }),
  z.object({ intent: z.literal("ready_for_pickup") }),
  z.object({ intent: z.literal("pick_up") }),
]);

/** Orders the manual fulfilment form is offered for: everything reserved, nothing shipped yet. */
const FULFILLABLE_STATUSES = ["reserved", "allocated"];

type OrderActionData =
  | { ok: true; reason: null; shipmentIds?: string[]; message?: string }
  | { ok: false; reason: string; fieldErrors?: FulfilOrderFieldErrors };

export const action = async ({ request, params }: ActionFunctionArgs) => {
  const { shop, actor } = await requireAdminContext(request);
  const { id } = parseOrThrow(orderIdParamSchema, params, "order id");
  const form = Object.fromEntries(await request.formData());
  const db = getDatabase();
  if (form.intent === "fulfil") {
    const fulfil = fulfilOrderFormSchema.safeParse(form);
    if (!fulfil.success) {
      return json<OrderActionData>({ ok: false, reason: "invalid_fulfilment", fieldErrors: fulfilOrderFieldErrors(fulfil.error) }, { status: 400 });
    }
    const { carrier, trackingNumber, trackingUrl } = fulfil.data;
    // The same carrier and number for every location the order ships from (see the form's help).
    const shipped = await shipReservedOrder(db, {
      shopId: shop.id,
      orderId: id,
      actor,
      shipment: () => ({ carrier, service: "Manual", trackingNumber, ...(trackingUrl ? { trackingUrl } : {}) }),
    });
    return json<OrderActionData>(shipped.ok ? { ok: true, reason: null, shipmentIds: shipped.value.shipmentIds } : { ok: false, reason: shipped.reason }, {
      status: shipped.ok ? 200 : 409,
    });
  }
  if (form.intent === "map_line") {
    const mapped = await applyLineMappingAction(db, { shopId: shop.id, orderId: id, actor, form });
    return json<OrderActionData>(mapped.outcome.ok ? { ok: true, reason: null, message: mapped.outcome.message } : mapped.outcome, { status: mapped.status });
  }
  if (typeof form.intent === "string" && SHIPPING_INTENTS.includes(form.intent)) {
    const shipping = shippingActionSchema.safeParse(form);
    if (!shipping.success) return json<OrderActionData>({ ok: false, reason: "invalid_shipping_action" }, { status: 400 });
    const outcome = await applyShippingAction(db, { shopId: shop.id, orderId: id, actor, action: shipping.data });
    return json<OrderActionData>(outcome.ok ? { ok: true, reason: null, message: outcome.message } : { ok: false, reason: outcome.reason }, {
      status: outcome.ok ? 200 : 409,
    });
  }
  const routingAction = routingActionSchema.safeParse(form);
  if (routingAction.success) {
    const r = routingAction.data;
    const outcome =
      r.intent === "reroute"
        ? await sendBackToRouting(db, { shopId: shop.id, orderId: id, actor, reason: "asked from the order page" })
        : r.intent === "reject_location"
          ? await sendBackToRouting(db, { shopId: shop.id, orderId: id, actor, rejectedLocationId: r.locationId, reason: r.reason })
          : await advancePickup(db, { shopId: shop.id, orderId: id, actor, step: r.intent });
    return json<OrderActionData>(outcome.ok ? { ok: true, reason: null } : { ok: false, reason: outcome.reason }, { status: outcome.ok ? 200 : 409 });
  }
  const parsed = orderActionSchema.safeParse(form);
  if (!parsed.success) return json<OrderActionData>({ ok: false, reason: "unknown_action" }, { status: 400 });
  const outcome = await applyMerchantOrderAction(db, { shopId: shop.id, orderId: id, action: parsed.data.intent, actor });
  return json<OrderActionData>(outcome.ok ? { ok: true, reason: null } : { ok: false, reason: outcome.reason }, {
    status: outcome.ok ? 200 : 409,
  });
};

export default function OrderPage() {
  const { order, lines, allocations, shipments, events, exceptions, routing, unmatched } = useLoaderData<typeof loader>();
  const fetcher = useFetcher<typeof action>();
  const fulfilFetcher = useFetcher<typeof action>();
  const loading = useRouteLoading({ pathPrefix: "/app/orders/" });
  if (loading) return <PageSkeleton title="Order" />;

  const status = orderStatusSchema.safeParse(order.status);
  const allowed = (event: "hold" | "release_hold" | "cancel") => status.success && canTransition(status.data, event);
  const act = (intent: string) => fetcher.submit({ intent }, { method: "post" });
  const busy = fetcher.state !== "idle";
  const fulfilResult = fulfilFetcher.data && !fulfilFetcher.data.ok ? fulfilFetcher.data : null;
  const unplanned = allocations.filter((a) => a.status === "reserved" && !a.shipmentId);
  // Once labels are being bought, the shipments ship; a manual fulfilment would strand them.
  const canFulfil = FULFILLABLE_STATUSES.includes(order.status) && !allocations.some((a) => a.status === "reserved" && a.shipmentId);
  const canBuyLabels = ["reserved", "allocated", "partially_shipped"].includes(order.status) && unplanned.length > 0;
  const shipFrom = [...new Set(allocations.filter((a) => a.status === "reserved").map((a) => a.locationName))];
  const shipmentAction = (intent: string, shipmentId?: string) => fetcher.submit({ intent, ...(shipmentId ? { shipmentId } : {}) }, { method: "post" });
  const fulfil = (values: FulfilOrderValues) => fulfilFetcher.submit({ intent: "fulfil", ...values }, { method: "post" });

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
        {fetcher.data?.ok && fetcher.data.message ? (
          <Layout.Section>
            <Banner tone="success" title={fetcher.data.message} />
          </Layout.Section>
        ) : null}
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
            <UnmatchedLinesCard
              lines={unmatched}
              busy={busy}
              onMap={({ lineId, variantId, alsoOtherOrders }) =>
                fetcher.submit({ intent: "map_line", lineId, variantId, alsoOtherOrders: String(alsoOtherOrders) }, { method: "post" })
              }
            />
            <OrderRoutingCard
              decisions={routing}
              orderStatus={order.status}
              busy={busy}
              onReroute={() => fetcher.submit({ intent: "reroute" }, { method: "post" })}
              onReject={(locationId, reason) => fetcher.submit({ intent: "reject_location", locationId, reason }, { method: "post" })}
              onPickupStep={(step) => fetcher.submit({ intent: step }, { method: "post" })}
            />
            <OrderAllocationsCard allocations={allocations} />
            <OrderShipmentsCard shipments={shipments} channelName={channelLabel(order.channel)} onAction={shipmentAction} busy={busy} />
            <OrderTimelineCard events={events} />
          </BlockStack>
        </Layout.Section>
        <Layout.Section variant="oneThird">
          <BlockStack gap="400">
            <OrderSummaryCard order={order} />
            {canBuyLabels ? (
              <BuyLabelsCard locations={[...new Set(unplanned.map((a) => a.locationName))]} busy={busy} onBuy={() => shipmentAction("buy_labels")} />
            ) : null}
            {canFulfil ? (
              <FulfilOrderForm
                key={order.id}
                channelName={channelLabel(order.channel)}
                shipFromLocations={shipFrom}
                submitting={fulfilFetcher.state !== "idle"}
                fieldErrors={fulfilResult?.fieldErrors ?? {}}
                formError={fulfilResult && !fulfilResult.fieldErrors ? humanize(fulfilResult.reason) : null}
                onSubmit={fulfil}
              />
            ) : null}
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}

export function ErrorBoundary() {
  return <RouteErrorBanner context="Order" />;
}
