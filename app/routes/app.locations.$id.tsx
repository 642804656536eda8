import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { Page } from "@shopify/polaris";
import { getLocation, type LocationRecord } from "../../db/queries/location-queries";
import { saveLocationSettings } from "../../db/repositories/location-settings-repository";
import { requireAdminContext } from "../auth/admin-context.server";
import { EMPTY_LOCATION_FORM, LocationFormCard, type LocationFormValues } from "../components/location-form";
import { PageSkeleton } from "../components/page-loading";
import { RouteErrorBanner } from "../components/route-error-banner";
import { getDatabase } from "../db.server";
import { useRouteLoading } from "../hooks/use-route-loading";
import { locationFieldErrors, locationFormSchema, locationIdParamSchema, type LocationFieldErrors } from "../params/location-params";
import { parseOrThrow } from "../params/search-params";

function toFormValues(location: LocationRecord): LocationFormValues {
  return {
    name: location.name,
    kind: location.kind,
    address1: location.address1,
    address2: location.address2 ?? "",
    city: location.city,
    region: location.region ?? "",
    postalCode: location.postalCode ?? "",
    countryCode: location.countryCode,
    latitude: location.latitude === null ? "" : String(location.latitude),
    longitude: location.longitude === null ? "" : String(location.longitude),
    canShip: location.canShip,
    canPickup: location.canPickup,
    canCurbside: location.canCurbside,
    dailyCapacity: location.dailyCapacity === null ? "" : String(location.dailyCapacity),
    priority: String(location.priority),
    active: location.active,
  };
}

export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { shop } = await requireAdminContext(request);
  const { id } = parseOrThrow(locationIdParamSchema, params, "location id");
  if (id === "new") return json({ id: null, form: EMPTY_LOCATION_FORM });
  const location = await getLocation(getDatabase(), shop.id, id);
  if (!location) throw json({ message: "This location does not exist in this shop." }, { status: 404 });
  return json({ id: location.id, form: toFormValues(location) });
};

export const action = async ({ request, params }: ActionFunctionArgs) => {
  const { shop } = await requireAdminContext(request);
  const { id } = parseOrThrow(locationIdParamSchema, params, "location id");
  const parsed = locationFormSchema.safeParse(Object.fromEntries(await request.formData()));
  if (!parsed.success) return json({ errors: locationFieldErrors(parsed.error) }, { status: 400 });
  const result = await saveLocationSettings(getDatabase(), {
    shopId: shop.id,
    ...(id === "new" ? {} : { locationId: id }),
    settings: parsed.data,
  });
  if (!result.ok) {
    const errors: LocationFieldErrors =
      result.reason === "name_taken"
        ? { name: "Another location already has this name" }
        : { form: "This location no longer exists." };
    return json({ errors }, { status: result.reason === "name_taken" ? 409 : 404 });
  }
  return redirect("/app/locations");
};

export default function LocationEditPage() {
  const { id, form } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const navigation = useNavigation();
  const loading = useRouteLoading({ pathPrefix: "/app/locations/" });
  const title = id ? form.name : "New location";
  if (loading && navigation.formMethod === undefined) return <PageSkeleton title={title} />;
  return (
    <Page backAction={{ content: "Locations", url: "/app/locations" }} title={title}>
      <LocationFormCard
        key={id ?? "new"}
        initial={form}
        errors={actionData?.errors ?? {}}
        submitting={navigation.state === "submitting"}
        submitLabel={id ? "Save location" : "Create location"}
      />
    </Page>
  );
}

export function ErrorBoundary() {
  return <RouteErrorBanner context="Location" />;
}
