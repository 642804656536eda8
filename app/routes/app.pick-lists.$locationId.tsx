import { randomBytes } from "node:crypto";
import { json, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { useFetcher, useLoaderData } from "@remix-run/react";
import { Banner, BlockStack, Button, Card, DataTable, InlineStack, Layout, Page, Text, TextField } from "@shopify/polaris";
import { useState } from "react";
import { z } from "zod";
import { defaultPolicies } from "../../core/config/default-policies";
import { credentialCipher } from "../../db/crypto/encryption-key";
import { createPickWave, listPickWaves, readyToPickCount } from "../../db/repositories/pick-wave-repository";
import { createWmsEndpoint, deactivateWmsEndpoint, listWmsEndpoints } from "../../db/repositories/wms-repository";
import { locations } from "../../db/schema";
import { requireAdminContext } from "../auth/admin-context.server";
import { formatDateTime, humanize } from "../components/format";
import { RouteErrorBanner } from "../components/route-error-banner";
import { getDatabase } from "../db.server";
import { and, eq } from "drizzle-orm";

const paramsSchema = z.object({ locationId: z.guid("not a location id") });

export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { shop } = await requireAdminContext(request);
  const parsed = paramsSchema.safeParse(params);
  if (!parsed.success) throw json({ message: "Not a location." }, { status: 404 });
  const db = getDatabase();
  const [location] = await db.select({ id: locations.id, name: locations.name }).from(locations).where(and(eq(locations.shopId, shop.id), eq(locations.id, parsed.data.locationId)));
  if (!location) throw json({ message: "This location does not exist in this shop." }, { status: 404 });
  const [ready, waves, endpoints] = await Promise.all([
    readyToPickCount(db, shop.id, location.id),
    listPickWaves(db, shop.id, location.id),
    listWmsEndpoints(db, shop.id, location.id),
  ]);
  return json({
    location,
    ready,
    waveSize: defaultPolicies.shipping.pickWaveSize,
    waves: waves.map((w) => ({ ...w, createdAt: w.createdAt.toISOString() })),
    endpoints: endpoints.filter((e) => e.active).map((e) => ({ ...e, createdAt: e.createdAt.toISOString() })),
  });
};

const actionSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("create_wave") }),
  z.object({ intent: z.literal("add_wms_endpoint"), url: z.url("Enter the endpoint's full URL").refine((u) => /^https?:\/\//.test(u), "Use an http or https URL") }),
  z.object({ intent: z.literal("remove_wms_endpoint"), endpointId: z.guid() }),
]);

type ActionData = { ok: true; message: string; secret?: string } | { ok: false; reason: string; fieldError?: string };

export const action = async ({ request, params }: ActionFunctionArgs) => {
  const { shop, actor } = await requireAdminContext(request);
  const parsedParams = paramsSchema.safeParse(params);
  if (!parsedParams.success) return json<ActionData>({ ok: false, reason: "location_not_found" }, { status: 404 });
  const parsed = actionSchema.safeParse(Object.fromEntries(await request.formData()));
  if (!parsed.success) {
    return json<ActionData>({ ok: false, reason: "invalid_input", fieldError: parsed.error.issues[0]?.message }, { status: 400 });
  }
  const db = getDatabase();
  const locationId = parsedParams.data.locationId;
  switch (parsed.data.intent) {
    case "create_wave": {
      const wave = await createPickWave(db, { shopId: shop.id, locationId, actor, maxShipments: defaultPolicies.shipping.pickWaveSize });
      return wave.ok
        ? json<ActionData>({ ok: true, message: `Wave ${wave.value.number}: ${wave.value.shipmentCount} shipment(s)` })
        : json<ActionData>({ ok: false, reason: wave.reason }, { status: 409 });
    }
    case "add_wms_endpoint": {
      // Shown once; only its ciphertext is kept (rule 10).
      const secret = randomBytes(24).toString("base64url");
      await createWmsEndpoint(db, credentialCipher(), { shopId: shop.id, locationId, url: parsed.data.url, secret });
      return json<ActionData>({ ok: true, message: "WMS endpoint added. Copy its signing secret now: it is not shown again.", secret });
    }
    case "remove_wms_endpoint": {
      const removed = await deactivateWmsEndpoint(db, shop.id, parsed.data.endpointId);
      return removed ? json<ActionData>({ ok: true, message: "WMS endpoint removed" }) : json<ActionData>({ ok: false, reason: "endpoint_not_found" }, { status: 404 });
    }
  }
};

/** One location's pick waves (printable as PDF) and the WMS endpoints told about shipments to pick. */
export default function LocationPickListsPage() {
  const { location, ready, waveSize, waves, endpoints } = useLoaderData<typeof loader>();
  const fetcher = useFetcher<typeof action>();
  const [url, setUrl] = useState("");
  const busy = fetcher.state !== "idle";
  const result = fetcher.data;
  return (
    <Page
      backAction={{ content: "Pick lists", url: "/app/pick-lists" }}
      title={`Pick lists · ${location.name}`}
      subtitle={`${ready} shipment${ready === 1 ? "" : "s"} with labels waiting to be picked`}
      primaryAction={{ content: `Create wave (up to ${waveSize})`, disabled: ready === 0, loading: busy, onAction: () => fetcher.submit({ intent: "create_wave" }, { method: "post" }) }}
    >
      <Layout>
        {result ? (
          <Layout.Section>
            {result.ok ? (
              <Banner tone="success" title={result.message}>
                {result.secret ? (
                  <p>
                    Signing secret: <code>{result.secret}</code>
                  </p>
                ) : null}
              </Banner>
            ) : (
              <Banner tone="critical" title="Nothing was changed">
                <p>{result.fieldError ?? humanize(result.reason)}</p>
              </Banner>
            )}
          </Layout.Section>
        ) : null}
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">
                Waves
              </Text>
              {waves.length === 0 ? (
                <Text as="p" tone="subdued">
                  No wave yet. Buy labels on orders shipping from here, then create a wave.
                </Text>
              ) : (
                <DataTable
                  columnContentTypes={["text", "numeric", "numeric", "text", "text"]}
                  headings={["Wave", "Shipments", "Shipped", "Created", "Pick list"]}
                  rows={waves.map((wave) => [
                    `Wave ${wave.number}`,
                    wave.shipmentCount,
                    wave.shippedCount,
                    `${formatDateTime(wave.createdAt)} · ${wave.createdBy}`,
                    <a key={wave.id} href={`/app/pick-waves/${wave.id}.pdf`} target="_blank" rel="noreferrer">
                      Print PDF
                    </a>,
                  ])}
                />
              )}
            </BlockStack>
          </Card>
        </Layout.Section>
        <Layout.Section variant="oneThird">
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">
                WMS hand-off
              </Text>
              <Text as="p" tone="subdued">
                Each shipment ready to pick is POSTed as JSON, signed with X-Switchyard-Signature: sha256=HMAC of the body, and retried with backoff until the endpoint answers 2xx.
              </Text>
              {endpoints.map((endpoint) => (
                <InlineStack key={endpoint.id} align="space-between" blockAlign="center" gap="200">
                  <Text as="span" breakWord>
                    {endpoint.url}
                    {endpoint.locationId ? "" : " (all locations)"}
                  </Text>
                  <Button variant="plain" tone="critical" onClick={() => fetcher.submit({ intent: "remove_wms_endpoint", endpointId: endpoint.id }, { method: "post" })}>
                    Remove
                  </Button>
                </InlineStack>
              ))}
              <TextField label="Endpoint URL" value={url} onChange={setUrl} autoComplete="off" placeholder="https://wms.example.com/switchyard" />
              <Button onClick={() => fetcher.submit({ intent: "add_wms_endpoint", url }, { method: "post" })} disabled={!url.trim()} loading={busy}>
                Add endpoint
              </Button>
            </BlockStack>
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}

export function ErrorBoundary() {
  return <RouteErrorBanner context="Pick lists" />;
}
