import { redirect, type LoaderFunctionArgs } from "@remix-run/node";

/** Shopify opens the app at / with shop, host and embedded params: keep them for /app's auth. */
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const url = new URL(request.url);
  throw redirect(`/app${url.search}`);
};
