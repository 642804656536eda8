import type { CarrierGateway } from "../../core/ports/carrier-gateway-port.js";
import { err, ok, type Err, type Ok } from "../../core/shared/result.js";
import { EasyPostCarrierGateway } from "./easypost-carrier-gateway.js";

/** A gateway for a stored carrier account (credentials already decrypted by the caller). */
export interface CarrierAccountForGateway {
  provider: string;
  credentials: { apiKey: string };
  settings: Record<string, unknown>;
}

export type CarrierGatewayFactory = (account: CarrierAccountForGateway) => Ok<CarrierGateway> | Err<"no_connector" | "misconfigured">;

export const carrierGatewayFor: CarrierGatewayFactory = (account) => {
  if (account.provider !== "easypost") return err("no_connector", `no label connector for ${account.provider}`);
  const baseUrl = account.settings.baseUrl;
  if (baseUrl !== undefined && (typeof baseUrl !== "string" || !/^https?:\/\//.test(baseUrl))) {
    return err("misconfigured", "settings.baseUrl must be an http(s) URL");
  }
  return ok(new EasyPostCarrierGateway({ apiKey: account.credentials.apiKey, ...(typeof baseUrl === "string" ? { baseUrl } : {}) }));
};
