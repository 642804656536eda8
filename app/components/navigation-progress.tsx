import { Box, ProgressBar } from "@shopify/polaris";

/**
 * A thin bar while the next page's loader runs, so a click is acknowledged at once. It is
 * indeterminate in spirit: the loader's progress is unknown, so it shows a fixed fraction.
 */
export function NavigationProgress({ active }: { active: boolean }) {
  return (
    <Box minHeight="4px">
      {active ? <ProgressBar progress={70} size="small" tone="primary" animated ariaLabelledBy="navigation-progress" /> : null}
      <span id="navigation-progress" hidden>
        Loading page
      </span>
    </Box>
  );
}
