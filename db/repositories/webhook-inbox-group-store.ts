import type pg from "pg";
import { isDatabaseUnavailable } from "../connection-errors";
import type { Database } from "../client";
import { rawBodyIsText } from "./webhook-inbox-repository";

export interface ShopDelivery {
  shopDomain: string;
  channel: string;
  deliveryId: string;
  topic: string;
  triggeredAt: Date | null;
  rawBody: Buffer;
}

export type StoreShopDeliveryResult =
  | { stored: true; rowId: number }
  /** A redelivery (changes nothing), or a shop Switchyard does not know: kept as `failed` for
   * inspection and redaction, answered 200 since retrying cannot help. */
  | { stored: false; reason: "duplicate" | "unknown_shop" };

interface Waiting {
  delivery: ShopDelivery;
  resolve: (result: StoreShopDeliveryResult) => void;
  reject: (error: unknown) => void;
}

export interface GroupStoreOptions {
  /** Statements in flight at once; a store arriving while they run waits and joins the next group. */
  maxInFlight: number;
  /** Deliveries per statement at most. */
  maxGroup: number;
  /** Body bytes per statement at most (the bodies travel as one parameter); a larger body goes alone. */
  maxGroupBytes?: number;
}

const DEFAULT_MAX_GROUP_BYTES = 8 * 1024 * 1024;

/**
 * Group commit for the webhook ingress, done by the application: deliveries that arrive while
 * earlier stores are in flight are stored together, in ONE multi-row INSERT (a prepared
 * statement, so PostgreSQL parses and plans it once per connection) and one commit. A lone
 * delivery is stored at once, so a quiet shop's ack waits for nothing; under a burst each
 * statement carries what queued behind the ones in flight, which is what cut the ingress's
 * database work per delivery (docs/adr/0017). Each delivery is answered only once its row has
 * committed, exactly as before: acknowledged means stored.
 *
 * If a group's statement fails for a reason other than the database being away, its deliveries
 * are stored one by one, so one bad delivery never costs the others their ack.
 */
export function createDeliveryGroupStore(db: Database, options: GroupStoreOptions = { maxInFlight: 2, maxGroup: 64 }) {
  const waiting: Waiting[] = [];
  let inFlight = 0;

  const pump = () => {
    while (inFlight < options.maxInFlight && waiting.length > 0) {
      const group = waiting.splice(0, groupLength(waiting, options.maxGroup, options.maxGroupBytes ?? DEFAULT_MAX_GROUP_BYTES));
      inFlight++;
      void storeGroup(db, group).finally(() => {
        inFlight--;
        pump();
      });
    }
  };

  return {
    store(delivery: ShopDelivery): Promise<StoreShopDeliveryResult> {
      return new Promise((resolve, reject) => {
        waiting.push({ delivery, resolve, reject });
        pump();
      });
    },
  };
}

/** How many of the waiting stores the next statement takes: at least one, within both bounds. */
function groupLength(waiting: readonly Waiting[], maxGroup: number, maxBytes: number): number {
  let bytes = waiting[0]!.delivery.rawBody.length;
  let length = 1;
  while (length < Math.min(maxGroup, waiting.length)) {
    bytes += waiting[length]!.delivery.rawBody.length;
    if (bytes > maxBytes) break;
    length++;
  }
  return length;
}

async function storeGroup(db: Database, group: Waiting[]): Promise<void> {
  try {
    settle(group, await insertGroup(poolOf(db), group.map((entry) => entry.delivery)));
  } catch (error) {
    if (isDatabaseUnavailable(error) || group.length === 1) {
      for (const entry of group) entry.reject(error);
      return;
    }
    for (const entry of group) await storeGroup(db, [entry]);
  }
}

/** Answers each waiting store from the rows the statement returned. */
function settle(group: readonly Waiting[], stored: Map<string, { id: number; shopId: string | null }>): void {
  for (const entry of group) {
    const key = deliveryKey(entry.delivery);
    const row = stored.get(key);
    // The first of a key in the group took its row; a later one in the same group is a redelivery.
    if (row) stored.delete(key);
    entry.resolve(!row ? { stored: false, reason: "duplicate" } : row.shopId === null ? { stored: false, reason: "unknown_shop" } : { stored: true, rowId: row.id });
  }
}

const deliveryKey = (delivery: { channel: string; deliveryId: string }) => `${delivery.channel}\u0000${delivery.deliveryId}`;

/**
 * The ingress's one statement, for one delivery or many: the shop looked up by domain in the
 * statement, an unknown shop's delivery kept as failed, a delivery already stored left alone.
 * Rows are inserted in arrival order (ORDINALITY), so the first of two equal keys is the one kept.
 * The bodies travel as ONE binary parameter, each row taking its slice: a `bytea[]` parameter is
 * sent as text (every byte as two hex digits inside an array literal), which PostgreSQL then had
 * to parse, and that cost more of its CPU than storing the row (docs/adr/0019).
 */
const INSERT_GROUP = `
  INSERT INTO webhook_deliveries (shop_id, channel, delivery_id, topic, triggered_at, raw_body, raw_body_is_text, status, error, processed_at)
  SELECT s.id, v.channel, v.delivery_id, v.topic, v.triggered_at, substring($6::bytea FROM v.body_start FOR v.body_length), v.body_is_text,
         CASE WHEN s.id IS NULL THEN 'failed' ELSE 'received' END,
         CASE WHEN s.id IS NULL THEN 'unknown shop ' || v.shop_domain || ': no shop with this domain is installed' END,
         CASE WHEN s.id IS NULL THEN now() END
    FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $7::int[], $8::int[], $9::boolean[])
         WITH ORDINALITY AS v(shop_domain, channel, delivery_id, topic, triggered_at, body_start, body_length, body_is_text, position)
    LEFT JOIN shops s ON s.domain = v.shop_domain
   ORDER BY v.position
  ON CONFLICT (channel, delivery_id) DO NOTHING
  RETURNING id, shop_id, channel, delivery_id`;

async function insertGroup(pool: pg.Pool, deliveries: readonly ShopDelivery[]): Promise<Map<string, { id: number; shopId: string | null }>> {
  const result = await pool.query<{ id: string | number; shop_id: string | null; channel: string; delivery_id: string }>({
    name: "switchyard-store-delivery-group",
    text: INSERT_GROUP,
    values: [
      deliveries.map((d) => d.shopDomain),
      deliveries.map((d) => d.channel),
      deliveries.map((d) => d.deliveryId),
      deliveries.map((d) => d.topic),
      deliveries.map((d) => d.triggeredAt?.toISOString() ?? null),
      Buffer.concat(deliveries.map((d) => d.rawBody)),
      bodyStarts(deliveries),
      deliveries.map((d) => d.rawBody.length),
      deliveries.map((d) => rawBodyIsText(d.rawBody)),
    ],
  });
  return new Map(result.rows.map((row) => [deliveryKey({ channel: row.channel, deliveryId: row.delivery_id }), { id: Number(row.id), shopId: row.shop_id }]));
}

/** Where each body starts (1-based, as substring counts) in the concatenated parameter. */
function bodyStarts(deliveries: readonly ShopDelivery[]): number[] {
  let at = 1;
  return deliveries.map((d) => {
    const start = at;
    at += d.rawBody.length;
    return start;
  });
}

/** The pool under a drizzle database (drizzle keeps it as `$client`): for a named, prepared statement. */
function poolOf(db: Database): pg.Pool {
  const pool = (db as unknown as { $client?: pg.Pool }).$client;
  if (!pool) throw new Error("the database handle has no pool");
  return pool;
}
