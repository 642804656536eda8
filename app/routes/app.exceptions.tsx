import { json, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Link, useFetcher, useLoaderData, useSearchParams } from "@remix-run/react";
import {
  Badge,
  Banner,
  BlockStack,
  Button,
  ButtonGroup,
  Card,
  EmptyState,
  IndexTable,
  InlineStack,
  Layout,
  Page,
  Text,
  useIndexResourceState,
} from "@shopify/polaris";
import { z } from "zod";
import { EXCEPTION_KINDS } from "../../core/orders/order-intake";
import { listOpenExceptions } from "../../db/queries/exception-queries";
import { slaStanding } from "../../core/orders/exception-sla";
import { applyBulkExceptionAction, BULK_EXCEPTION_ACTIONS } from "../../db/repositories/exception-bulk-repository";
import { recordExceptionRetry, resolveException, type ExceptionRetry } from "../../db/repositories/exception-repository";
import { requireAdminContext } from "../auth/admin-context.server";
import { EMPTY_STATE_IMAGE } from "../components/empty-state-image";
import { formatAge, humanize } from "../components/format";
import { RouteErrorBanner } from "../components/route-error-banner";
import { OrderStatusBadge } from "../components/status-badges";
import { getDatabase } from "../db.server";
import { useRouteLoading } from "../hooks/use-route-loading";
import { parseOrThrow, searchParamsToObject } from "../params/search-params";

const exceptionListParamsSchema = z.object({
  kind: z.enum(EXCEPTION_KINDS).optional(),
  after: z.string().max(500).optional(),
  overdue: z.enum(["1"]).optional(),
});

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { shop } = await requireAdminContext(request);
  const params = parseOrThrow(exceptionListParamsSchema, searchParamsToObject(new URL(request.url).searchParams), "exception filters");
  const page = await listOpenExceptions(getDatabase(), shop.id, { kind: params.kind, after: params.after, overdueOnly: params.overdue === "1" });
  return json({ page, now: new Date().toISOString() });
};

const exceptionActionSchema = z.object({
  intent: z.enum(["retry", "resolve"]),
  exceptionId: z.guid(),
});
const bulkActionSchema = z.object({
  intent: z.literal("bulk"),
  action: z.enum(BULK_EXCEPTION_ACTIONS),
  exceptionIds: z.string().transform((raw, ctx) => {
    const ids = z.array(z.guid()).min(1).max(250).safeParse(raw.split(","));
    if (!ids.success) {
      ctx.addIssue({ code: "custom", message: "exception ids" });
      return z.NEVER;
    }
    return ids.data;
  }),
});

export const action = async ({ request }: ActionFunctionArgs) => {
  const { shop, actor } = await requireAdminContext(request);
  const form = Object.fromEntries(await request.formData());
  const bulk = bulkActionSchema.safeParse(form);
  if (bulk.success) {
    const outcomes = await applyBulkExceptionAction(getDatabase(), { shopId: shop.id, exceptionIds: bulk.data.exceptionIds, action: bulk.data.action, actor });
    const refused = outcomes.filter((o) => !o.ok);
    const done = outcomes.length - refused.length;
    const reasons = [...new Set(refused.map((o) => humanize(o.reason ?? "refused")))].join(", ");
    return json({ ok: refused.length === 0, message: `${humanize(bulk.data.action)}: ${done} of ${outcomes.length} done${refused.length ? `; ${refused.length} refused (${reasons})` : "."}` });
  }
  const parsed = exceptionActionSchema.safeParse(form);
  if (!parsed.success) return json({ ok: false as const, message: "Unknown exception action." }, { status: 400 });
  const input = { shopId: shop.id, exceptionId: parsed.data.exceptionId, actor };
  const db = getDatabase();
  if (parsed.data.intent === "resolve") {
    const result = await resolveException(db, input);
    return result.ok
      ? json({ ok: true as const, message: `${humanize(result.value.kind)} resolved.` })
      : json({ ok: false as const, message: humanize(result.reason) }, { status: 409 });
  }
  const result = await recordExceptionRetry(db, input);
  if (!result.ok) return json({ ok: false as const, message: humanize(result.reason) }, { status: 409 });
  return json({ ok: true as const, message: describeRetry(result.value) });
};

/** Says plainly what the retry did, and when nothing could be re-run, says that too. */
function describeRetry(retry: ExceptionRetry): string {
  const prefix = `Retry ${retry.retryCount} of ${humanize(retry.kind)}`;
  switch (retry.work.kind) {
    case "stock_sync":
      return `${prefix}: a stock sync to every channel is queued.`;
    case "reservation":
      return retry.resolved
        ? `${prefix}: reserved ${retry.work.reserved} more unit${retry.work.reserved === 1 ? "" : "s"}; the order is fully reserved and the exception is resolved.`
        : `${prefix}: reserved ${retry.work.reserved} more; ${retry.work.shortfall} still short.`;
    case "order_not_reservable":
      return `${prefix}: the order is ${humanize(retry.work.status).toLowerCase()}, so nothing was reserved.`;
    case "routing":
      return `${prefix}: the order is queued to be routed again.`;
    case "channel_write":
      return `${prefix}: the ${retry.work.operation === "cancel_order" ? "cancellation" : retry.work.operation === "sync_return" ? "return" : "fulfillment"} is queued to be sent to the channel again.`;
    case "delivery":
      return retry.work.requeued
        ? `${prefix}: the delivery is back in the inbox and will be processed again; a new exception appears if it still fails.`
        : `${prefix}: the delivery was already back in the inbox or processed.`;
    case "none":
      return `${prefix}: no automatic retry exists for this cause; resolve it once handled.`;
  }
}

export default function ExceptionsPage() {
  const { page, now } = useLoaderData<typeof loader>();
  const [searchParams, setSearchParams] = useSearchParams();
  const loading = useRouteLoading();
  const fetcher = useFetcher<typeof action>();
  const activeKind = searchParams.get("kind");
  const overdue = searchParams.get("overdue") === "1";
  const { selectedResources, allResourcesSelected, handleSelectionChange, clearSelection } = useIndexResourceState(page.rows);

  const filters = (kind: string | null, overdueOnly: boolean) => ({ ...(kind ? { kind } : {}), ...(overdueOnly ? { overdue: "1" } : {}) });
  const showKind = (kind: string | null) => setSearchParams(filters(kind, overdue));
  const bulk = (action: (typeof BULK_EXCEPTION_ACTIONS)[number]) => {
    fetcher.submit({ intent: "bulk", action, exceptionIds: selectedResources.join(",") }, { method: "post" });
    clearSelection();
  };
  const act = (intent: "retry" | "resolve", exceptionId: string) => fetcher.submit({ intent, exceptionId }, { method: "post" });

  return (
    <Page fullWidth title="Exceptions" subtitle="Orders and syncs that need a person, oldest first">
      <Layout>
        {fetcher.data ? (
          <Layout.Section>
            <Banner tone={fetcher.data.ok ? "success" : "critical"} title={fetcher.data.message} />
          </Layout.Section>
        ) : null}
        <Layout.Section>
          <Card>
            <BlockStack gap="200">
              <Text as="p">
                {page.total} open exception{page.total === 1 ? "" : "s"}
              </Text>
              <InlineStack gap="200">
                <Button pressed={overdue} onClick={() => setSearchParams(filters(activeKind, !overdue))}>
                  Past their SLA only
                </Button>
              </InlineStack>
              <ButtonGroup>
                <Button pressed={!activeKind} onClick={() => showKind(null)}>
                  All
                </Button>
                {page.countsByKind.map((row) => (
                  <Button key={row.kind} pressed={activeKind === row.kind} onClick={() => showKind(row.kind)}>
                    {`${humanize(row.kind)} (${row.count})`}
                  </Button>
                ))}
              </ButtonGroup>
            </BlockStack>
          </Card>
        </Layout.Section>
        <Layout.Section>
          <Card padding="0">
            <IndexTable
              resourceName={{ singular: "exception", plural: "exceptions" }}
              itemCount={page.rows.length}
              selectedItemsCount={allResourcesSelected ? "All" : selectedResources.length}
              onSelectionChange={handleSelectionChange}
              promotedBulkActions={[
                { content: "Retry", onAction: () => bulk("retry") },
                { content: "Resolve", onAction: () => bulk("resolve") },
                { content: "Cancel their orders", onAction: () => bulk("cancel_order") },
              ]}
              loading={loading || fetcher.state !== "idle"}
              emptyState={
                <EmptyState heading="Nothing needs attention" image={EMPTY_STATE_IMAGE}>
                  <p>Shortfalls, unknown SKUs, declined payments and sync failures appear here.</p>
                </EmptyState>
              }
              headings={[
                { title: "Cause" },
                { title: "Age / SLA" },
                { title: "Message" },
                { title: "Order" },
                { title: "Retries", alignment: "end" },
                { title: "Actions" },
              ]}
              pagination={{
                hasNext: page.nextCursor !== null,
                hasPrevious: Boolean(searchParams.get("after")),
                onNext: () => {
                  const params = new URLSearchParams(searchParams);
                  if (page.nextCursor) params.set("after", page.nextCursor);
                  setSearchParams(params);
                },
                // The queue pages forward only; "previous" returns to the oldest exceptions.
                onPrevious: () => showKind(activeKind),
              }}
            >
              {page.rows.map((exception, index) => (
                <IndexTable.Row id={exception.id} key={exception.id} position={index} selected={selectedResources.includes(exception.id)}>
                  <IndexTable.Cell>
                    <Badge tone="critical">{humanize(exception.kind)}</Badge>
                  </IndexTable.Cell>
                  <IndexTable.Cell>
                    <SlaCell kind={exception.kind} createdAt={exception.createdAt} now={now} />
                  </IndexTable.Cell>
                  <IndexTable.Cell>
                    <Text as="span" breakWord>
                      {exception.message}
                    </Text>
                  </IndexTable.Cell>
                  <IndexTable.Cell>
                    {exception.orderId ? (
                      <InlineStack gap="100" blockAlign="center">
                        <Link to={`/app/orders/${exception.orderId}`}>{exception.orderNumber}</Link>
                        {exception.orderStatus ? <OrderStatusBadge status={exception.orderStatus} /> : null}
                      </InlineStack>
                    ) : (
                      "—"
                    )}
                  </IndexTable.Cell>
                  <IndexTable.Cell>
                    <Text as="span" alignment="end" numeric>
                      {exception.retryCount}
                    </Text>
                  </IndexTable.Cell>
                  <IndexTable.Cell>
                    <ButtonGroup>
                      <Button size="slim" onClick={() => act("retry", exception.id)}>
                        Retry
                      </Button>
                      <Button size="slim" variant="primary" onClick={() => act("resolve", exception.id)}>
                        Resolve
                      </Button>
                    </ButtonGroup>
                  </IndexTable.Cell>
                </IndexTable.Row>
              ))}
            </IndexTable>
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}

/** Age against the cause's allowance: late ones in red, those in their last quarter in amber. */
function SlaCell({ kind, createdAt, now }: { kind: string; createdAt: string; now: string }) {
  const standing = slaStanding(kind, new Date(createdAt), new Date(now));
  const tone = standing.state === "breached" ? "critical" : standing.state === "due_soon" ? "warning" : undefined;
  return (
    <InlineStack gap="100" blockAlign="center" wrap={false}>
      <Text as="span">{formatAge(createdAt, now)}</Text>
      <Badge tone={tone}>{standing.state === "breached" ? `late (SLA ${standing.slaHours} h)` : `SLA ${standing.slaHours} h`}</Badge>
    </InlineStack>
  );
}

export function ErrorBoundary() {
  return <RouteErrorBanner context="Exceptions" />;
}
