import { z } from "zod";
import { err, ok, type Result } from "../../core/shared/result.js";
import { unifiedOrderSchema, type FinancialStatus, type PostalAddress, type UnifiedOrder, type UnifiedOrderInput } from "../../core/orders/unified-order.js";
import { decimalToMinorUnits } from "../../core/shared/decimal-money.js";

/**
 * A WooCommerce order (REST v3 `orders/<id>` and the order.created / order.updated webhook
 * body, which is the same JSON) mapped into the unified order. The same order always maps to
 * the same unified order, whichever way it arrived, so redelivery and polling are idempotent.
 * Anything malformed is a typed failure with a readable reason, never an exception (rule 8).
 */

export type WooOrderMapFailureReason = "invalid_payload" | "invalid_amount" | "invalid_unified_order";
export type WooOrderMapResult = Result<UnifiedOrder, WooOrderMapFailureReason>;

const text = z.string().nullable().optional();
const amount = z.union([z.string(), z.number()]);
/** Woo's `*_gmt` dates carry no zone designator ("2017-03-22T19:28:08"): they are UTC. */
const gmtDate = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}/, "must be an ISO 8601 date");

const addressSchema = z.object({
  first_name: text,
  last_name: text,
  company: text,
  address_1: text,
  address_2: text,
  city: text,
  state: text,
  postcode: text,
  country: text,
  email: text,
  phone: text,
});

export const wooOrderSchema = z.object({
  id: z.number().int().positive(),
  number: z.union([z.string(), z.number()]).optional(),
  status: z.string().min(1),
  currency: z.string().length(3),
  date_created_gmt: gmtDate,
  date_modified_gmt: gmtDate,
  discount_total: amount.optional(),
  shipping_total: amount.optional(),
  total: amount,
  total_tax: amount.optional(),
  customer_id: z.number().int().nonnegative().optional(),
  customer_note: text,
  billing: addressSchema.nullable().optional(),
  shipping: addressSchema.nullable().optional(),
  line_items: z.array(
    z.object({
      id: z.number().int().positive(),
      name: z.string(),
      product_id: z.number().int().nonnegative(),
      variation_id: z.number().int().nonnegative().default(0),
      quantity: z.number().int(),
      subtotal: amount,
      total: amount,
      total_tax: amount.optional(),
      sku: text,
    }),
  ),
  shipping_lines: z
    .array(z.object({ id: z.number().int(), method_title: z.string(), method_id: text, total: amount }))
    .default([]),
});
export type WooOrderPayload = z.input<typeof wooOrderSchema>;

/** The Woo id of the listing a line sold: the variation when there is one, else the product. */
/** This is the line's `channelVariantRef`, and what the catalogue import stores as the listing's ref. */
export function wooListingIdOf(line: { product_id: number; variation_id?: number | null }): string {
  return String(line.variation_id && line.variation_id > 0 ? line.variation_id : line.product_id);
}

/** Woo's `*_gmt` strings are UTC without a designator; a designated one is read as is. */
export function parseWooGmtDate(value: string): Date {
  return new Date(/(Z|[+-]\d{2}:?\d{2})$/.test(value) ? value : `${value}Z`);
}

export function mapWooCommerceOrder(payload: unknown): WooOrderMapResult {
  const parsed = wooOrderSchema.safeParse(payload);
  if (!parsed.success) return err("invalid_payload", describeZodError("WooCommerce order", parsed.error));
  const o = parsed.data;
  const currency = o.currency.toUpperCase();
  const number = `#${String(o.number ?? o.id)}`;
  try {
    const money = (value: string | number, what: string): number => {
      const minor = decimalToMinorUnits(value, currency);
      if (!minor.ok) throw new MappingStop("invalid_amount", `order ${number}: ${what}: ${minor.detail ?? minor.reason}`);
      return minor.value;
    };
    const lines = o.line_items.map((line) => {
      const sku = line.sku?.trim();
      const subtotal = money(line.subtotal, `line "${line.name}" subtotal`);
      const total = money(line.total, `line "${line.name}" total`);
      return {
        externalLineId: String(line.id),
        // Woo does not require SKUs: the line is matched by its product/variation id first.
        ...(sku ? { sku } : {}),
        channelVariantRef: wooListingIdOf(line),
        title: line.name,
        quantity: line.quantity,
        // Woo gives the line's pre-discount subtotal; a unit price that does not divide evenly
        // is rounded, and the line's discount (subtotal - total) keeps the exact difference.
        unitPriceMinor: line.quantity > 0 ? Math.round(subtotal / line.quantity) : subtotal,
        discountMinor: Math.max(0, subtotal - total),
        taxMinor: line.total_tax !== undefined ? money(line.total_tax, "line tax") : 0,
      };
    });
    const shippingLines = o.shipping_lines.map((s) => ({
      title: s.method_title,
      ...(s.method_id ? { code: s.method_id } : {}),
      priceMinor: money(s.total, "shipping line total"),
    }));
    const shippingAddress = toAddress(o.shipping, o.billing?.phone);
    const billingAddress = toAddress(o.billing, o.billing?.phone);
    const email = validEmail(o.billing?.email);
    const customerName = joinName(o.billing?.first_name, o.billing?.last_name);
    const { financialStatus, cancelled } = wooStatus(o.status);
    const input: UnifiedOrderInput = {
      channel: "woocommerce",
      externalId: String(o.id),
      number,
      placedAt: parseWooGmtDate(o.date_created_gmt),
      sourceUpdatedAt: parseWooGmtDate(o.date_modified_gmt),
      currency,
      financialStatus,
      cancelled,
      customer: {
        ...(o.customer_id ? { externalId: String(o.customer_id) } : {}),
        ...(email ? { email } : {}),
        ...(customerName ? { name: customerName } : {}),
        ...(o.billing?.phone ? { phone: o.billing.phone } : {}),
      },
      ...(shippingAddress ? { shippingAddress } : {}),
      ...(billingAddress ? { billingAddress } : {}),
      lines,
      shippingLines,
      subtotalMinor: lines.reduce((sum, l) => sum + l.unitPriceMinor * l.quantity, 0),
      shippingMinor: o.shipping_total !== undefined ? money(o.shipping_total, "shipping total") : shippingLines.reduce((s, l) => s + l.priceMinor, 0),
      taxMinor: o.total_tax !== undefined ? money(o.total_tax, "tax total") : 0,
      discountMinor: o.discount_total !== undefined ? money(o.discount_total, "discount total") : 0,
      totalMinor: money(o.total, "total"),
      ...(o.customer_note?.trim() ? { note: o.customer_note.trim() } : {}),
    };
    const checked = unifiedOrderSchema.safeParse(input);
    if (!checked.success) return err("invalid_unified_order", describeZodError(`order ${number}`, checked.error));
    return ok(checked.data);
  } catch (error) {
    if (error instanceof MappingStop) return err(error.reason, error.message);
    throw error;
  }
}

/**
 * Woo's order statuses (docs-v3 "Order properties"): `processing` and `completed` are paid;
 * `on-hold` awaits a manual payment (bank transfer, cheque), so it must not ship yet.
 */
function wooStatus(status: string): { financialStatus: FinancialStatus; cancelled: boolean } {
  switch (status) {
    case "processing":
    case "completed":
      return { financialStatus: "paid", cancelled: false };
    case "refunded":
      return { financialStatus: "refunded", cancelled: false };
    case "failed":
      return { financialStatus: "declined", cancelled: false };
    case "cancelled":
    case "trash":
      return { financialStatus: "voided", cancelled: true };
    default:
      return { financialStatus: "pending", cancelled: false };
  }
}

class MappingStop extends Error {
  constructor(
    readonly reason: WooOrderMapFailureReason,
    message: string,
  ) {
    super(message);
  }
}

/**
 * An address without street, city or country cannot be shipped to (a virtual product's order
 * has none): it is left out rather than failing the order; the name falls back to the company.
 */
function toAddress(a: z.infer<typeof addressSchema> | null | undefined, phone: string | null | undefined): PostalAddress | undefined {
  if (!a) return undefined;
  const line1 = a.address_1?.trim();
  const city = a.city?.trim();
  const country = a.country?.trim();
  const name = joinName(a.first_name, a.last_name) ?? a.company?.trim();
  if (!line1 || !city || !country || country.length !== 2 || !name) return undefined;
  return {
    name,
    ...(a.company?.trim() ? { company: a.company.trim() } : {}),
    line1,
    ...(a.address_2?.trim() ? { line2: a.address_2.trim() } : {}),
    city,
    ...(a.state?.trim() ? { region: a.state.trim() } : {}),
    ...(a.postcode?.trim() ? { postalCode: a.postcode.trim() } : {}),
    countryCode: country,
    ...((a.phone ?? phone)?.trim() ? { phone: (a.phone ?? phone)!.trim() } : {}),
  };
}

function joinName(first: string | null | undefined, last: string | null | undefined): string | undefined {
  const name = [first, last].map((p) => p?.trim()).filter(Boolean).join(" ");
  return name || undefined;
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
