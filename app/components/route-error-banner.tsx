import { isRouteErrorResponse, useRouteError } from "@remix-run/react";
import { Banner, BlockStack, Box, Text } from "@shopify/polaris";

/** What a failed loader or action tells the merchant; the stack stays in the server log. */
export function describeRouteError(error: unknown): { title: string; message: string } {
  if (isRouteErrorResponse(error)) {
    const data: unknown = error.data;
    const message =
      typeof data === "string"
        ? data
        : data && typeof data === "object" && "message" in data && typeof data.message === "string"
          ? data.message
          : error.statusText;
    return { title: error.status === 404 ? "Not found" : `Request failed (${error.status})`, message };
  }
  if (error instanceof Error) return { title: "Something went wrong", message: error.message };
  return { title: "Something went wrong", message: "An unknown error occurred." };
}

export function RouteErrorBanner({ context }: { context: string }) {
  const { title, message } = describeRouteError(useRouteError());
  return (
    <Box padding="400">
      <Banner title={`${context}: ${title}`} tone="critical">
        <BlockStack gap="200">
          <Text as="p">{message}</Text>
        </BlockStack>
      </Banner>
    </Box>
  );
}
