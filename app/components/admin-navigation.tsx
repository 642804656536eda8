import { Box, Button, ButtonGroup, InlineStack, Text } from "@shopify/polaris";

export interface AdminNavigationLink {
  label: string;
  to: string;
  /** The home link is exact-matched; others match their section. */
  exact?: boolean;
}

export const ADMIN_NAVIGATION_LINKS: readonly AdminNavigationLink[] = [
  { label: "Dashboard", to: "/app", exact: true },
  { label: "Orders", to: "/app/orders" },
  { label: "Inventory", to: "/app/inventory" },
  { label: "Locations", to: "/app/locations" },
  { label: "Pick lists", to: "/app/pick-lists" },
  { label: "Returns", to: "/app/returns" },
  { label: "Channels", to: "/app/channels" },
  { label: "Exceptions", to: "/app/exceptions" },
  { label: "Routing", to: "/app/routing" },
];

export function isActiveNavigationLink(link: AdminNavigationLink, pathname: string): boolean {
  if (link.exact) return pathname === link.to || pathname === `${link.to}/`;
  return pathname === link.to || pathname.startsWith(`${link.to}/`);
}

/**
 * In Shopify Admin the navigation lives in the admin's sidebar (App Bridge's ui-nav-menu);
 * outside it (demo mode) the same links are drawn on the page.
 */
export function StandaloneNavigation({ shopName, pathname }: { shopName: string; pathname: string }) {
  return (
    <Box background="bg-surface" padding="300" borderBlockEndWidth="025" borderColor="border">
      <InlineStack align="space-between" blockAlign="center" gap="400">
        <Text as="p" variant="headingMd">
          Switchyard · {shopName}
        </Text>
        <nav aria-label="Switchyard">
          <ButtonGroup variant="segmented">
            {ADMIN_NAVIGATION_LINKS.map((link) => (
              <Button key={link.to} url={link.to} pressed={isActiveNavigationLink(link, pathname)}>
                {link.label}
              </Button>
            ))}
          </ButtonGroup>
        </nav>
      </InlineStack>
    </Box>
  );
}
