import { useLocation, useNavigation } from "@remix-run/react";

/**
 * True while this page is reloading its own data: a navigation to the same path (filters,
 * pagination) or, with `samePathOnly` off, to a sibling under `pathPrefix` (another order).
 */
export function useRouteLoading(options: { pathPrefix?: string } = {}): boolean {
  const navigation = useNavigation();
  const location = useLocation();
  if (navigation.state !== "loading" || !navigation.location) return false;
  const target = navigation.location.pathname;
  if (target === location.pathname) return true;
  return options.pathPrefix !== undefined && target.startsWith(options.pathPrefix) && target !== options.pathPrefix;
}
