import type { HeadersFunction, LinksFunction, LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Link, Outlet, isRouteErrorResponse, useLoaderData, useLocation, useNavigation, useRouteError } from "@remix-run/react";
import { AppProvider as PolarisAppProvider } from "@shopify/polaris";
import polarisTranslations from "@shopify/polaris/locales/en.json";
import polarisStyles from "@shopify/polaris/build/esm/styles.css?url";
import { NavMenu } from "@shopify/app-bridge-react";
import { AppProvider } from "@shopify/shopify-app-remix/react";
import { boundary } from "@shopify/shopify-app-remix/server";
import { requireAdminContext } from "../auth/admin-context.server";
import { csrfCookieToIssue } from "../auth/admin-request-guard.server";
import "../auth/csrf-fetch.client";
import { ADMIN_NAVIGATION_LINKS, StandaloneNavigation } from "../components/admin-navigation";
import { DemoModeBanner } from "../components/demo-mode-banner";
import { NavigationProgress } from "../components/navigation-progress";
import { RouteErrorBanner } from "../components/route-error-banner";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: polarisStyles }];

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { shop, demo } = await requireAdminContext(request);
  // Demo mode has no login: its admin writes carry a CSRF token from this cookie (see the guard).
  const cookie = demo ? csrfCookieToIssue(request) : undefined;
  return json({ apiKey: process.env.SHOPIFY_API_KEY || "", demo, shopName: shop.name }, cookie ? { headers: { "Set-Cookie": cookie } } : undefined);
};

export default function AppLayout() {
  const { apiKey, demo, shopName } = useLoaderData<typeof loader>();
  const location = useLocation();
  const navigation = useNavigation();
  const navigating = navigation.state === "loading" && navigation.location?.pathname !== location.pathname;

  if (demo) {
    // No App Bridge outside Shopify Admin: no script tag, and navigation drawn on the page.
    return (
      <AppProvider isEmbeddedApp={false} apiKey={apiKey} i18n={polarisTranslations}>
        <StandaloneNavigation shopName={shopName} pathname={location.pathname} />
        <NavigationProgress active={navigating} />
        <DemoModeBanner />
        <Outlet />
      </AppProvider>
    );
  }

  return (
    <AppProvider isEmbeddedApp apiKey={apiKey} i18n={polarisTranslations}>
      <NavMenu>
        {ADMIN_NAVIGATION_LINKS.map((link) => (
          <Link key={link.to} to={link.to} rel={link.exact ? "home" : undefined}>
            {link.label}
          </Link>
        ))}
      </NavMenu>
      <NavigationProgress active={navigating} />
      <Outlet />
    </AppProvider>
  );
}

// Shopify's auth bounces arrive as thrown responses carrying an HTML/script body that
// boundary.error renders; anything else is ours and gets a Polaris banner.
export function ErrorBoundary() {
  const error = useRouteError();
  if (isRouteErrorResponse(error) && typeof error.data === "string") {
    return boundary.error(error);
  }
  return (
    <PolarisAppProvider i18n={polarisTranslations}>
      <RouteErrorBanner context="Switchyard admin" />
    </PolarisAppProvider>
  );
}

export const headers: HeadersFunction = (headersArgs) => boundary.headers(headersArgs);
