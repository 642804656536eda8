import { z } from "zod";
import { err, ok, type Result } from "../../core/shared/result.js";
import { unifiedOrderSchema, type FinancialStatus, type PostalAddress, type UnifiedOrder, type UnifiedOrderInput } from "../../core/orders/unified-order.js";
import { decimalToMinorUnits } from "../../core/shared/decimal-money.js";

/**
 * An eBay order (Fulfillment API `Order`, as getOrders and getOrder return it) mapped into the
 * unified order. Amounts are eBay `Amount` objects ({value: "19.99", currency}); they are
 * converted digit by digit into minor units of the order's currency. A malformed order is a
 * typed failure with a readable reason, never an exception (rule 8).
 */

export type EbayOrderMapFailureReason = "invalid_payload" | "invalid_amount" | "invalid_unified_order";
export type EbayOrderMapResult = Result<UnifiedOrder, EbayOrderMapFailureReason>;

const text = z.string().nullable().optional();
const amountSchema = z.object({ value: z.union([z.string(), z.number()]), currency: z.string().length(3) });

const addressSchema = z.object({
  addressLine1: text,
  addressLine2: text,
  city: text,
  stateOrProvince: text,
  postalCode: text,
  countryCode: text,
});
const contactSchema = z.object({
  fullName: text,
  companyName: text,
  contactAddress: addressSchema.nullable().optional(),
  primaryPhone: z.object({ phoneNumber: text }).nullable().optional(),
  email: text,
});

export const ebayOrderSchema = z.object({
  orderId: z.string().min(1),
  creationDate: z.iso.datetime({ offset: true }),
  lastModifiedDate: z.iso.datetime({ offset: true }),
  orderPaymentStatus: z.string().optional(),
  orderFulfillmentStatus: z.string().optional(),
  cancelStatus: z.object({ cancelState: z.string().optional() }).nullable().optional(),
  buyer: z.object({ username: text, buyerRegistrationAddress: contactSchema.nullable().optional() }).nullable().optional(),
  buyerCheckoutNotes: text,
  pricingSummary: z.object({
    priceSubtotal: amountSchema.optional(),
    priceDiscount: amountSchema.optional(),
    deliveryCost: amountSchema.optional(),
    deliveryDiscount: amountSchema.optional(),
    tax: amountSchema.optional(),
    total: amountSchema,
  }),
  fulfillmentStartInstructions: z
    .array(z.object({ shippingStep: z.object({ shipTo: contactSchema.nullable().optional(), shippingServiceCode: text }).nullable().optional() }))
    .default([]),
  lineItems: z.array(
    z.object({
      lineItemId: z.string().min(1),
      legacyItemId: text,
      legacyVariationId: text,
      sku: text,
      title: z.string(),
      quantity: z.number().int(),
      lineItemCost: amountSchema,
      taxes: z.array(z.object({ amount: amountSchema })).default([]),
      appliedPromotions: z.array(z.object({ discountAmount: amountSchema.nullable().optional() })).default([]),
    }),
  ),
});
export type EbayOrderPayload = z.input<typeof ebayOrderSchema>;

/**
 * eBay's id of the listing a line sold (the line's `channelVariantRef`, and what the catalogue
 * import stores as the listing's ref): its SKU when the seller set one, else item[:variation].
 */
export function ebayListingIdOf(line: { sku?: string | null; legacyItemId?: string | null; legacyVariationId?: string | null }): string | undefined {
  if (line.sku?.trim()) return line.sku.trim();
  if (!line.legacyItemId) return undefined;
  return line.legacyVariationId ? `${line.legacyItemId}:${line.legacyVariationId}` : line.legacyItemId;
}

export function mapEbayOrder(payload: unknown): EbayOrderMapResult {
  const parsed = ebayOrderSchema.safeParse(payload);
  if (!parsed.success) return err("invalid_payload", describeZodError("eBay order", parsed.error));
  const o = parsed.data;
  const currency = o.pricingSummary.total.currency.toUpperCase();
  try {
    const money = (amount: { value: string | number; currency: string } | null | undefined, what: string): number => {
      if (!amount) return 0;
      if (amount.currency.toUpperCase() !== currency) {
        throw new MappingStop("invalid_amount", `order ${o.orderId}: ${what} is in ${amount.currency}, the order in ${currency}`);
      }
      // Discounts arrive negative ("-5.00"); the unified order keeps their size.
      const minor = decimalToMinorUnits(String(amount.value).replace(/^-/, ""), currency);
      if (!minor.ok) throw new MappingStop("invalid_amount", `order ${o.orderId}: ${what}: ${minor.detail ?? minor.reason}`);
      return minor.value;
    };
    const lines = o.lineItems.map((line) => {
      const sku = line.sku?.trim();
      const ref = ebayListingIdOf(line);
      const cost = money(line.lineItemCost, `line "${line.title}" cost`);
      return {
        externalLineId: line.lineItemId,
        ...(sku ? { sku } : {}),
        ...(ref ? { channelVariantRef: ref } : {}),
        title: line.title,
        quantity: line.quantity,
        // lineItemCost is the line's price times quantity, before discounts.
        unitPriceMinor: line.quantity > 0 ? Math.round(cost / line.quantity) : cost,
        discountMinor: line.appliedPromotions.reduce((s, p) => s + money(p.discountAmount, "line promotion"), 0),
        taxMinor: line.taxes.reduce((s, t) => s + money(t.amount, "line tax"), 0),
      };
    });
    const step = o.fulfillmentStartInstructions[0]?.shippingStep;
    const shippingAddress = toAddress(step?.shipTo);
    const registration = o.buyer?.buyerRegistrationAddress;
    const email = validEmail(step?.shipTo?.email ?? registration?.email);
    const shippingMinor = money(o.pricingSummary.deliveryCost, "delivery cost") - money(o.pricingSummary.deliveryDiscount, "delivery discount");
    const financialStatus = paymentStatus(o.orderPaymentStatus);
    const input: UnifiedOrderInput = {
      channel: "ebay",
      externalId: o.orderId,
      number: o.orderId,
      placedAt: new Date(o.creationDate),
      sourceUpdatedAt: new Date(o.lastModifiedDate),
      currency,
      financialStatus,
      cancelled: o.cancelStatus?.cancelState === "CANCELED",
      customer: {
        ...(o.buyer?.username ? { externalId: o.buyer.username } : {}),
        ...(email ? { email } : {}),
        ...(registration?.fullName ?? step?.shipTo?.fullName ? { name: (registration?.fullName ?? step?.shipTo?.fullName)! } : {}),
        ...(step?.shipTo?.primaryPhone?.phoneNumber ? { phone: step.shipTo.primaryPhone.phoneNumber } : {}),
      },
      ...(shippingAddress ? { shippingAddress } : {}),
      lines,
      shippingLines: step?.shippingServiceCode || shippingMinor > 0 ? [{ title: step?.shippingServiceCode ?? "Shipping", ...(step?.shippingServiceCode ? { code: step.shippingServiceCode } : {}), priceMinor: Math.max(0, shippingMinor) }] : [],
      subtotalMinor: o.pricingSummary.priceSubtotal ? money(o.pricingSummary.priceSubtotal, "subtotal") : lines.reduce((s, l) => s + l.unitPriceMinor * l.quantity, 0),
      shippingMinor: Math.max(0, shippingMinor),
      taxMinor: money(o.pricingSummary.tax, "tax"),
      discountMinor: money(o.pricingSummary.priceDiscount, "discount"),
      totalMinor: money(o.pricingSummary.total, "total"),
      ...(o.buyerCheckoutNotes?.trim() ? { note: o.buyerCheckoutNotes.trim() } : {}),
    };
    const checked = unifiedOrderSchema.safeParse(input);
    if (!checked.success) return err("invalid_unified_order", describeZodError(`order ${o.orderId}`, checked.error));
    return ok(checked.data);
  } catch (error) {
    if (error instanceof MappingStop) return err(error.reason, error.message);
    throw error;
  }
}

/** OrderPaymentStatusEnum: PAID, PENDING, FAILED, FULLY_REFUNDED, PARTIALLY_REFUNDED. */
function paymentStatus(status: string | undefined): FinancialStatus {
  switch (status) {
    case "PAID":
      return "paid";
    case "FAILED":
      return "declined";
    case "FULLY_REFUNDED":
      return "refunded";
    case "PARTIALLY_REFUNDED":
      return "partially_refunded";
    default:
      return "pending";
  }
}

class MappingStop extends Error {
  constructor(
    readonly reason: EbayOrderMapFailureReason,
    message: string,
  ) {
    super(message);
  }
}

/** An address without street, city, country or name is left out rather than failing the order. */
function toAddress(contact: z.infer<typeof contactSchema> | null | undefined): PostalAddress | undefined {
  const a = contact?.contactAddress;
  const line1 = a?.addressLine1?.trim();
  const city = a?.city?.trim();
  const country = a?.countryCode?.trim();
  const name = contact?.fullName?.trim() || contact?.companyName?.trim();
  if (!a || !line1 || !city || !country || country.length !== 2 || !name) return undefined;
  return {
    name,
    ...(contact?.companyName?.trim() ? { company: contact.companyName.trim() } : {}),
    line1,
    ...(a.addressLine2?.trim() ? { line2: a.addressLine2.trim() } : {}),
    city,
    ...(a.stateOrProvince?.trim() ? { region: a.stateOrProvince.trim() } : {}),
    ...(a.postalCode?.trim() ? { postalCode: a.postalCode.trim() } : {}),
    countryCode: country,
    ...(contact?.primaryPhone?.phoneNumber?.trim() ? { phone: contact.primaryPhone.phoneNumber.trim() } : {}),
  };
}

const emailCheck = z.email();
function validEmail(email: string | null | undefined): string | undefined {
  const trimmed = email?.trim();
  return trimmed && emailCheck.safeParse(trimmed).success ? trimmed : undefined;
}

function describeZodError(what: string, error: z.ZodError): string {
  const issues = error.issues.slice(0, 5).map((i) => `${i.path.length ? i.path.join(".") : "(root)"}: ${i.message}`);
  const more = error.issues.length > 5 ? ` (+${error.issues.length - 5} more)` : "";
  return `${what} is invalid: ${issues.join("; ")}${more}`;
}
