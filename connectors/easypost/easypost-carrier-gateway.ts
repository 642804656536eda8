import type { z } from "zod";
import type {
  AddressVerification,
  BuyLabelRequest,
  CarrierCallResult,
  CarrierGateway,
  PurchasedLabel,
  RateQuote,
  RateRequest,
  RefundRequestOutcome,
  TrackerInfo,
} from "../../core/ports/carrier-gateway-port.js";
import type { PostalAddress } from "../../core/orders/unified-order.js";
import { ok } from "../../core/shared/result.js";
import { createEasyPostSdk, type EasyPostConnection, type EasyPostSdk } from "./easypost-client.js";
import { toCarrierFailure } from "./easypost-failures.js";
import { fromEasyPostAddress, toEasyPostAddress, toEasyPostParcel, toPurchasedLabel, toRateQuote, toTrackerInfo } from "./easypost-mappers.js";
import { easyPostAddressSchema, easyPostShipmentSchema, easyPostTrackerSchema } from "./easypost-schemas.js";

/**
 * CarrierGateway over EasyPost's official SDK. Every answer is parsed before it is used; an
 * answer that does not parse is the provider breaking its contract, reported as `rejected`
 * with the reason rather than thrown.
 */
export class EasyPostCarrierGateway implements CarrierGateway {
  private readonly sdk: EasyPostSdk;

  constructor(connection: EasyPostConnection | { sdk: EasyPostSdk }) {
    this.sdk = "sdk" in connection ? connection.sdk : createEasyPostSdk(connection);
  }

  async verifyAddress(address: PostalAddress): Promise<CarrierCallResult<AddressVerification>> {
    return this.call<typeof easyPostAddressSchema, AddressVerification>(
      () => this.sdk.Address.create({ ...toEasyPostAddress(address), verify: true } as never),
      easyPostAddressSchema,
      (parsed) => {
        const delivery = parsed.verifications.delivery;
        if (!delivery) return ok({ verified: false, problems: ["the provider did not verify delivery to this address"] });
        if (!delivery.success) return ok({ verified: false, problems: delivery.errors.map((e) => e.message) });
        return ok({ verified: true, corrected: fromEasyPostAddress(parsed, address), problems: [] });
      },
    );
  }

  async rates(request: RateRequest): Promise<CarrierCallResult<readonly RateQuote[]>> {
    return this.call(
      () =>
        this.sdk.Shipment.create({
          from_address: toEasyPostAddress(request.from),
          to_address: toEasyPostAddress(request.to),
          parcel: toEasyPostParcel(request.parcel),
          reference: request.reference,
          ...(request.isReturn ? { is_return: true } : {}),
        } as never),
      easyPostShipmentSchema,
      (shipment) => {
        const quotes: RateQuote[] = [];
        for (const rate of shipment.rates) {
          const quote = toRateQuote(rate, shipment.id);
          if (!quote.ok) return { ok: false, reason: "rejected", detail: quote.detail };
          quotes.push(quote.value);
        }
        return ok(quotes);
      },
    );
  }

  async buyLabel(request: BuyLabelRequest): Promise<CarrierCallResult<PurchasedLabel>> {
    return this.call(
      () => this.sdk.Shipment.buy(request.providerShipmentId, request.rateId),
      easyPostShipmentSchema,
      (shipment) => {
        const label = toPurchasedLabel(shipment);
        if (!label.ok) return { ok: false, reason: "rejected", detail: label.detail };
        if (!label.value) return { ok: false, reason: "rejected", detail: `buying ${shipment.id} returned no label` };
        return ok(label.value);
      },
    );
  }

  async findLabel(providerShipmentId: string): Promise<CarrierCallResult<PurchasedLabel | null>> {
    return this.call(
      () => this.sdk.Shipment.retrieve(providerShipmentId),
      easyPostShipmentSchema,
      (shipment) => {
        const label = toPurchasedLabel(shipment);
        return label.ok ? ok(label.value) : { ok: false, reason: "rejected", detail: label.detail };
      },
    );
  }

  async refundLabel(providerShipmentId: string): Promise<CarrierCallResult<RefundRequestOutcome>> {
    return this.call(
      () => this.sdk.Shipment.refund(providerShipmentId),
      easyPostShipmentSchema,
      (shipment) => {
        const status = shipment.refund_status;
        if (status === "submitted" || status === "refunded" || status === "rejected" || status === "not_applicable") return ok({ status });
        return { ok: false, reason: "rejected", detail: `refund of ${shipment.id} answered refund_status ${String(status)}` };
      },
    );
  }

  async createTracker(request: { trackingNumber: string; carrier: string }): Promise<CarrierCallResult<TrackerInfo>> {
    return this.call(
      () => this.sdk.Tracker.create({ tracking_code: request.trackingNumber, carrier: request.carrier } as never),
      easyPostTrackerSchema,
      (tracker) => ok(toTrackerInfo(tracker)),
    );
  }

  private async call<S extends z.ZodType, T>(
    send: () => Promise<unknown>,
    schema: S,
    map: (parsed: z.output<S>) => CarrierCallResult<T>,
  ): Promise<CarrierCallResult<T>> {
    let answer: unknown;
    try {
      answer = await send();
    } catch (error) {
      return toCarrierFailure(error);
    }
    // The SDK wraps answers in model classes; their own enumerable fields are EasyPost's JSON.
    const parsed = schema.safeParse(JSON.parse(JSON.stringify(answer)));
    if (!parsed.success) {
      const issues = parsed.error.issues.slice(0, 3).map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`);
      return { ok: false, reason: "rejected", detail: `unexpected EasyPost answer: ${issues.join("; ")}` };
    }
    return map(parsed.data);
  }
}
