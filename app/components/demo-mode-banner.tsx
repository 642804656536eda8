import { Banner, Box } from "@shopify/polaris";

export const DEMO_BANNER_TITLE = "Demo mode — sandbox channels, no Shopify account";

export function DemoModeBanner() {
  return (
    <Box padding="300">
      <Banner title={DEMO_BANNER_TITLE} tone="info">
        <p>
          Orders and stock come from the seeded demo shop and the channel sandboxes. Set SHOPIFY_API_KEY to run
          the app embedded in a real store.
        </p>
      </Banner>
    </Box>
  );
}
