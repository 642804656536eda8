/**
 * Controls the demo exposes to the admin (the "Simulate orders" button). The sandbox runs in
 * the same process as the app under `npm start`; the registry lives on globalThis because Vite
 * may load the admin's modules separately from the server's.
 */
export interface DemoControls {
  /** Sends this many signed orders/create webhooks from the Shopify sandbox; returns how many were accepted. */
  simulateShopifyOrders(count: number): Promise<number>;
  /**
   * Places orders in the WooCommerce sandbox (delivered here as signed webhooks; returns how
   * many were accepted) or the eBay sandbox (picked up by the next order poll; returns how many
   * were placed).
   */
  simulateMarketplaceOrders?(channel: "woocommerce" | "ebay", count: number): Promise<number>;
}

declare global {
   
  var __switchyardDemoControls: DemoControls | undefined;
}

export function registerDemoControls(controls: DemoControls | undefined): void {
  globalThis.__switchyardDemoControls = controls;
}

export function demoControls(): DemoControls | undefined {
  return globalThis.__switchyardDemoControls;
}
