import { carrierGatewayFor, type CarrierGatewayFactory } from "../../connectors/easypost/easypost-account-gateway";
import type { CarrierGateway } from "../../core/ports/carrier-gateway-port";

/**
 * The EasyPost gateway with its purchases routed through `buy`: how label tests stage crashes,
 * lost answers and races, and count buys; every other call goes to the real gateway.
 */
export function withBuy(buy: (real: CarrierGateway, request: Parameters<CarrierGateway["buyLabel"]>[0]) => ReturnType<CarrierGateway["buyLabel"]>): CarrierGatewayFactory {
  return (account) => {
    const built = carrierGatewayFor(account);
    if (!built.ok) return built;
    const real = built.value;
    const wrapped: CarrierGateway = {
      verifyAddress: (a) => real.verifyAddress(a),
      rates: (r) => real.rates(r),
      buyLabel: (r) => buy(real, r),
      findLabel: (id) => real.findLabel(id),
      refundLabel: (id) => real.refundLabel(id),
      createTracker: (r) => real.createTracker(r),
    };
    return { ok: true, value: wrapped };
  };
}
