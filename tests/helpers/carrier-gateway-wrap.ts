import { carrierGatewayFor, type CarrierGatewayFactory } from "../../connectors/easypost/easypost-account-gateway";
import type { CarrierGateway } from "../../core/ports/carrier-gateway-port";

/**
 * The EasyPost gateway with some of its calls replaced: how label tests stage crashes, lost
 * answers and races, and count buys. Every call `override` leaves out goes to the real gateway.
 */
export function wrapGateway(override: (real: CarrierGateway) => Partial<CarrierGateway>): CarrierGatewayFactory {
  return (account) => {
    const built = carrierGatewayFor(account);
    if (!built.ok) return built;
    const real = built.value;
    const wrapped: CarrierGateway = {
      verifyAddress: (a) => real.verifyAddress(a),
      rates: (r) => real.rates(r),
      buyLabel: (r) => real.buyLabel(r),
      findLabel: (id) => real.findLabel(id),
      refundLabel: (id) => real.refundLabel(id),
      createTracker: (r) => real.createTracker(r),
      ...override(real),
    };
    return { ok: true, value: wrapped };
  };
}

/** The EasyPost gateway with its purchases routed through `buy`. */
export function withBuy(buy: (real: CarrierGateway, request: Parameters<CarrierGateway["buyLabel"]>[0]) => ReturnType<CarrierGateway["buyLabel"]>): CarrierGatewayFactory {
  return wrapGateway((real) => ({ buyLabel: (request) => buy(real, request) }));
}
