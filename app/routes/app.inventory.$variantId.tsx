import { json, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { useActionData, useLoaderData, useLocation, useNavigation } from "@remix-run/react";
import { Badge, Banner, BlockStack, Layout, Page } from "@shopify/polaris";
import { z } from "zod";
import { getVariantInventory, isStockKeyOfShop } from "../../db/queries/inventory-queries";
import { adjustInventory, type AdjustmentRefusal } from "../../db/repositories/inventory-repository";
import { listLineMappings } from "../../db/repositories/line-mapping-repository";
import { applyIdentityAction } from "../orders/line-mapping-actions.server";
import { VariantIdentitiesCard } from "../components/variant-identities-card";
import { requireAdminContext } from "../auth/admin-context.server";
import {
  AdjustmentFormCard,
  ChannelAvailabilityCard,
  LocationStockCard,
  MovementHistoryCard,
  type AdjustmentFormErrors,
} from "../components/inventory-variant-sections";
import { PageSkeleton } from "../components/page-loading";
import { RouteErrorBanner } from "../components/route-error-banner";
import { getDatabase } from "../db.server";
import { useRouteLoading } from "../hooks/use-route-loading";
import { adjustmentFieldErrors, adjustmentFormSchema } from "../params/adjustment-params";
import { parseOrThrow, searchParamsToObject } from "../params/search-params";

const variantParamsSchema = z.object({ variantId: z.guid("not a variant id") });
const movementParamsSchema = z.object({ before: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER, "not a movement page").optional() });

export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { shop } = await requireAdminContext(request);
  const { variantId } = parseOrThrow(variantParamsSchema, params, "variant id");
  const { before } = parseOrThrow(movementParamsSchema, searchParamsToObject(new URL(request.url).searchParams), "movement page");
  const inventory = await getVariantInventory(getDatabase(), shop.id, variantId, { movementsBefore: before });
  if (!inventory) throw json({ message: "This SKU does not exist in this shop." }, { status: 404 });
  const identities = await listLineMappings(getDatabase(), shop.id, variantId);
  return json({ ...inventory, identities, showingOlder: before !== undefined });
};

const REFUSAL_MESSAGES: Record<AdjustmentRefusal, string> = {
  invalid_quantity: "The quantity must be a whole number, and on hand cannot exceed 2,147,483,647 units.",
  adjust_below_reserved: "On hand cannot go below the units already reserved for orders at this location.",
  insufficient_on_hand: "There are not that many units on hand to remove.",
  no_change: "On hand is already at that figure; nothing to record.",
  unknown_level: "This SKU has no stock record at that location.",
};

export const action = async ({ request, params }: ActionFunctionArgs) => {
  const { shop, actor } = await requireAdminContext(request);
  const { variantId } = parseOrThrow(variantParamsSchema, params, "variant id");
  const formData = Object.fromEntries(await request.formData());
  if (formData.intent === "add_identity" || formData.intent === "remove_identity") {
    const identity = await applyIdentityAction(getDatabase(), { shopId: shop.id, variantId, actor, form: formData });
    return json({ ...identity.outcome, identity: true as const }, { status: identity.status });
  }
  const parsed = adjustmentFormSchema.safeParse(formData);
  if (!parsed.success) {
    return json({ ok: false as const, errors: adjustmentFieldErrors(parsed.error) as AdjustmentFormErrors }, { status: 400 });
  }
  const form = parsed.data;
  const db = getDatabase();
  if (!(await isStockKeyOfShop(db, shop.id, variantId, form.locationId))) {
    return json({ ok: false as const, errors: { locationId: "Choose one of this shop's locations" } as AdjustmentFormErrors }, { status: 400 });
  }
  const result = await adjustInventory(db, {
    shopId: shop.id,
    variantId,
    locationId: form.locationId,
    actor,
    reason: form.reason,
    ...(form.mode === "delta" ? { delta: form.quantity } : { setOnHand: form.quantity }),
  });
  if (!result.ok) {
    return json({ ok: false as const, errors: { form: REFUSAL_MESSAGES[result.reason] } as AdjustmentFormErrors }, { status: 409 });
  }
  return json({ ok: true as const, onHand: result.value.onHand, reserved: result.value.reserved, at: Date.now() });
};

export default function VariantInventoryPage() {
  const { variant, stock, movements, nextMovementCursor, showingOlder, identities } = useLoaderData<typeof loader>();
  const posted = useActionData<typeof action>();
  // Identity changes post through the card's own fetcher; the page's action data is the adjustment's.
  const actionData = posted && "identity" in posted ? undefined : posted;
  const navigation = useNavigation();
  const location = useLocation();
  const loading = useRouteLoading({ pathPrefix: "/app/inventory/" });
  if (loading && navigation.formMethod === undefined) return <PageSkeleton title={variant.sku} />;

  return (
    <Page
      backAction={{ content: "Inventory", url: "/app/inventory" }}
      title={variant.sku}
      titleMetadata={stock.isKit ? <Badge>Kit</Badge> : undefined}
      subtitle={`${variant.productTitle} · ${variant.title}${variant.barcode ? ` · barcode ${variant.barcode}` : ""}`}
    >
      <Layout>
        {actionData?.ok ? (
          <Layout.Section>
            <Banner tone="success" title="Adjustment recorded">
              <p>
                On hand is now {actionData.onHand} ({actionData.reserved} reserved) at that location. Channels are
                updated by the next stock sync.
              </p>
            </Banner>
          </Layout.Section>
        ) : null}
        <Layout.Section>
          <BlockStack gap="400">
            <LocationStockCard locations={stock.locations} />
            <ChannelAvailabilityCard channels={stock.channels} />
            <VariantIdentitiesCard identities={identities} />
          </BlockStack>
        </Layout.Section>
        <Layout.Section variant="oneThird">
          <AdjustmentFormCard
            locations={stock.locations}
            errors={actionData && !actionData.ok ? actionData.errors : {}}
            submitting={navigation.state === "submitting"}
            succeeded={actionData?.ok ? actionData.at : 0}
          />
        </Layout.Section>
        <Layout.Section>
          <MovementHistoryCard
            movements={movements}
            olderUrl={nextMovementCursor ? `${location.pathname}?before=${nextMovementCursor}` : null}
            newestUrl={showingOlder ? location.pathname : null}
          />
        </Layout.Section>
      </Layout>
    </Page>
  );
}

export function ErrorBoundary() {
  return <RouteErrorBanner context="Inventory" />;
}
