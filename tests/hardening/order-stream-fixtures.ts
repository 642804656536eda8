import { sql } from "drizzle-orm";
import { action as ordersCreate } from "../../app/routes/webhooks.orders.create";
import type { Database } from "../../db/client";
import { channelConnections } from "../../db/schema";
import { orderWebhookPayload, postWebhook } from "../fixtures/shopify/webhooks/shopify-webhook-requests";
import { createLocation, createShop, createVariant, ledgerMismatches, receive } from "../helpers/ledger-fixtures";

/**
 * A shop with plenty of stock for the fixture order's SKUs, and signed orders/create deliveries
 * posted through the real ingress, for the tests that kill workers and the database mid-stream.
 */
export async function streamShop(db: Database) {
  const shop = await createShop(db);
  await db.insert(channelConnections).values({ shopId: shop.id, channel: "shopify", name: shop.domain });
  const location = await createLocation(db, shop.id);
  for (const sku of ["IPOD2008PINK", "MUG-BLK-11OZ"]) {
    const variant = await createVariant(db, shop.id, sku);
    await receive(db, shop.id, variant.id, location.id, 100_000);
  }
  return shop;
}

/** Posts one signed orders/create for order `n`; the same `eventId` is a redelivery. */
export async function postOrder(shopDomain: string, n: number, eventId = `stream-${shopDomain}-${n}`) {
  const id = String(7_000_000 + n);
  const { response } = await postWebhook(ordersCreate, { topic: "orders/create", shopDomain, eventId, body: JSON.stringify(orderWebhookPayload({ id, name: `#S${n}` })) });
  return response.status;
}

/** What became of the stream: orders per external id, unfinished deliveries, ledger drift. */
export async function streamOutcome(db: Database, shopId: string) {
  const orders = await db.execute<{ external_id: string; copies: number }>(
    sql`SELECT external_id, count(*)::int AS copies FROM orders WHERE shop_id = ${shopId} GROUP BY external_id`,
  );
  const [waiting] = (await db.execute<{ n: number }>(sql`SELECT count(*)::int AS n FROM webhook_deliveries WHERE shop_id = ${shopId} AND status = 'received'`)).rows;
  return {
    orders: orders.rows.length,
    duplicated: orders.rows.filter((row) => row.copies > 1).length,
    waiting: waiting!.n,
    ledgerMismatches: (await ledgerMismatches(db, shopId)).length,
  };
}
