import { z } from "zod";
import { err, ok, type Result } from "../../core/shared/result.js";
import {
  unifiedOrderSchema,
  type FinancialStatus,
  type PostalAddress,
  type RiskLevel,
  type UnifiedOrder,
  type UnifiedOrderInput,
} from "../../core/orders/unified-order.js";
import { decimalToMinorUnits } from "../../core/shared/decimal-money.js";
import { shopifyNumericId } from "./shopify-numeric-id.js";

/**
 * Shopify delivers the same order in two shapes: the GraphQL `Order` node (import, polling)
 * and the REST-style JSON of the orders/create and orders/updated webhooks. Both are mapped
 * here, into one unified order, with the same external id (the Order GID) so a webhook and a
 * later import of the same order land on the same row. Channel data is validated before it is
 * touched; anything malformed comes back as a typed failure with a readable reason, because a
 * bad payload from outside is an expected event, not a bug (rule 8).
 */

export type ShopifyOrderMapFailureReason =
  | "invalid_payload"
  | "invalid_amount"
  | "invalid_unified_order";

export type ShopifyOrderMapResult = Result<UnifiedOrder, ShopifyOrderMapFailureReason>;

// ---------- shared input pieces ----------

const nullableString = z.string().nullable().optional();
const decimalString = z.union([z.string(), z.number()]);
/**
 * REST ids are JSON numbers, and Shopify's documented samples already exceed 2^53, where
 * `JSON.parse` silently changes the last digits. The GID strings (`admin_graphql_api_id`) are
 * exact, so they are preferred and a numeric id is only trusted when it is a safe integer
 * (exactGid, variantGid): an unsafe one is accepted here and dealt with there.
 */
const numericId = shopifyNumericId;
const gidOf = (type: string) => z.string().regex(new RegExp(`^gid://shopify/${type}/\\d+$`), `must be a ${type} GID`);
const coordinate = z.number().nullable().optional();

const moneyV2Schema = z.object({ amount: decimalString, currencyCode: z.string() });
const moneyBagSchema = z.object({ shopMoney: moneyV2Schema });

// ---------- GraphQL Order node (the shape ORDERS_QUERY selects) ----------

const graphqlAddressSchema = z.object({
  name: nullableString,
  firstName: nullableString,
  lastName: nullableString,
  company: nullableString,
  address1: nullableString,
  address2: nullableString,
  city: nullableString,
  provinceCode: nullableString,
  zip: nullableString,
  countryCodeV2: nullableString,
  phone: nullableString,
  latitude: coordinate,
  longitude: coordinate,
});

export const shopifyGraphqlOrderSchema = z.object({
  id: z.string().regex(/^gid:\/\/shopify\/Order\/\d+$/, "must be an Order GID"),
  name: z.string().min(1),
  createdAt: z.iso.datetime({ offset: true }),
  updatedAt: z.iso.datetime({ offset: true }),
  cancelledAt: z.iso.datetime({ offset: true }).nullable().optional(),
  currencyCode: z.string().length(3),
  displayFinancialStatus: z
    .enum(["PENDING", "AUTHORIZED", "PARTIALLY_PAID", "PARTIALLY_REFUNDED", "VOIDED", "PAID", "REFUNDED", "EXPIRED"])
    .nullable()
    .optional(),
  email: nullableString,
  phone: nullableString,
  note: nullableString,
  tags: z.array(z.string()).default([]),
  customer: z
    .object({
      id: z.string(),
      displayName: nullableString,
      defaultEmailAddress: z.object({ emailAddress: z.string() }).nullable().optional(),
      defaultPhoneNumber: z.object({ phoneNumber: z.string() }).nullable().optional(),
    })
    .nullable()
    .optional(),
  shippingAddress: graphqlAddressSchema.nullable().optional(),
  billingAddress: graphqlAddressSchema.nullable().optional(),
  lineItems: z.object({
    pageInfo: z.object({ hasNextPage: z.boolean(), endCursor: z.string().nullable().optional() }).optional(),
    nodes: z.array(
      z.object({
        id: z.string().min(1),
        sku: nullableString,
        title: z.string(),
        quantity: z.number().int().nonnegative(),
        // Optional so older stored payloads still map; documents since 2026-12 select them.
        currentQuantity: z.number().int().nonnegative().optional(),
        unfulfilledQuantity: z.number().int().nonnegative().optional(),
        requiresShipping: z.boolean().optional(),
        isGiftCard: z.boolean().optional(),
        variant: z.object({ id: gidOf("ProductVariant") }).nullable().optional(),
        originalUnitPriceSet: moneyBagSchema,
        discountAllocations: z.array(z.object({ allocatedAmountSet: moneyBagSchema })).default([]),
        taxLines: z.array(z.object({ priceSet: moneyBagSchema })).default([]),
      }),
    ),
  }),
  // A factory: zod 4 returns a default as a shallow copy, so `nodes` would be one array shared by every order.
  shippingLines: z
    .object({
      nodes: z.array(z.object({ title: z.string(), code: nullableString, originalPriceSet: moneyBagSchema })),
    })
    .default(() => ({ nodes: [] })),
  subtotalPriceSet: moneyBagSchema.nullable().optional(),
  totalShippingPriceSet: moneyBagSchema.nullable().optional(),
  totalTaxSet: moneyBagSchema.nullable().optional(),
  totalDiscountsSet: moneyBagSchema.nullable().optional(),
  totalPriceSet: moneyBagSchema,
  risk: z
    .object({
      assessments: z.array(
        z.object({
          riskLevel: z.enum(["HIGH", "MEDIUM", "LOW", "NONE", "PENDING"]),
          facts: z.array(z.object({ description: z.string(), sentiment: z.string() })).default([]),
        }),
      ),
    })
    .nullable()
    .optional(),
});
export type ShopifyGraphqlOrder = z.input<typeof shopifyGraphqlOrderSchema>;

// ---------- orders/create | orders/updated webhook payload (snake_case REST JSON) ----------

const webhookAddressSchema = z.object({
  name: nullableString,
  first_name: nullableString,
  last_name: nullableString,
  company: nullableString,
  address1: nullableString,
  address2: nullableString,
  city: nullableString,
  province_code: nullableString,
  zip: nullableString,
  country_code: nullableString,
  phone: nullableString,
  latitude: coordinate,
  longitude: coordinate,
});

const webhookMoneySetSchema = z.object({ shop_money: z.object({ amount: decimalString, currency_code: z.string() }) });

export const shopifyOrderWebhookSchema = z.object({
  id: numericId,
  admin_graphql_api_id: gidOf("Order").optional(),
  name: z.string().min(1),
  created_at: z.iso.datetime({ offset: true }),
  updated_at: z.iso.datetime({ offset: true }),
  cancelled_at: z.iso.datetime({ offset: true }).nullable().optional(),
  currency: z.string().length(3),
  financial_status: z
    .enum(["pending", "authorized", "partially_paid", "paid", "partially_refunded", "refunded", "voided", "expired"])
    .nullable()
    .optional(),
  email: nullableString,
  contact_email: nullableString,
  phone: nullableString,
  note: nullableString,
  tags: z.string().nullable().optional(),
  customer: z
    .object({
      id: numericId,
      admin_graphql_api_id: gidOf("Customer").optional(),
      email: nullableString,
      first_name: nullableString,
      last_name: nullableString,
      phone: nullableString,
    })
    .nullable()
    .optional(),
  shipping_address: webhookAddressSchema.nullable().optional(),
  billing_address: webhookAddressSchema.nullable().optional(),
  line_items: z.array(
    z.object({
      id: numericId,
      admin_graphql_api_id: gidOf("LineItem").optional(),
      sku: nullableString,
      title: z.string(),
      quantity: z.number().int().nonnegative(),
      current_quantity: z.number().int().nonnegative().optional(),
      fulfillable_quantity: z.number().int().nonnegative().nullable().optional(),
      requires_shipping: z.boolean().nullable().optional(),
      gift_card: z.boolean().nullable().optional(),
      variant_id: numericId.nullable().optional(),
      price: decimalString,
      total_discount: decimalString.optional(),
      discount_allocations: z.array(z.object({ amount: decimalString })).default([]),
      tax_lines: z.array(z.object({ price: decimalString })).default([]),
    }),
  ),
  shipping_lines: z
    .array(z.object({ title: z.string(), code: nullableString, price: decimalString }))
    .default([]),
  subtotal_price: decimalString,
  total_tax: decimalString.optional(),
  total_discounts: decimalString.optional(),
  total_price: decimalString,
  total_shipping_price_set: webhookMoneySetSchema.optional(),
});
export type ShopifyOrderWebhookPayload = z.input<typeof shopifyOrderWebhookSchema>;

// ---------- public API ----------

export function mapShopifyGraphqlOrder(node: unknown): ShopifyOrderMapResult {
  const parsed = shopifyGraphqlOrderSchema.safeParse(node);
  if (!parsed.success) return err("invalid_payload", describeZodError("GraphQL order", parsed.error));
  const o = parsed.data;
  const currency = o.currencyCode.toUpperCase();
  const money = moneyReader(currency);

  if (o.lineItems.pageInfo?.hasNextPage) {
    // A partial order would reserve too little stock; the connector completes the lines first.
    return err("invalid_payload", `order ${o.name} has more line items than were fetched`);
  }

  try {
    const lines = o.lineItems.nodes.map((line) => {
      const variantRef = line.variant?.id;
      const quantity = line.currentQuantity ?? line.quantity;
      return {
        externalLineId: line.id,
        ...lineIdentity(line.sku, variantRef),
        carriesStock: carriesStock({ giftCard: line.isGiftCard, requiresShipping: line.requiresShipping, noVariant: line.variant === null }),
        title: line.title,
        quantity,
        fulfilledQuantity: line.unfulfilledQuantity === undefined ? 0 : Math.max(0, quantity - line.unfulfilledQuantity),
        unitPriceMinor: money(line.originalUnitPriceSet.shopMoney.amount, `line "${line.title}" price`),
        discountMinor: sumMinor(line.discountAllocations.map((d) => money(d.allocatedAmountSet.shopMoney.amount, "line discount"))),
        taxMinor: sumMinor(line.taxLines.map((t) => money(t.priceSet.shopMoney.amount, "line tax"))),
      };
    });
    const shippingLines = o.shippingLines.nodes.map((s) => ({
      title: s.title,
      ...(s.code ? { code: s.code } : {}),
      priceMinor: money(s.originalPriceSet.shopMoney.amount, "shipping line price"),
    }));
    const email = validEmail(o.customer?.defaultEmailAddress?.emailAddress ?? o.email);
    const phone = o.customer?.defaultPhoneNumber?.phoneNumber ?? o.phone ?? undefined;
    const shippingAddress = graphqlAddress(o.shippingAddress);
    const billingAddress = completeOnly(graphqlAddress(o.billingAddress));
    const risk = riskFromAssessments(o.risk?.assessments ?? []);

    const input: UnifiedOrderInput = {
      channel: "shopify",
      externalId: o.id,
      number: o.name,
      placedAt: new Date(o.createdAt),
      sourceUpdatedAt: new Date(o.updatedAt),
      currency,
      financialStatus: graphqlFinancialStatus(o.displayFinancialStatus),
      cancelled: Boolean(o.cancelledAt),
      customer: {
        ...(o.customer ? { externalId: o.customer.id } : {}),
        ...(email ? { email } : {}),
        ...(o.customer?.displayName ? { name: o.customer.displayName } : {}),
        ...(phone ? { phone } : {}),
      },
      ...(shippingAddress ? { shippingAddress } : {}),
      ...(billingAddress ? { billingAddress } : {}),
      lines,
      shippingLines,
      subtotalMinor: o.subtotalPriceSet ? money(o.subtotalPriceSet.shopMoney.amount, "subtotal") : 0,
      shippingMinor: o.totalShippingPriceSet
        ? money(o.totalShippingPriceSet.shopMoney.amount, "shipping total")
        : sumMinor(shippingLines.map((s) => s.priceMinor)),
      taxMinor: o.totalTaxSet ? money(o.totalTaxSet.shopMoney.amount, "tax total") : 0,
      discountMinor: o.totalDiscountsSet ? money(o.totalDiscountsSet.shopMoney.amount, "discount total") : 0,
      totalMinor: money(o.totalPriceSet.shopMoney.amount, "total"),
      ...(risk ? { risk } : {}),
      tags: sortedTags(o.tags),
      ...(o.note ? { note: o.note } : {}),
    };
    return finish(input);
  } catch (error) {
    if (error instanceof MappingStop) return err(error.reason, error.message);
    throw error;
  }
}

export function mapShopifyOrderWebhook(payload: unknown): ShopifyOrderMapResult {
  const parsed = shopifyOrderWebhookSchema.safeParse(payload);
  if (!parsed.success) return err("invalid_payload", describeZodError("orders webhook payload", parsed.error));
  const o = parsed.data;
  const currency = o.currency.toUpperCase();
  const money = moneyReader(currency);

  try {
    const lines = o.line_items.map((line) => {
      const allocated = line.discount_allocations.map((d) => money(d.amount, "line discount"));
      const variantRef = variantGid(line.variant_id);
      // current_quantity excludes units removed by edits; older payloads only have quantity.
      const quantity = line.current_quantity ?? line.quantity;
      const fulfillable = line.fulfillable_quantity ?? null;
      return {
        externalLineId: line.admin_graphql_api_id ?? exactGid("LineItem", line.id),
        ...lineIdentity(line.sku, variantRef),
        carriesStock: carriesStock({ giftCard: line.gift_card, requiresShipping: line.requires_shipping, noVariant: line.variant_id === null }),
        title: line.title,
        quantity,
        fulfilledQuantity: fulfillable === null ? 0 : Math.max(0, quantity - fulfillable),
        unitPriceMinor: money(line.price, `line "${line.title}" price`),
        // discount_allocations is the per-line truth; total_discount is the legacy field.
        discountMinor:
          allocated.length > 0 ? sumMinor(allocated) : line.total_discount !== undefined ? money(line.total_discount, "line discount") : 0,
        taxMinor: sumMinor(line.tax_lines.map((t) => money(t.price, "line tax"))),
      };
    });
    const shippingLines = o.shipping_lines.map((s) => ({
      title: s.title,
      ...(s.code ? { code: s.code } : {}),
      priceMinor: money(s.price, "shipping line price"),
    }));
    const email = validEmail(o.customer?.email ?? o.email ?? o.contact_email);
    const phone = o.customer?.phone ?? o.phone ?? undefined;
    const customerName = joinName(o.customer?.first_name, o.customer?.last_name);
    const shippingAddress = webhookAddress(o.shipping_address);
    const billingAddress = completeOnly(webhookAddress(o.billing_address));

    const input: UnifiedOrderInput = {
      channel: "shopify",
      // The GID, not the numeric id: the GraphQL import path only ever sees GIDs.
      externalId: o.admin_graphql_api_id ?? exactGid("Order", o.id),
      number: o.name,
      placedAt: new Date(o.created_at),
      sourceUpdatedAt: new Date(o.updated_at),
      currency,
      financialStatus: webhookFinancialStatus(o.financial_status),
      cancelled: Boolean(o.cancelled_at),
      customer: {
        ...(o.customer ? { externalId: o.customer.admin_graphql_api_id ?? exactGid("Customer", o.customer.id) } : {}),
        ...(email ? { email } : {}),
        ...(customerName ? { name: customerName } : {}),
        ...(phone ? { phone } : {}),
      },
      ...(shippingAddress ? { shippingAddress } : {}),
      ...(billingAddress ? { billingAddress } : {}),
      lines,
      shippingLines,
      subtotalMinor: money(o.subtotal_price, "subtotal"),
      shippingMinor: o.total_shipping_price_set
        ? money(o.total_shipping_price_set.shop_money.amount, "shipping total")
        : sumMinor(shippingLines.map((s) => s.priceMinor)),
      taxMinor: o.total_tax !== undefined ? money(o.total_tax, "tax total") : 0,
      discountMinor: o.total_discounts !== undefined ? money(o.total_discounts, "discount total") : 0,
      totalMinor: money(o.total_price, "total"),
      tags: splitTags(o.tags),
      ...(o.note ? { note: o.note } : {}),
    };
    return finish(input);
  } catch (error) {
    if (error instanceof MappingStop) return err(error.reason, error.message);
    throw error;
  }
}

// ---------- helpers ----------

/** Internal early exit from deep inside a map callback; always converted to a value above. */
class MappingStop extends Error {
  constructor(
    readonly reason: ShopifyOrderMapFailureReason,
    message: string,
  ) {
    super(message);
  }
}

function exactGid(type: string, id: number | string): string {
  if (typeof id === "number" && !Number.isSafeInteger(id)) {
    throw new MappingStop(
      "invalid_payload",
      `${type} id ${id} is beyond 2^53 and lost precision in JSON; the payload needs admin_graphql_api_id`,
    );
  }
  return `gid://shopify/${type}/${id}`;
}

/**
 * A variant id rounded by JSON.parse would match the wrong variant, so it is left out and the
 * line is matched by SKU (or kept unmatched) instead of failing the whole order.
 */
function variantGid(id: number | string | null | undefined): string | undefined {
  if (id === null || id === undefined) return undefined;
  if (typeof id === "number" && !Number.isSafeInteger(id)) return undefined;
  return `gid://shopify/ProductVariant/${id}`;
}

function finish(input: UnifiedOrderInput): ShopifyOrderMapResult {
  const checked = unifiedOrderSchema.safeParse(input);
  if (!checked.success) return err("invalid_unified_order", describeZodError(`order ${input.number}`, checked.error));
  return ok(checked.data);
}

function moneyReader(currency: string) {
  return (amount: string | number, what: string): number => {
    const minor = decimalToMinorUnits(amount, currency);
    if (!minor.ok) throw new MappingStop("invalid_amount", `${what}: ${minor.detail ?? minor.reason}`);
    return minor.value;
  };
}

function sumMinor(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

/**
 * What identifies the sold thing: the ProductVariant GID (what the catalogue import stores as
 * the listing's external_variant_ref) and the SKU when there is one. Shopify does not require
 * SKUs, so "" is common and is not an error: the variant GID matches the line instead.
 */
function lineIdentity(sku: string | null | undefined, variantRef: string | undefined): { sku?: string; channelVariantRef?: string } {
  const trimmed = sku?.trim();
  return { ...(trimmed ? { sku: trimmed } : {}), ...(variantRef ? { channelVariantRef: variantRef } : {}) };
}

/**
 * Gift cards and lines that need no shipping hold no stock, and a custom item (draft orders)
 * has no variant to hold stock of: they are kept on the order but never reserved.
 */
function carriesStock(line: { giftCard?: boolean | null | undefined; requiresShipping?: boolean | null | undefined; noVariant: boolean }): boolean {
  if (line.giftCard === true) return false;
  if (line.requiresShipping === false) return false;
  // null (not absent) is Shopify saying "no variant": a custom item, or one deleted since.
  return !line.noVariant;
}

function describeZodError(what: string, error: z.ZodError): string {
  const issues = error.issues.slice(0, 5).map((i) => `${i.path.length ? i.path.join(".") : "(root)"}: ${i.message}`);
  const more = error.issues.length > 5 ? ` (+${error.issues.length - 5} more)` : "";
  return `${what} is invalid: ${issues.join("; ")}${more}`;
}

const emailCheck = z.email();
/**
 * A malformed customer e-mail must not cost the merchant the order: it is dropped (the order is
 * still fulfillable) rather than failing the whole mapping.
 */
function validEmail(email: string | null | undefined): string | undefined {
  const trimmed = email?.trim();
  return trimmed && emailCheck.safeParse(trimmed).success ? trimmed : undefined;
}

function joinName(first: string | null | undefined, last: string | null | undefined): string | undefined {
  const name = [first, last].map((p) => p?.trim()).filter(Boolean).join(" ");
  return name || undefined;
}

/** Webhooks send tags as one comma string, GraphQL as a list; sorted so both paths agree. */
function splitTags(tags: string | null | undefined): string[] {
  return sortedTags((tags ?? "").split(","));
}

function sortedTags(tags: readonly string[]): string[] {
  return [...new Set(tags.map((t) => t.trim()).filter((t) => t.length > 0))].sort();
}

interface AddressParts {
  name?: string | null | undefined;
  firstName?: string | null | undefined;
  lastName?: string | null | undefined;
  company?: string | null | undefined;
  address1?: string | null | undefined;
  address2?: string | null | undefined;
  city?: string | null | undefined;
  provinceCode?: string | null | undefined;
  zip?: string | null | undefined;
  countryCode?: string | null | undefined;
  phone?: string | null | undefined;
  latitude?: number | null | undefined;
  longitude?: number | null | undefined;
}

/**
 * An address with no street or country cannot be shipped to or routed by distance, so it is
 * left out (a digital order has none); the unified schema then decides whether that is fine.
 */
function toPostalAddress(a: AddressParts | null | undefined): PostalAddress | undefined {
  if (!a) return undefined;
  const line1 = a.address1?.trim();
  const city = a.city?.trim();
  const countryCode = a.countryCode?.trim();
  if (!line1 || !city || !countryCode) return undefined;
  const name = a.name?.trim() || joinName(a.firstName, a.lastName) || a.company?.trim() || "";
  return {
    name,
    ...(a.company ? { company: a.company } : {}),
    line1,
    ...(a.address2 ? { line2: a.address2 } : {}),
    city,
    ...(a.provinceCode ? { region: stripCountryPrefix(a.provinceCode, countryCode) } : {}),
    ...(a.zip ? { postalCode: a.zip } : {}),
    countryCode,
    ...(a.phone ? { phone: a.phone } : {}),
    ...(typeof a.latitude === "number" && typeof a.longitude === "number"
      ? { latitude: a.latitude, longitude: a.longitude }
      : {}),
  };
}

/**
 * Billing addresses are informational (nothing ships there) and some gateways send them
 * without a name; such a one is dropped instead of failing an otherwise good order.
 */
function completeOnly(address: PostalAddress | undefined): PostalAddress | undefined {
  return address && address.name.length > 0 ? address : undefined;
}

/** Shopify sends "KY" for the US but "JP-13" for Japan; the unified region has no prefix. */
function stripCountryPrefix(provinceCode: string, countryCode: string): string {
  const prefix = `${countryCode.toUpperCase()}-`;
  return provinceCode.toUpperCase().startsWith(prefix) ? provinceCode.slice(prefix.length) : provinceCode;
}

function graphqlAddress(a: z.infer<typeof graphqlAddressSchema> | null | undefined): PostalAddress | undefined {
  if (!a) return undefined;
  return toPostalAddress({ ...a, countryCode: a.countryCodeV2 });
}

function webhookAddress(a: z.infer<typeof webhookAddressSchema> | null | undefined): PostalAddress | undefined {
  if (!a) return undefined;
  return toPostalAddress({
    name: a.name,
    firstName: a.first_name,
    lastName: a.last_name,
    company: a.company,
    address1: a.address1,
    address2: a.address2,
    city: a.city,
    provinceCode: a.province_code,
    zip: a.zip,
    countryCode: a.country_code,
    phone: a.phone,
    latitude: a.latitude,
    longitude: a.longitude,
  });
}

/**
 * An expired authorization can no longer be captured, which for fulfillment is the same as a
 * voided one; a missing status (Shopify omits it on some draft-converted orders) is "pending"
 * so the order waits for payment instead of shipping.
 */
function graphqlFinancialStatus(status: string | null | undefined): FinancialStatus {
  return webhookFinancialStatus(status?.toLowerCase() ?? null);
}

function webhookFinancialStatus(status: string | null | undefined): FinancialStatus {
  switch (status) {
    case "authorized":
    case "paid":
    case "partially_paid":
    case "partially_refunded":
    case "refunded":
    case "voided":
    case "pending":
      return status;
    case "expired":
      return "voided";
    default:
      return "pending";
  }
}

const RISK_RANK: Record<RiskLevel, number> = { low: 0, medium: 1, high: 2 };

/**
 * The highest finished assessment wins (one provider saying HIGH is enough to hold an order);
 * PENDING assessments say nothing yet, and NONE counts as low. Negative facts are the reasons.
 */
function riskFromAssessments(
  assessments: readonly { riskLevel: string; facts: readonly { description: string; sentiment: string }[] }[],
): { level: RiskLevel; reasons: string[] } | undefined {
  let level: RiskLevel | undefined;
  const reasons = new Set<string>();
  for (const a of assessments) {
    if (a.riskLevel === "PENDING") continue;
    const this_: RiskLevel = a.riskLevel === "HIGH" ? "high" : a.riskLevel === "MEDIUM" ? "medium" : "low";
    if (level === undefined || RISK_RANK[this_] > RISK_RANK[level]) level = this_;
    for (const f of a.facts) if (f.sentiment === "NEGATIVE") reasons.add(f.description);
  }
  return level ? { level, reasons: [...reasons].slice(0, 50) } : undefined;
}
