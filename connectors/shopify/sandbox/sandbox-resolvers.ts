import { randomUUID } from "node:crypto";
import { GraphQLError, valueFromASTUntyped, type GraphQLResolveInfo } from "graphql";
import { minorUnitsToDecimal } from "../decimal-money.js";
import { compare, parseSearchQuery, type SearchTerm } from "./search-query.js";
import {
  findLevel,
  gid,
  legacyIdOf,
  takeId,
  type SandboxFulfillment,
  type SandboxFulfillmentOrder,
  type SandboxInventoryItem,
  type SandboxInventoryLevel,
  type SandboxLineItem,
  type SandboxLocation,
  type SandboxOrder,
  type SandboxProduct,
  type SandboxState,
  type SandboxVariant,
} from "./sandbox-state.js";

/**
 * Root values for graphql-js `execute`: each GraphQL field is either a plain property or a
 * function `(args, context, info)` that graphql-js's default resolver calls. Views are built
 * lazily from state on every read, so a mutation is visible to the next query without any
 * cache to invalidate.
 */

export interface SandboxContext {
  state: SandboxState;
  now: () => number;
  /** Public base URL of the sandbox, for bulk-operation result links. */
  baseUrl: string;
  /** Bulk queries have no page sizes: connections return everything. */
  bulk: boolean;
  /** Runs a bulk query over the same state; injected by the server to avoid a module cycle. */
  runBulkQuery: (query: string) => { ok: true; jsonl: string; objectCount: number; rootObjectCount: number } | { ok: false; message: string };
}

type Args = Record<string, unknown>;
const MAX_PAGE = 250;

// ---------- shared view helpers ----------

function iso(ctx: SandboxContext): string {
  return new Date(ctx.now()).toISOString();
}

function moneyV2(minor: number, currency: string) {
  return { amount: minorUnitsToDecimal(minor, currency), currencyCode: currency };
}

function moneyBag(minor: number, currency: string) {
  return { shopMoney: moneyV2(minor, currency), presentmentMoney: moneyV2(minor, currency) };
}

function encodeCursor(id: string): string {
  return Buffer.from(JSON.stringify({ last_id: legacyIdOf(id) || id })).toString("base64");
}

function decodeCursor(cursor: string): string | number {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, "base64").toString("utf8")) as { last_id?: string | number };
    if (parsed.last_id === undefined) throw new Error("no last_id");
    return parsed.last_id;
  } catch {
    throw new GraphQLError(`Invalid cursor for current pagination sort.`, { extensions: { code: "BAD_REQUEST" } });
  }
}

/**
 * Relay pagination with Shopify's rules: one of first/last is required (except in bulk
 * queries), at most 250 per page, cursors opaque and stable.
 */
function connection<T extends { id: string }, V>(items: readonly T[], args: Args, ctx: SandboxContext, view: (item: T) => V) {
  const first = typeof args.first === "number" ? args.first : null;
  const last = typeof args.last === "number" ? args.last : null;
  if (!ctx.bulk) {
    if (first === null && last === null) {
      throw new GraphQLError("you must provide one of first or last", { extensions: { code: "BAD_REQUEST" } });
    }
    if ((first ?? 0) > MAX_PAGE || (last ?? 0) > MAX_PAGE) {
      throw new GraphQLError(`The ${first !== null ? "first" : "last"} argument must be less than or equal to ${MAX_PAGE}`, {
        extensions: { code: "BAD_REQUEST" },
      });
    }
  }
  let list = args.reverse === true ? [...items].reverse() : [...items];
  const matchId = (item: T, cursor: string | number) => legacyIdOf(item.id) === cursor || item.id === cursor;
  if (typeof args.after === "string") {
    const target = decodeCursor(args.after);
    const at = list.findIndex((i) => matchId(i, target));
    list = at >= 0 ? list.slice(at + 1) : [];
  }
  if (typeof args.before === "string") {
    const target = decodeCursor(args.before);
    const at = list.findIndex((i) => matchId(i, target));
    list = at >= 0 ? list.slice(0, at) : list;
  }
  const total = list.length;
  let page = list;
  if (first !== null) page = list.slice(0, first);
  else if (last !== null) page = list.slice(Math.max(0, list.length - last));
  const hasNextPage = first !== null ? total > page.length : false;
  const hasPreviousPage = last !== null ? total > page.length : typeof args.after === "string";
  const nodes = page.map(view);
  return {
    edges: page.map((item, i) => ({ cursor: encodeCursor(item.id), node: nodes[i] })),
    nodes,
    pageInfo: {
      hasNextPage,
      hasPreviousPage,
      startCursor: page[0] ? encodeCursor(page[0].id) : null,
      endCursor: page.length > 0 ? encodeCursor(page[page.length - 1]!.id) : null,
    },
  };
}

function count(n: number) {
  return { count: n, precision: "EXACT" };
}

function matchesAll(terms: readonly SearchTerm[], fieldValue: (field: string) => string | number | undefined): boolean {
  return terms.every((term) => {
    const value = fieldValue(term.field);
    return value === undefined ? true : compare(value, term);
  });
}

// ---------- views ----------

function locationView(loc: SandboxLocation, ctx: SandboxContext): Record<string, unknown> {
  const { state } = ctx;
  return {
    __typename: "Location",
    id: loc.id,
    legacyResourceId: String(loc.legacyId),
    name: loc.name,
    isActive: loc.isActive,
    activatable: !loc.isActive,
    deactivatable: loc.isActive,
    deletable: false,
    fulfillsOnlineOrders: loc.fulfillsOnlineOrders,
    shipsInventory: loc.shipsInventory,
    hasActiveInventory: true,
    hasUnfulfilledOrders: state.fulfillmentOrders.some((fo) => fo.locationId === loc.id && fo.status !== "CLOSED" && fo.status !== "CANCELLED"),
    isFulfillmentService: false,
    addressVerified: true,
    createdAt: loc.createdAt,
    updatedAt: loc.updatedAt,
    address: {
      ...loc.address,
      formatted: [loc.address.address1, `${loc.address.city} ${loc.address.provinceCode} ${loc.address.zip}`, loc.address.country],
    },
    inventoryLevels: (args: Args) =>
      connection(state.inventoryLevels.filter((l) => l.locationId === loc.id), args, ctx, (l) => levelView(l, ctx)),
    inventoryLevel: (args: Args) => {
      const level = findLevel(state, String(args.inventoryItemId), loc.id);
      return level ? levelView(level, ctx) : null;
    },
  };
}

function productView(p: SandboxProduct, ctx: SandboxContext): Record<string, unknown> {
  const variants = () => ctx.state.variants.filter((v) => v.productId === p.id).sort((a, b) => a.position - b.position);
  return {
    __typename: "Product",
    id: p.id,
    legacyResourceId: String(p.legacyId),
    title: p.title,
    handle: p.title.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, ""),
    status: p.status,
    createdAt: p.createdAt,
    updatedAt: p.updatedAt,
    tags: [],
    vendor: "Switchyard Sandbox",
    productType: "",
    tracksInventory: true,
    hasOnlyDefaultVariant: variants().length === 1,
    totalInventory: variants().reduce((sum, v) => sum + availableEverywhere(ctx.state, v.inventoryItemId), 0),
    variants: (args: Args) => connection(variants(), args, ctx, (v) => variantView(v, ctx)),
    variantsCount: count(variants().length),
  };
}

function availableEverywhere(state: SandboxState, inventoryItemId: string): number {
  return state.inventoryLevels.filter((l) => l.inventoryItemId === inventoryItemId).reduce((s, l) => s + l.available, 0);
}

function variantView(v: SandboxVariant, ctx: SandboxContext): Record<string, unknown> {
  const { state } = ctx;
  const product = state.products.find((p) => p.id === v.productId)!;
  return {
    __typename: "ProductVariant",
    id: v.id,
    legacyResourceId: String(v.legacyId),
    sku: v.sku,
    title: v.title,
    displayName: `${product.title} - ${v.title}`,
    price: minorUnitsToDecimal(v.priceMinor, state.currency),
    compareAtPrice: null,
    barcode: null,
    position: v.position,
    availableForSale: availableEverywhere(state, v.inventoryItemId) > 0,
    inventoryQuantity: availableEverywhere(state, v.inventoryItemId),
    inventoryPolicy: "DENY",
    taxable: true,
    createdAt: v.createdAt,
    updatedAt: v.updatedAt,
    inventoryItem: () => inventoryItemView(state.inventoryItems.find((i) => i.id === v.inventoryItemId)!, ctx),
    product: () => productView(product, ctx),
    selectedOptions: [{ name: "Title", value: v.title }],
  };
}

function inventoryItemView(item: SandboxInventoryItem, ctx: SandboxContext): Record<string, unknown> {
  const { state } = ctx;
  return {
    __typename: "InventoryItem",
    id: item.id,
    legacyResourceId: String(item.legacyId),
    sku: item.sku,
    tracked: item.tracked,
    requiresShipping: true,
    duplicateSkuCount: state.inventoryItems.filter((i) => i.sku === item.sku).length - 1,
    createdAt: iso(ctx),
    updatedAt: iso(ctx),
    inventoryLevels: (args: Args) =>
      connection(state.inventoryLevels.filter((l) => l.inventoryItemId === item.id), args, ctx, (l) => levelView(l, ctx)),
    inventoryLevel: (args: Args) => {
      const level = findLevel(state, item.id, String(args.locationId));
      return level ? levelView(level, ctx) : null;
    },
    variant: () => variantView(state.variants.find((v) => v.id === item.variantId)!, ctx),
  };
}

function quantityOf(level: SandboxInventoryLevel, name: string): number {
  switch (name) {
    case "available":
      return level.available;
    case "committed":
      return level.committed;
    case "on_hand":
      return level.available + level.committed;
    default:
      return 0; // incoming, reserved, damaged, safety_stock, quality_control: not modelled
  }
}

function levelView(level: SandboxInventoryLevel, ctx: SandboxContext): Record<string, unknown> {
  const { state } = ctx;
  return {
    __typename: "InventoryLevel",
    id: level.id,
    isActive: true,
    canDeactivate: level.available + level.committed === 0,
    createdAt: level.updatedAt,
    updatedAt: level.updatedAt,
    item: () => inventoryItemView(state.inventoryItems.find((i) => i.id === level.inventoryItemId)!, ctx),
    location: () => locationView(state.locations.find((l) => l.id === level.locationId)!, ctx),
    quantities: (args: Args) =>
      (args.names as string[]).map((name) => ({
        __typename: "InventoryQuantity",
        id: `gid://shopify/InventoryQuantity/${legacyIdOf(level.inventoryItemId)}-${legacyIdOf(level.locationId)}-${name}`,
        name,
        quantity: quantityOf(level, name),
        updatedAt: level.updatedAt,
      })),
  };
}

export interface OrderTotals {
  subtotal: number;
  lineItemsTotal: number;
  shipping: number;
  tax: number;
  discounts: number;
  total: number;
}

/** The same arithmetic Shopify shows: subtotal after line discounts, then shipping and tax. */
export function orderTotals(o: SandboxOrder): OrderTotals {
  const lineItemsTotal = o.lineItems.reduce((s, l) => s + l.priceMinor * l.quantity, 0);
  const discounts = o.lineItems.reduce((s, l) => s + l.discountMinor, 0);
  const tax = o.lineItems.reduce((s, l) => s + l.taxMinor, 0);
  const shipping = o.shippingLines.reduce((s, l) => s + l.priceMinor, 0);
  const subtotal = lineItemsTotal - discounts;
  return { subtotal, lineItemsTotal, shipping, tax, discounts, total: subtotal + shipping + tax };
}

function mailingAddressView(a: SandboxOrder["shippingAddress"], id: string) {
  return {
    __typename: "MailingAddress",
    id,
    name: `${a.firstName} ${a.lastName}`,
    firstName: a.firstName,
    lastName: a.lastName,
    company: a.company,
    address1: a.address1,
    address2: a.address2,
    city: a.city,
    province: a.province,
    provinceCode: a.provinceCode,
    zip: a.zip,
    country: a.country,
    countryCode: a.countryCode,
    countryCodeV2: a.countryCode,
    phone: a.phone,
    latitude: a.latitude,
    longitude: a.longitude,
    coordinatesValidated: a.latitude !== null,
    formatted: [a.address1, `${a.city} ${a.provinceCode} ${a.zip}`, a.country],
    formattedArea: `${a.city} ${a.provinceCode}, ${a.country}`,
  };
}

function lineItemView(l: SandboxLineItem, o: SandboxOrder, ctx: SandboxContext): Record<string, unknown> {
  const { state } = ctx;
  const c = o.currency;
  const unfulfilled = state.fulfillmentOrders
    .filter((fo) => fo.orderId === o.id && fo.status !== "CANCELLED")
    .flatMap((fo) => fo.lineItems)
    .filter((fl) => fl.lineItemId === l.id)
    .reduce((s, fl) => s + fl.remainingQuantity, 0);
  return {
    __typename: "LineItem",
    id: l.id,
    sku: l.sku,
    title: l.title,
    name: l.variantTitle ? `${l.title} - ${l.variantTitle}` : l.title,
    variantTitle: l.variantTitle,
    quantity: l.quantity,
    currentQuantity: o.cancelledAt ? 0 : l.quantity,
    unfulfilledQuantity: unfulfilled,
    requiresShipping: true,
    taxable: true,
    originalUnitPriceSet: moneyBag(l.priceMinor, c),
    discountedUnitPriceSet: moneyBag(Math.round((l.priceMinor * l.quantity - l.discountMinor) / l.quantity), c),
    originalTotalSet: moneyBag(l.priceMinor * l.quantity, c),
    totalDiscountSet: moneyBag(l.discountMinor, c),
    discountAllocations:
      l.discountMinor > 0 ? [{ allocatedAmountSet: moneyBag(l.discountMinor, c), allocatedAmount: moneyV2(l.discountMinor, c) }] : [],
    taxLines: () =>
      l.taxMinor > 0
        ? [{ title: "Sales tax", rate: l.taxRate, ratePercentage: l.taxRate * 100, priceSet: moneyBag(l.taxMinor, c), price: minorUnitsToDecimal(l.taxMinor, c), channelLiable: false, source: "Shopify" }]
        : [],
    variant: () => {
      const v = state.variants.find((x) => x.id === l.variantId);
      return v ? variantView(v, ctx) : null;
    },
  };
}

function customerView(o: SandboxOrder) {
  const c = o.customer;
  return {
    __typename: "Customer",
    id: c.id,
    legacyResourceId: String(c.legacyId),
    firstName: c.firstName,
    lastName: c.lastName,
    displayName: `${c.firstName} ${c.lastName}`,
    email: c.email,
    phone: c.phone,
    defaultEmailAddress: { emailAddress: c.email, marketingState: "NOT_SUBSCRIBED", marketingUnsubscribeUrl: "https://example.com/unsubscribe" },
    defaultPhoneNumber: c.phone ? { phoneNumber: c.phone, marketingState: "NOT_SUBSCRIBED" } : null,
  };
}

function displayFulfillmentStatus(o: SandboxOrder, state: SandboxState): string {
  const lines = state.fulfillmentOrders.filter((fo) => fo.orderId === o.id && fo.status !== "CANCELLED").flatMap((fo) => fo.lineItems);
  const total = lines.reduce((s, l) => s + l.totalQuantity, 0);
  const remaining = lines.reduce((s, l) => s + l.remainingQuantity, 0);
  if (total === 0 || remaining === total) return "UNFULFILLED";
  return remaining === 0 ? "FULFILLED" : "PARTIALLY_FULFILLED";
}

function orderView(o: SandboxOrder, ctx: SandboxContext): Record<string, unknown> {
  const { state } = ctx;
  const t = orderTotals(o);
  const c = o.currency;
  const risky = o.riskLevel !== "LOW";
  return {
    __typename: "Order",
    id: o.id,
    legacyResourceId: String(o.legacyId),
    name: o.name,
    number: o.number,
    createdAt: o.createdAt,
    processedAt: o.createdAt,
    updatedAt: o.updatedAt,
    cancelledAt: o.cancelledAt,
    cancelReason: o.cancelReason,
    closed: false,
    confirmed: true,
    test: false,
    currencyCode: c,
    presentmentCurrencyCode: c,
    displayFinancialStatus: o.financialStatus,
    displayFulfillmentStatus: displayFulfillmentStatus(o, state),
    email: o.email,
    phone: o.phone,
    note: o.note,
    tags: [...o.tags].sort(),
    customer: customerView(o),
    shippingAddress: mailingAddressView(o.shippingAddress, `gid://shopify/MailingAddress/${o.legacyId}1?model_name=Address`),
    billingAddress: mailingAddressView(o.billingAddress, `gid://shopify/MailingAddress/${o.legacyId}2?model_name=Address`),
    lineItems: (args: Args) => connection(o.lineItems, args, ctx, (l) => lineItemView(l, o, ctx)),
    shippingLines: (args: Args) =>
      connection(o.shippingLines, args, ctx, (s) => ({
        __typename: "ShippingLine",
        id: s.id,
        title: s.title,
        code: s.code,
        source: "shopify",
        custom: false,
        isRemoved: false,
        carrierIdentifier: null,
        originalPriceSet: moneyBag(s.priceMinor, c),
        discountedPriceSet: moneyBag(s.priceMinor, c),
        currentDiscountedPriceSet: moneyBag(s.priceMinor, c),
        taxLines: [],
        discountAllocations: [],
      })),
    subtotalPriceSet: moneyBag(t.subtotal, c),
    currentSubtotalPriceSet: moneyBag(t.subtotal, c),
    totalShippingPriceSet: moneyBag(t.shipping, c),
    totalTaxSet: moneyBag(t.tax, c),
    currentTotalTaxSet: moneyBag(t.tax, c),
    totalDiscountsSet: moneyBag(t.discounts, c),
    currentTotalDiscountsSet: moneyBag(t.discounts, c),
    totalPriceSet: moneyBag(t.total, c),
    currentTotalPriceSet: moneyBag(t.total, c),
    originalTotalPriceSet: moneyBag(t.total, c),
    risk: {
      recommendation: o.riskLevel === "HIGH" ? "CANCEL" : risky ? "INVESTIGATE" : "ACCEPT",
      assessments: [
        {
          riskLevel: o.riskLevel,
          provider: null,
          facts: risky
            ? [{ description: "Shipping address is far from the IP location", sentiment: "NEGATIVE" }]
            : [{ description: "Card verification passed", sentiment: "POSITIVE" }],
        },
      ],
    },
    fulfillmentOrders: (args: Args) =>
      connection(state.fulfillmentOrders.filter((fo) => fo.orderId === o.id), args, ctx, (fo) => fulfillmentOrderView(fo, ctx)),
    fulfillments: () => state.fulfillments.filter((f) => f.orderId === o.id).map((f) => fulfillmentView(f)),
  };
}

function fulfillmentOrderView(fo: SandboxFulfillmentOrder, ctx: SandboxContext): Record<string, unknown> {
  const { state } = ctx;
  const order = state.orders.find((o) => o.id === fo.orderId)!;
  const location = state.locations.find((l) => l.id === fo.locationId)!;
  return {
    __typename: "FulfillmentOrder",
    id: fo.id,
    status: fo.status,
    requestStatus: "UNSUBMITTED",
    supportedActions: fo.status === "OPEN" || fo.status === "IN_PROGRESS" ? [{ action: "CREATE_FULFILLMENT" }] : [],
    order: () => orderView(order, ctx),
    assignedLocation: {
      name: location.name,
      address1: location.address.address1,
      address2: location.address.address2,
      city: location.address.city,
      province: location.address.provinceCode,
      zip: location.address.zip,
      countryCode: location.address.countryCode,
      phone: location.address.phone,
      location: () => locationView(location, ctx),
    },
    lineItems: (args: Args) =>
      connection(fo.lineItems, args, ctx, (fl) => {
        const line = order.lineItems.find((l) => l.id === fl.lineItemId)!;
        return {
          __typename: "FulfillmentOrderLineItem",
          id: fl.id,
          sku: line.sku,
          totalQuantity: fl.totalQuantity,
          remainingQuantity: fl.remainingQuantity,
          lineItem: () => lineItemView(line, order, ctx),
        };
      }),
  };
}

function fulfillmentView(f: SandboxFulfillment): Record<string, unknown> {
  return {
    __typename: "Fulfillment",
    id: f.id,
    status: f.status,
    createdAt: f.createdAt,
    updatedAt: f.createdAt,
    trackingInfo: (args: Args) => (typeof args.first === "number" ? f.trackingInfo.slice(0, args.first) : f.trackingInfo),
  };
}

// ---------- root query ----------

function sortOrders(orders: SandboxOrder[], sortKey: unknown): SandboxOrder[] {
  const key = typeof sortKey === "string" ? sortKey : "PROCESSED_AT";
  const by = (o: SandboxOrder): string | number =>
    key === "UPDATED_AT" ? o.updatedAt : key === "ID" ? o.legacyId : key === "ORDER_NUMBER" ? o.number : o.createdAt;
  return [...orders].sort((a, b) => {
    const x = by(a);
    const y = by(b);
    return x < y ? -1 : x > y ? 1 : a.legacyId - b.legacyId;
  });
}

function filteredOrders(state: SandboxState, query: unknown): SandboxOrder[] {
  const terms = parseSearchQuery(typeof query === "string" ? query : null);
  return state.orders.filter((o) =>
    matchesAll(terms, (field) =>
      field === "updated_at" ? o.updatedAt : field === "created_at" || field === "processed_at" ? o.createdAt : field === "id" ? o.legacyId : field === "name" ? o.name : undefined,
    ),
  );
}

function filteredVariants(state: SandboxState, query: unknown): SandboxVariant[] {
  const terms = parseSearchQuery(typeof query === "string" ? query : null);
  return state.variants.filter((v) =>
    matchesAll(terms, (field) => (field === "product_id" ? legacyIdOf(v.productId) : field === "sku" ? v.sku : field === "id" ? v.legacyId : undefined)),
  );
}

export function queryRoot(ctx: SandboxContext): Record<string, unknown> {
  const { state } = ctx;
  const sortedLocations = (sortKey: unknown) =>
    [...state.locations].sort((a, b) => (sortKey === "ID" ? a.legacyId - b.legacyId : a.name.localeCompare(b.name)));
  return {
    locations: (args: Args) => connection(sortedLocations(args.sortKey), args, ctx, (l) => locationView(l, ctx)),
    locationsCount: () => count(state.locations.length),
    location: (args: Args) => {
      const loc = args.id ? state.locations.find((l) => l.id === args.id) : state.locations[0];
      return loc ? locationView(loc, ctx) : null;
    },
    products: (args: Args) => connection(state.products, args, ctx, (p) => productView(p, ctx)),
    productsCount: () => count(state.products.length),
    product: (args: Args) => {
      const p = state.products.find((x) => x.id === args.id);
      return p ? productView(p, ctx) : null;
    },
    productVariants: (args: Args) => connection(filteredVariants(state, args.query), args, ctx, (v) => variantView(v, ctx)),
    productVariantsCount: (args: Args) => count(filteredVariants(state, args.query).length),
    productVariant: (args: Args) => {
      const v = state.variants.find((x) => x.id === args.id);
      return v ? variantView(v, ctx) : null;
    },
    inventoryItems: (args: Args) => {
      const terms = parseSearchQuery(typeof args.query === "string" ? args.query : null);
      const items = state.inventoryItems.filter((i) => matchesAll(terms, (f) => (f === "sku" ? i.sku : f === "id" ? i.legacyId : undefined)));
      return connection(items, args, ctx, (i) => inventoryItemView(i, ctx));
    },
    inventoryItem: (args: Args) => {
      const item = state.inventoryItems.find((i) => i.id === args.id);
      return item ? inventoryItemView(item, ctx) : null;
    },
    inventoryLevel: (args: Args) => {
      const level = state.inventoryLevels.find((l) => l.id === args.id);
      return level ? levelView(level, ctx) : null;
    },
    orders: (args: Args) => connection(sortOrders(filteredOrders(state, args.query), args.sortKey), args, ctx, (o) => orderView(o, ctx)),
    ordersCount: (args: Args) => count(filteredOrders(state, args.query).length),
    order: (args: Args) => {
      const o = state.orders.find((x) => x.id === args.id);
      return o ? orderView(o, ctx) : null;
    },
    fulfillmentOrders: (args: Args) =>
      connection(
        state.fulfillmentOrders.filter((fo) => args.includeClosed === true || (fo.status !== "CLOSED" && fo.status !== "CANCELLED")),
        args,
        ctx,
        (fo) => fulfillmentOrderView(fo, ctx),
      ),
    fulfillmentOrder: (args: Args) => {
      const fo = state.fulfillmentOrders.find((x) => x.id === args.id);
      return fo ? fulfillmentOrderView(fo, ctx) : null;
    },
    bulkOperation: (args: Args) => {
      const op = state.bulkOperations.find((b) => b.id === args.id);
      return op ? bulkOperationView(op, ctx, true) : null;
    },
    currentBulkOperation: () => {
      const op = state.bulkOperations[state.bulkOperations.length - 1];
      return op ? bulkOperationView(op, ctx, true) : null;
    },
  };
}

function bulkOperationView(op: SandboxState["bulkOperations"][number], ctx: SandboxContext, advance: boolean) {
  if (advance && op.status !== "COMPLETED" && op.status !== "FAILED") {
    // Each status read moves the operation on, so clients must really poll.
    if (op.pollsUntilDone <= 0) {
      op.status = "COMPLETED";
      op.completedAt = iso(ctx);
    } else {
      op.status = "RUNNING";
      op.pollsUntilDone--;
    }
  }
  const done = op.status === "COMPLETED";
  return {
    __typename: "BulkOperation",
    id: op.id,
    status: op.status,
    type: "QUERY",
    query: op.query,
    createdAt: op.createdAt,
    completedAt: op.completedAt,
    errorCode: null,
    objectCount: String(done ? op.objectCount : 0),
    rootObjectCount: String(done ? op.rootObjectCount : 0),
    fileSize: done && op.objectCount > 0 ? String(Buffer.byteLength(op.jsonl)) : null,
    // Shopify gives no file at all for an empty result.
    url: done && op.objectCount > 0 ? `${ctx.baseUrl}/bulk/${legacyIdOf(op.id)}.jsonl` : null,
    partialDataUrl: null,
  };
}

// ---------- mutations ----------

const SET_QUANTITY_REASONS = new Set([
  "correction", "cycle_count_available", "damaged", "movement_created", "movement_updated", "movement_received",
  "movement_canceled", "other", "promotion", "quality_control", "received", "reservation_created",
  "reservation_deleted", "reservation_updated", "restock", "safety_stock", "shrinkage",
]);

interface UserError {
  field: string[] | null;
  message: string;
  code: string | null;
}

/** Reads `@idempotent(key:)` from the field the resolver is answering. */
export function idempotencyKeyOf(info: Pick<GraphQLResolveInfo, "fieldNodes" | "variableValues">): string | undefined {
  const directive = info.fieldNodes[0]?.directives?.find((d) => d.name.value === "idempotent");
  const arg = directive?.arguments?.find((a) => a.name.value === "key");
  if (!arg) return undefined;
  const value = valueFromASTUntyped(arg.value, info.variableValues);
  return typeof value === "string" ? value : undefined;
}

function inventorySetQuantities(args: Args, ctx: SandboxContext, info: GraphQLResolveInfo) {
  const { state } = ctx;
  const input = args.input as {
    name: string;
    reason: string;
    referenceDocumentUri?: string | null;
    quantities: ({ inventoryItemId: string; locationId: string; quantity: number; changeFromQuantity?: number | null })[];
  };
  const key = idempotencyKeyOf(info);
  // The server refuses a missing key before execution; this guards direct calls.
  if (!key || key.trim() === "") {
    throw new GraphQLError("The @idempotent directive is required for this mutation.", { extensions: { code: "BAD_REQUEST" } });
  }
  const fingerprint = JSON.stringify(input);
  const previous = state.idempotency.get(key);
  if (previous) {
    if (previous.fingerprint === fingerprint) return previous.response;
    return {
      inventoryAdjustmentGroup: null,
      userErrors: [{ field: null, message: "The idempotency key was already used with different parameters.", code: "IDEMPOTENCY_KEY_PARAMETER_MISMATCH" }],
    };
  }

  const errors: UserError[] = [];
  if (input.name !== "available" && input.name !== "on_hand") {
    errors.push({ field: ["input", "name"], message: "The quantity name must be either 'available' or 'on_hand'.", code: "INVALID_NAME" });
  }
  if (!SET_QUANTITY_REASONS.has(input.reason)) {
    errors.push({ field: ["input", "reason"], message: "The specified reason is invalid.", code: "INVALID_REASON" });
  }
  if (input.referenceDocumentUri != null && !/^[a-z][a-z0-9+.-]*:\/\/?\S+$/i.test(input.referenceDocumentUri)) {
    errors.push({ field: ["input", "referenceDocumentUri"], message: "The reference document URI is invalid.", code: "INVALID_REFERENCE_DOCUMENT" });
  }
  if (input.quantities.length > 250) {
    errors.push({ field: ["input", "quantities"], message: "The maximum number of quantities is 250.", code: "INVALID_QUANTITY_TOO_HIGH" });
  }
  const seen = new Set<string>();
  const planned: { level: SandboxInventoryLevel; quantity: number }[] = [];
  input.quantities.forEach((q, i) => {
    const at = (field: string) => ["input", "quantities", String(i), field];
    const item = state.inventoryItems.find((x) => x.id === q.inventoryItemId);
    const location = state.locations.find((x) => x.id === q.locationId);
    if (!item) return errors.push({ field: at("inventoryItemId"), message: "The specified inventory item could not be found.", code: "INVALID_INVENTORY_ITEM" });
    if (!location) return errors.push({ field: at("locationId"), message: "The specified location could not be found.", code: "INVALID_LOCATION" });
    const pair = `${item.id}|${location.id}`;
    if (seen.has(pair)) {
      return errors.push({ field: at("inventoryItemId"), message: "The combination of inventoryItemId and locationId must be unique.", code: "NO_DUPLICATE_INVENTORY_ITEM_ID_GROUP_ID_PAIR" });
    }
    seen.add(pair);
    const level = findLevel(state, item.id, location.id);
    if (!level) return errors.push({ field: at("locationId"), message: "The item is not stocked at the location.", code: "ITEM_NOT_STOCKED_AT_LOCATION" });
    if (!("changeFromQuantity" in q)) {
      return errors.push({ field: at("changeFromQuantity"), message: "changeFromQuantity is required; pass null to skip the compare check.", code: "COMPARE_QUANTITY_REQUIRED" });
    }
    if (q.quantity > 1_000_000_000) return errors.push({ field: at("quantity"), message: "The quantity is too high.", code: "INVALID_QUANTITY_TOO_HIGH" });
    if (q.quantity < -1_000_000_000) return errors.push({ field: at("quantity"), message: "The quantity is too low.", code: "INVALID_QUANTITY_TOO_LOW" });
    const current = quantityOf(level, input.name);
    if (q.changeFromQuantity !== null && q.changeFromQuantity !== undefined && q.changeFromQuantity !== current) {
      return errors.push({
        field: at("changeFromQuantity"),
        message: `The specified compare quantity does not match the current quantity (${current}).`,
        code: "CHANGE_FROM_QUANTITY_STALE",
      });
    }
    planned.push({ level, quantity: q.quantity });
    return undefined;
  });

  let response: unknown;
  if (errors.length > 0) {
    // All or nothing, like Shopify: one refused quantity leaves every level untouched.
    response = { inventoryAdjustmentGroup: null, userErrors: errors };
  } else {
    const at = iso(ctx);
    const changes: { name: string; delta: number; quantityAfterChange: number; level: SandboxInventoryLevel }[] = [];
    const recorded: { inventoryItemId: string; locationId: string; delta: number }[] = [];
    for (const { level, quantity } of planned) {
      const before = quantityOf(level, input.name);
      const delta = quantity - before;
      recorded.push({ inventoryItemId: level.inventoryItemId, locationId: level.locationId, delta });
      // Setting on_hand moves available by the same amount (committed is unchanged).
      level.available += delta;
      level.updatedAt = at;
      changes.push({ name: input.name, delta, quantityAfterChange: quantity, level });
      if (input.name === "available") changes.push({ name: "on_hand", delta, quantityAfterChange: quantityOf(level, "on_hand"), level });
    }
    const groupId = `gid://shopify/InventoryAdjustmentGroup/${takeId(state)}`;
    state.inventoryAdjustments.push({
      id: groupId,
      reason: input.reason,
      referenceDocumentUri: input.referenceDocumentUri ?? null,
      changes: recorded,
    });
    response = {
      inventoryAdjustmentGroup: {
        __typename: "InventoryAdjustmentGroup",
        id: groupId,
        createdAt: at,
        reason: input.reason,
        referenceDocumentUri: input.referenceDocumentUri ?? null,
        app: null,
        changes: changes.map((c) => ({
          name: c.name,
          delta: c.delta,
          quantityAfterChange: c.quantityAfterChange,
          ledgerDocumentUri: null,
          item: inventoryItemView(state.inventoryItems.find((i) => i.id === c.level.inventoryItemId)!, ctx),
          location: locationView(state.locations.find((l) => l.id === c.level.locationId)!, ctx),
        })),
      },
      userErrors: [],
    };
  }
  state.idempotency.set(key, { fingerprint, response });
  return response;
}

function fulfillmentCreate(args: Args, ctx: SandboxContext) {
  const { state } = ctx;
  const input = args.fulfillment as {
    notifyCustomer?: boolean | null;
    trackingInfo?: { company?: string | null; number?: string | null; url?: string | null; numbers?: string[] | null; urls?: string[] | null } | null;
    lineItemsByFulfillmentOrder: { fulfillmentOrderId: string; fulfillmentOrderLineItems?: { id: string; quantity: number }[] | null }[];
  };
  const fail = (message: string, field: string[] | null) => ({ fulfillment: null, userErrors: [{ field, message }] });
  if (input.lineItemsByFulfillmentOrder.length === 0) return fail("Line items by fulfillment order must not be empty.", ["fulfillment", "lineItemsByFulfillmentOrder"]);

  const plan: { fo: SandboxFulfillmentOrder; line: SandboxFulfillmentOrder["lineItems"][number]; quantity: number }[] = [];
  const locations = new Set<string>();
  for (const [i, group] of input.lineItemsByFulfillmentOrder.entries()) {
    const field = ["fulfillment", "lineItemsByFulfillmentOrder", String(i)];
    const fo = state.fulfillmentOrders.find((x) => x.id === group.fulfillmentOrderId);
    if (!fo) return fail("Fulfillment order does not exist.", [...field, "fulfillmentOrderId"]);
    if (fo.status !== "OPEN" && fo.status !== "IN_PROGRESS") {
      return fail(`Fulfillment order ${fo.id} has an unfulfillable status= ${fo.status.toLowerCase()}.`, [...field, "fulfillmentOrderId"]);
    }
    locations.add(fo.locationId);
    const requested = group.fulfillmentOrderLineItems ?? fo.lineItems.filter((l) => l.remainingQuantity > 0).map((l) => ({ id: l.id, quantity: l.remainingQuantity }));
    for (const r of requested) {
      const line = fo.lineItems.find((l) => l.id === r.id);
      if (!line) return fail(`Fulfillment order line item ${r.id} does not exist.`, [...field, "fulfillmentOrderLineItems"]);
      if (r.quantity <= 0 || r.quantity > line.remainingQuantity) {
        return fail(`Invalid fulfillment order line item quantity requested.`, [...field, "fulfillmentOrderLineItems"]);
      }
      plan.push({ fo, line, quantity: r.quantity });
    }
  }
  if (locations.size > 1) return fail("All fulfillment orders must be assigned to the same location.", ["fulfillment", "lineItemsByFulfillmentOrder"]);

  const at = iso(ctx);
  for (const { fo, line, quantity } of plan) {
    line.remainingQuantity -= quantity;
    const order = state.orders.find((o) => o.id === fo.orderId)!;
    const orderLine = order.lineItems.find((l) => l.id === line.lineItemId)!;
    const level = orderLine.variantId ? findLevel(state, state.variants.find((v) => v.id === orderLine.variantId)!.inventoryItemId, fo.locationId) : undefined;
    // Shipping turns committed stock into gone stock: on_hand falls, available is unchanged.
    if (level) {
      level.committed = Math.max(0, level.committed - quantity);
      level.updatedAt = at;
    }
  }
  for (const fo of new Set(plan.map((p) => p.fo))) {
    fo.status = fo.lineItems.every((l) => l.remainingQuantity === 0) ? "CLOSED" : "IN_PROGRESS";
  }
  const orderId = plan[0]!.fo.orderId;
  const order = state.orders.find((o) => o.id === orderId)!;
  order.updatedAt = at;
  const t = input.trackingInfo;
  const fulfillment: SandboxFulfillment = {
    id: gid("Fulfillment", takeId(state)),
    orderId,
    status: "SUCCESS",
    createdAt: at,
    trackingInfo: t ? [{ company: t.company ?? null, number: t.number ?? t.numbers?.[0] ?? null, url: t.url ?? t.urls?.[0] ?? null }] : [],
    notifyCustomer: input.notifyCustomer === true,
    lines: plan.map((p) => ({ fulfillmentOrderLineItemId: p.line.id, quantity: p.quantity })),
  };
  state.fulfillments.push(fulfillment);
  return { fulfillment: fulfillmentView(fulfillment), userErrors: [] };
}

function orderCancel(args: Args, ctx: SandboxContext) {
  const { state } = ctx;
  const order = state.orders.find((o) => o.id === args.orderId);
  const fail = (code: string, message: string, field: string[] | null) => ({
    job: null,
    orderCancelUserErrors: [{ field, message, code }],
    userErrors: [{ field, message }],
  });
  if (!order) return fail("NOT_FOUND", "Order does not exist.", ["orderId"]);
  if (order.cancelledAt) return fail("INVALID", "Order has already been cancelled.", ["orderId"]);
  const refund = args.refundMethod as { originalPaymentMethodsRefund?: boolean | null } | null | undefined;
  const at = iso(ctx);
  for (const fo of state.fulfillmentOrders.filter((x) => x.orderId === order.id)) {
    if (fo.status === "CLOSED" || fo.status === "CANCELLED") continue;
    for (const fl of fo.lineItems) {
      const line = order.lineItems.find((l) => l.id === fl.lineItemId)!;
      const variant = state.variants.find((v) => v.id === line.variantId);
      const level = variant ? findLevel(state, variant.inventoryItemId, fo.locationId) : undefined;
      if (level && fl.remainingQuantity > 0) {
        level.committed = Math.max(0, level.committed - fl.remainingQuantity);
        // Without restock the units leave the shelf count too (written off, not resellable).
        if (args.restock === true) level.available += fl.remainingQuantity;
        level.updatedAt = at;
      }
      fl.remainingQuantity = 0;
    }
    fo.status = "CANCELLED";
  }
  order.cancelledAt = at;
  order.cancelReason = String(args.reason);
  order.updatedAt = at;
  if (refund?.originalPaymentMethodsRefund === true && (order.financialStatus === "PAID" || order.financialStatus === "PARTIALLY_PAID")) {
    order.financialStatus = "REFUNDED";
  } else if (order.financialStatus === "AUTHORIZED" || order.financialStatus === "PENDING") {
    order.financialStatus = "VOIDED";
  }
  return { job: { __typename: "Job", id: `gid://shopify/Job/${randomUUID()}`, done: true }, orderCancelUserErrors: [], userErrors: [] };
}

function bulkOperationRunQuery(args: Args, ctx: SandboxContext) {
  const { state } = ctx;
  const running = state.bulkOperations.find((b) => b.status === "CREATED" || b.status === "RUNNING");
  if (running) {
    return {
      bulkOperation: null,
      userErrors: [{ field: null, message: `A bulk query operation for this app and shop is already in progress: ${running.id}.`, code: "OPERATION_IN_PROGRESS" }],
    };
  }
  const result = ctx.runBulkQuery(String(args.query));
  if (!result.ok) return { bulkOperation: null, userErrors: [{ field: ["query"], message: result.message, code: "INVALID" }] };
  const op = {
    id: gid("BulkOperation", takeId(state)),
    query: String(args.query),
    createdAt: iso(ctx),
    completedAt: null,
    pollsUntilDone: 1,
    status: "CREATED" as const,
    jsonl: result.jsonl,
    objectCount: result.objectCount,
    rootObjectCount: result.rootObjectCount,
  };
  state.bulkOperations.push(op);
  return { bulkOperation: bulkOperationView(op, ctx, false), userErrors: [] };
}

export function mutationRoot(ctx: SandboxContext): Record<string, unknown> {
  return {
    inventorySetQuantities: (args: Args, _c: unknown, info: GraphQLResolveInfo) => inventorySetQuantities(args, ctx, info),
    fulfillmentCreate: (args: Args) => fulfillmentCreate(args, ctx),
    orderCancel: (args: Args) => orderCancel(args, ctx),
    bulkOperationRunQuery: (args: Args) => bulkOperationRunQuery(args, ctx),
  };
}

/** Mutations whose 2026-04 description makes the `@idempotent` key mandatory (those modelled here). */
export const REQUIRES_IDEMPOTENCY_KEY = new Set(["inventorySetQuantities"]);
