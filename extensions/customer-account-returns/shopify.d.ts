// The `shopify` global each target module receives (what Shopify CLI generates for the targets).
import "@shopify/ui-extensions";

//@ts-ignore
declare module "./src/ReturnAction.tsx" {
  const shopify: import("@shopify/ui-extensions/customer-account.order.action.render").Api;
  const globalThis: { shopify: typeof shopify };
}

//@ts-ignore
declare module "./src/ReturnMenuItem.tsx" {
  const shopify: import("@shopify/ui-extensions/customer-account.order.action.menu-item.render").Api;
  const globalThis: { shopify: typeof shopify };
}
