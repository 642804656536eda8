import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setDatabaseForTests } from "../../app/db.server";
import { action as customersDataRequest } from "../../app/routes/webhooks.customers.data_request";
import { action as customersRedact } from "../../app/routes/webhooks.customers.redact";
import { action as ordersCreate } from "../../app/routes/webhooks.orders.create";
import { action as ordersUpdated } from "../../app/routes/webhooks.orders.updated";
import type { Database } from "../../db/client";
import { webhookDeliveries } from "../../db/schema";
import { processWebhookDelivery } from "../../jobs/tasks/webhooks-process.task";
import { orderWebhookPayload, postWebhook } from "../fixtures/shopify/webhooks/shopify-webhook-requests";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";
import { streamShop } from "./order-stream-fixtures";

/**
 * Issue 7 "PII survives redaction": after customers/redact, failed deliveries and deliveries for
 * unknown shops still held the customer's name, e-mail, phone and address. This test puts the
 * customer everywhere a delivery can put them, redacts, then searches every text, json and
 * bytea column of every table (ours and graphile-worker's) for any trace.
 */
const CUSTOMER = { id: 42424242, email: "ada.trace@example.com", first_name: "Ada", last_name: "Tracewell", phone: "+15550001111" };
const TRACES = [CUSTOMER.email, "Tracewell", CUSTOMER.phone];
const ADDRESS = { first_name: "Ada", last_name: "Tracewell", name: "Ada Tracewell", address1: "12 Tracewell Lane", city: "Springfield", zip: "12345", country_code: "US", province_code: "IL", phone: CUSTOMER.phone };

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
  setDatabaseForTests(database.db);
});
afterAll(() => setDatabaseForTests(undefined));

function adasOrder(id: string, extra: Record<string, unknown> = {}) {
  return orderWebhookPayload({
    id,
    email: CUSTOMER.email,
    contact_email: CUSTOMER.email,
    phone: CUSTOMER.phone,
    note: `Call Ada Tracewell on ${CUSTOMER.phone}`,
    customer: CUSTOMER,
    shipping_address: ADDRESS,
    billing_address: ADDRESS,
    ...extra,
  });
}

async function deliver(action: unknown, topic: string, shopDomain: string, body: string) {
  const { response, deliveryId } = await postWebhook(action, { topic, shopDomain, body });
  const [row] = await database.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.deliveryId, deliveryId));
  if (row?.status === "received") await processWebhookDelivery({ db: database.db }, row.id);
  return response.status;
}

/** Every (table, column) of a text-like type in which any trace appears. */
async function tracesLeft(db: Database): Promise<string[]> {
  const columns = await db.execute<{ schema: string; table: string; column: string }>(sql`
    SELECT c.table_schema AS schema, c.table_name AS table, c.column_name AS column
      FROM information_schema.columns c
      JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'
     WHERE c.table_schema IN ('public', 'graphile_worker')
       AND c.data_type IN ('text', 'character varying', 'jsonb', 'json', 'bytea', 'ARRAY')`);
  const found: string[] = [];
  for (const { schema, table, column } of columns.rows) {
    for (const trace of TRACES) {
      const hits = await db.execute<{ n: number }>(
        sql`SELECT count(*)::int AS n FROM ${sql.identifier(schema)}.${sql.identifier(table)} WHERE ${sql.identifier(column)}::text ILIKE ${`%${trace}%`}
              OR (pg_typeof(${sql.identifier(column)})::text = 'bytea' AND convert_from(${sql.raw(`"${column}"`)}::bytea, 'UTF8') ILIKE ${`%${trace}%`})`,
      ).catch(async () => db.execute<{ n: number }>(sql`SELECT count(*)::int AS n FROM ${sql.identifier(schema)}.${sql.identifier(table)} WHERE ${sql.identifier(column)}::text ILIKE ${`%${trace}%`}`));
      if (hits.rows[0]!.n > 0) found.push(`${schema}.${table}.${column} holds "${trace}" (${hits.rows[0]!.n} rows)`);
    }
  }
  return found;
}

describe("customers/redact", () => {
  it("leaves no trace of the customer in any column of any table", async () => {
    const { db } = database;
    const shop = await streamShop(db);

    expect(await deliver(ordersCreate, "orders/create", shop.domain, JSON.stringify(adasOrder("9101")))).toBe(200);
    // A delivery that fails processing (lines are not a list) and keeps its payload for inspection.
    expect(await deliver(ordersUpdated, "orders/updated", shop.domain, JSON.stringify(adasOrder("9101", { line_items: "broken", updated_at: "2030-01-01T00:00:00Z" })))).toBe(200);
    // A body that is not JSON at all, kept as received.
    expect(await deliver(ordersCreate, "orders/create", shop.domain, `{"email": "${CUSTOMER.email}", "customer": {"last_name": "Tracewell", "phone": "${CUSTOMER.phone}"`)).toBeLessThan(500);
    // A delivery for a shop Switchyard does not know.
    expect(await deliver(ordersCreate, "orders/create", "never-installed.myshopify.com", JSON.stringify(adasOrder("9102")))).toBe(200);
    // A data request: the merchant's exception names the customer until the redaction.
    const request = { shop_id: 1, shop_domain: shop.domain, orders_requested: [9101], customer: { id: CUSTOMER.id, email: CUSTOMER.email, phone: CUSTOMER.phone }, data_request: { id: 77 } };
    expect(await deliver(customersDataRequest, "customers/data_request", shop.domain, JSON.stringify(request))).toBe(200);

    expect((await tracesLeft(db)).length).toBeGreaterThan(0);

    const redact = { shop_id: 1, shop_domain: shop.domain, customer: { id: CUSTOMER.id, email: CUSTOMER.email, phone: CUSTOMER.phone }, orders_to_redact: [9101] };
    expect(await deliver(customersRedact, "customers/redact", shop.domain, JSON.stringify(redact))).toBe(200);

    expect(await tracesLeft(db)).toEqual([]);
    // The order itself stays for the books: number and totals, no person.
    const orders = await db.execute<{ number: string; total_minor: number }>(sql`SELECT number, total_minor FROM orders WHERE shop_id = ${shop.id}`);
    expect(orders.rows).toHaveLength(1);
    expect(orders.rows[0]!.total_minor).toBeGreaterThan(0);
  });
});
