import { and, asc, eq, inArray, isNull, or, sql, type SQL } from "drizzle-orm";
import type { DbOrTx, Tx } from "../client";
import { sourceDeliveryIdsOf } from "./order-source-repository";
import { channelConnections, exceptions, kitComponents, orderEvents, orders, shops, shopifySessions, variants, webhookDeliveries } from "../schema";

/**
 * The shop's lifecycle and its customers' privacy rights, as Shopify's app/uninstalled and
 * mandatory compliance webhooks (customers/data_request, customers/redact, shop/redact) ask.
 * Every function runs in the caller's transaction, so the erasure and the delivery's status
 * commit together.
 */

export interface CustomerIdentity {
  /** Shopify's numeric customer id as sent in the payload (string: ids exceed 2^53). */
  customerId?: string;
  email?: string;
  /** Shopify's numeric order ids (orders_requested / orders_to_redact). */
  orderIds?: readonly string[];
}

export interface CustomerOrderSummary {
  orderId: string;
  externalId: string;
  number: string;
  placedAt: Date;
  currency: string;
  totalMinor: number;
  status: string;
}

/** Orders of the customer, matched by customer id, e-mail, or the listed order ids. */
export async function findCustomerOrders(db: DbOrTx, shopId: string, customer: CustomerIdentity): Promise<CustomerOrderSummary[]> {
  const match = customerMatch(customer);
  if (!match) return [];
  return db
    .select({
      orderId: orders.id,
      externalId: orders.externalId,
      number: orders.number,
      placedAt: orders.placedAt,
      currency: orders.currency,
      totalMinor: orders.totalMinor,
      status: orders.status,
    })
    .from(orders)
    .where(and(eq(orders.shopId, shopId), eq(orders.channel, "shopify"), match))
    .orderBy(asc(orders.placedAt), asc(orders.id));
}

export interface RedactionResult {
  ordersRedacted: number;
  deliveriesRedacted: number;
  orderNumbers: string[];
}

/**
 * Erases what identifies the customer, wherever a delivery put it: name, e-mail, phone, customer
 * id, both addresses, the note and the raw channel payload on their orders; the payloads (every
 * payload column, whatever the status) of the deliveries about those orders or that name the
 * customer, including failed and unparseable ones and those for a shop never installed; and the
 * customer in exception texts and order timelines. Order numbers, totals and lines stay: they
 * identify no one and the merchant's books need them. `requestDeliveryRowId` is the
 * customers/redact delivery itself, whose payload goes too.
 */
export async function redactCustomer(
  tx: Tx,
  shopId: string,
  customer: CustomerIdentity & { customerGid?: string; phone?: string; requestDeliveryRowId?: number },
): Promise<RedactionResult> {
  const matched = await findCustomerOrders(tx, shopId, customer);
  const orderIds = matched.map((o) => o.orderId);
  // Everything that names the customer, read before the orders forget it, to find it in free text.
  const identifiers = await customerIdentifiers(tx, shopId, orderIds, customer);
  // The deliveries their payloads are kept in (docs/adr/0022), read before the orders forget them.
  const sourceDeliveryIds = orderIds.length === 0 ? [] : await sourceDeliveryIdsOf(tx, and(eq(orders.shopId, shopId), inArray(orders.id, orderIds)));
  if (orderIds.length > 0) {
    await tx
      .update(orders)
      .set({
        customerName: null,
        customerEmail: null,
        customerPhone: null,
        customerExternalId: null,
        shippingAddress: null,
        billingAddress: null,
        sourcePayload: null,
        sourceDeliveryId: null,
        note: null,
        updatedAt: sql`now()`,
      })
      .where(and(eq(orders.shopId, shopId), inArray(orders.id, orderIds)));
    await tx
      .update(orderEvents)
      .set({ message: scrubText(orderEvents.message, identifiers), data: scrubJson(orderEvents.data, identifiers) })
      .where(and(eq(orderEvents.shopId, shopId), inArray(orderEvents.orderId, orderIds)));
  }

  const resourceIds = [...matched.map((o) => o.externalId), ...(customer.customerGid ? [customer.customerGid] : [])];
  const aboutCustomer: SQL[] = [];
  if (sourceDeliveryIds.length > 0) aboutCustomer.push(inArray(webhookDeliveries.id, sourceDeliveryIds));
  if (resourceIds.length > 0) {
    aboutCustomer.push(and(eq(webhookDeliveries.channel, "shopify"), eq(webhookDeliveries.shopId, shopId), inArray(webhookDeliveries.resourceId, resourceIds))!);
  }
  if (identifiers.length > 0) {
    // Failed, unparseable and unknown-shop deliveries have no resource to match: their text does.
    aboutCustomer.push(
      and(
        or(eq(webhookDeliveries.shopId, shopId), isNull(webhookDeliveries.shopId)),
        or(
          mentions(sql`${webhookDeliveries.payload}::text`, identifiers),
          // The raw bytes as received, read as text even when they are not valid UTF-8 (migration 0013).
          mentions(sql`webhook_body_text(${webhookDeliveries.rawBody})`, identifiers),
          mentions(webhookDeliveries.error, identifiers),
        ),
      )!,
    );
  }
  let deliveriesRedacted = 0;
  if (aboutCustomer.length > 0) {
    const rows = await tx
      .update(webhookDeliveries)
      .set(REDACTED_DELIVERY(identifiers))
      // Any channel: a carrier's or marketplace's delivery about the parcel names the customer too.
      .where(or(...aboutCustomer))
      .returning({ id: webhookDeliveries.id });
    deliveriesRedacted = rows.length;
  }
  if (customer.requestDeliveryRowId) {
    // The request stays on record (its resource id names the customer's Shopify id), its payload goes.
    await tx.update(webhookDeliveries).set(REDACTED_DELIVERY(identifiers)).where(eq(webhookDeliveries.id, customer.requestDeliveryRowId));
  }

  if (customer.customerId) {
    // An earlier data request named the customer; the request stays on record, the e-mail goes.
    await tx
      .update(exceptions)
      .set({
        message: sql`regexp_replace(${exceptions.message}, ${"^Customer data request from [^ ]+:"}, ${"Customer data request (customer since redacted):"})`,
        details: sql`jsonb_set(${exceptions.details}, '{customer,email}', 'null'::jsonb)`,
      })
      .where(
        and(
          eq(exceptions.shopId, shopId),
          eq(exceptions.kind, "data_request"),
          sql`${exceptions.details}->'customer'->>'id' = ${customer.customerId}`,
        ),
      );
  }
  if (identifiers.length > 0) {
    await tx
      .update(exceptions)
      .set({ message: scrubText(exceptions.message, identifiers), details: scrubJson(exceptions.details, identifiers) })
      .where(and(eq(exceptions.shopId, shopId), or(mentions(exceptions.message, identifiers), mentions(sql`${exceptions.details}::text`, identifiers))));
  }
  return { ordersRedacted: orderIds.length, deliveriesRedacted, orderNumbers: matched.map((o) => o.number) };
}

/**
 * A redacted delivery: every column that can carry what was sent. When a column is added to
 * webhook_deliveries that holds payload bytes or text, it belongs here (the no-trace test
 * searches every column and fails otherwise).
 */
function REDACTED_DELIVERY(identifiers: readonly string[]) {
  return {
    payload: { redacted: true } as object,
    rawBody: null,
    error: sql`${scrubText(webhookDeliveries.error, identifiers)}`,
  };
}

const REDACTED = "[redacted]";

/** Identifiers at least 5 characters long (shorter ones would match unrelated text). */
async function customerIdentifiers(tx: Tx, shopId: string, orderIds: string[], customer: CustomerIdentity & { phone?: string }): Promise<string[]> {
  const found = new Set<string>();
  const add = (value: string | null | undefined) => {
    const trimmed = value?.trim();
    if (trimmed && trimmed.length >= 5) found.add(trimmed);
  };
  add(customer.email);
  add(customer.phone);
  if (orderIds.length > 0) {
    const rows = await tx
      .select({
        name: orders.customerName,
        email: orders.customerEmail,
        phone: orders.customerPhone,
        shipping: orders.shippingAddress,
        billing: orders.billingAddress,
      })
      .from(orders)
      .where(and(eq(orders.shopId, shopId), inArray(orders.id, orderIds)));
    for (const row of rows) {
      add(row.name);
      add(row.email);
      add(row.phone);
      for (const address of [row.shipping, row.billing] as (Record<string, unknown> | null)[]) {
        if (!address) continue;
        for (const key of ["name", "firstName", "lastName", "phone", "address1", "address2", "line1", "line2"]) {
          const value = address[key];
          if (typeof value === "string") add(value);
        }
      }
    }
  }
  return [...found];
}

function pattern(identifiers: readonly string[]): string {
  return identifiers.map((value) => value.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|");
}

function mentions(column: SQL | SQL.Aliased | typeof exceptions.message | typeof webhookDeliveries.error, identifiers: readonly string[]): SQL {
  return sql`(${column} ~* ${pattern(identifiers)})`;
}

function scrubText(column: typeof exceptions.message | typeof webhookDeliveries.error | typeof orderEvents.message, identifiers: readonly string[]): SQL {
  if (identifiers.length === 0) return sql`${column}`;
  return sql`regexp_replace(${column}, ${pattern(identifiers)}, ${REDACTED}, 'gi')`;
}

/** Replaces the identifiers inside a jsonb value's text; JSON escaping of the identifiers is matched as written. */
function scrubJson(column: typeof exceptions.details | typeof orderEvents.data, identifiers: readonly string[]): SQL {
  if (identifiers.length === 0) return sql`${column}`;
  const escaped = identifiers.map((value) => JSON.stringify(value).slice(1, -1));
  return sql`regexp_replace(${column}::text, ${pattern(escaped)}, ${REDACTED}, 'gi')::jsonb`;
}

/**
 * app/uninstalled: stop syncing, forget the access tokens (they are revoked anyway), and show
 * the Shopify connection as disconnected. The shop's data stays until shop/redact (48 hours
 * later) in case the merchant reinstalls; upsertShop re-enables it then.
 */
export async function disableShopAfterUninstall(tx: Tx, shop: { id: string; domain: string }): Promise<{ sessionsDeleted: number }> {
  await tx.update(shops).set({ syncEnabled: false, uninstalledAt: sql`now()` }).where(eq(shops.id, shop.id));
  const sessions = await tx.delete(shopifySessions).where(eq(shopifySessions.shop, shop.domain)).returning({ id: shopifySessions.id });
  await tx
    .update(channelConnections)
    .set({ status: "disconnected" })
    .where(and(eq(channelConnections.shopId, shop.id), eq(channelConnections.channel, "shopify")));
  return { sessionsDeleted: sessions.length };
}

/** True once app/uninstalled was processed for the shop and it has not been reinstalled since. */
export async function shopUninstalled(db: DbOrTx, shopId: string): Promise<boolean> {
  const [row] = await db.select({ uninstalledAt: shops.uninstalledAt }).from(shops).where(eq(shops.id, shopId));
  return row?.uninstalledAt != null;
}

/**
 * shop/redact: erase everything Switchyard holds for the shop. Deleting its orders, then the
 * shop row, cascades to every table that carries shop_id. The delivery that asked for the
 * erasure is detached first (shop_id null; its payload holds only the shop's ids) so the erasure
 * itself stays on record.
 */
export async function eraseShop(tx: Tx, shop: { id: string; domain: string }, keepDeliveryRowId: number): Promise<void> {
  await tx.update(webhookDeliveries).set({ shopId: null }).where(eq(webhookDeliveries.id, keepDeliveryRowId));
  await tx.delete(shopifySessions).where(eq(shopifySessions.shop, shop.domain));
  // kit components restrict deleting a component variant; within one cascade that check can
  // fire before the kit row goes, so kits are taken apart first.
  await tx.delete(kitComponents).where(inArray(kitComponents.kitVariantId, tx.select({ id: variants.id }).from(variants).where(eq(variants.shopId, shop.id))));
  await tx.delete(webhookDeliveries).where(eq(webhookDeliveries.shopId, shop.id));
  // Allocations hold their location and variant (no action) and go with their order's lines, a
  // cascade one level deeper than the shop's locations and variants (docs/adr/0021): the orders
  // go first, so those checks find no allocation left.
  await tx.delete(orders).where(eq(orders.shopId, shop.id));
  await tx.delete(shops).where(eq(shops.id, shop.id));
}

function customerMatch(customer: CustomerIdentity): SQL | undefined {
  const conditions: SQL[] = [];
  if (customer.customerId) {
    // The order mapper stores the customer's GID; older rows may hold the bare id.
    conditions.push(inArray(orders.customerExternalId, [`gid://shopify/Customer/${customer.customerId}`, customer.customerId]));
  }
  const email = customer.email?.trim().toLowerCase();
  if (email) conditions.push(sql`lower(${orders.customerEmail}) = ${email}`);
  const orderIds = (customer.orderIds ?? []).filter((id) => /^\d+$/.test(id));
  if (orderIds.length > 0) conditions.push(inArray(orders.externalId, orderIds.map((id) => `gid://shopify/Order/${id}`)));
  return conditions.length === 0 ? undefined : or(...conditions);
}
