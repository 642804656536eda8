import { AppProvider } from "@shopify/polaris";
import en from "@shopify/polaris/locales/en.json";
import { renderToString } from "react-dom/server";
import { createStaticHandler, createStaticRouter, StaticRouterProvider } from "react-router-dom/server";
import { describe, expect, it } from "vitest";
import type { OrderDetailShipment } from "../../db/queries/order-queries";
import { OrderShipmentsCard } from "../components/order-detail-sections";

async function render(shipments: OrderDetailShipment[]): Promise<string> {
  const routes = [{ path: "/", element: <AppProvider i18n={en}><OrderShipmentsCard shipments={shipments} channelName="Shopify" onAction={() => {}} /></AppProvider> }];
  const handler = createStaticHandler(routes);
  const context = await handler.query(new Request("http://localhost/"));
  if (context instanceof Response) throw new Error("unexpected redirect");
  return renderToString(<StaticRouterProvider router={createStaticRouter(handler.dataRoutes, context)} context={context} />);
}

const base: OrderDetailShipment = {
  id: "s1",
  locationName: "Columbus DC",
  status: "label_purchased",
  carrier: "USPS",
  service: "GroundAdvantage",
  trackingNumber: "9400111",
  trackingUrl: "http://127.0.0.1:3105/track/trk_1",
  createdAt: "2026-12-01T10:00:00.000Z",
  shippedAt: null,
  deliveredAt: null,
  channelConfirmedAt: null,
  channelError: null,
  labelUrl: "http://127.0.0.1:3105/labels/shp_1.pdf",
  rateMinor: 820,
  currency: "USD",
  trackingStatus: "pre_transit",
  labelError: null,
  rateExplanation: "USPS GroundAdvantage: cheapest of 4 services arriving within Standard (5 business days)",
};

describe("shipments on the order page", () => {
  it("shows the label, cost, why that rate, tracking and the label's buttons", async () => {
    const html = await render([base]);
    expect(html).toContain("Open label");
    expect(html).toContain('href="http://127.0.0.1:3105/labels/shp_1.pdf"');
    expect(html).toContain("$8.20");
    expect(html).toContain("cheapest of 4 services");
    expect(html).toContain("9400111");
    expect(html).toContain("pre transit");
    expect(html).toContain("Mark shipped");
    expect(html).toContain("Void label");
  });

  it("offers to buy again after a failure, and shows the channel confirmation once shipped", async () => {
    const failed = await render([{ ...base, status: "pending", labelUrl: null, carrier: null, service: null, trackingNumber: null, trackingUrl: null, rateMinor: null, trackingStatus: null, rateExplanation: null, labelError: "The carrier cannot deliver to this address: Address not found" }]);
    expect(failed).toContain("Buy label again");
    expect(failed).toContain("Address not found");
    expect(failed).not.toContain("Open label");
    const shipped = await render([{ ...base, status: "shipped", trackingStatus: "in_transit", shippedAt: "2026-12-01T12:00:00.000Z", channelConfirmedAt: "2026-12-01T12:00:05.000Z" }]);
    expect(shipped).toContain("Sent to Shopify");
    expect(shipped).not.toContain("Mark shipped");
  });
});
