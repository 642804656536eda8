import type pg from "pg";

/**
 * Seeds one shop with a year of orders for bench:admin, set-based in SQL: every table is filled
 * by INSERT ... SELECT over generate_series in chunks, so a million orders take minutes.
 *
 * Ids are md5 of a seed-scoped key, so a line, its allocation and its shipment can name their
 * order without a join. The shape follows a real store: four channels, 1-3 lines per order,
 * most orders delivered, a few on hold or backordered with an open exception, the newest ones
 * still reserved (and the stock levels carry those reservations, with ledger movements that
 * sum to them).
 */
export interface AdminSeedOptions {
  shopId: string;
  orders: number;
  skus: number;
  locations: number;
  /** Orders per INSERT statement; progress is printed after each chunk. */
  chunk?: number;
  log?: (line: string) => void;
}

export const SEED_CHANNELS = ["shopify", "amazon", "ebay", "woocommerce"] as const;
const FIRST_NAMES = ["Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "John", "Margaret", "Dennis", "Ken", "Radia", "Tim", "Katherine", "Claude", "Hedy", "Linus", "Sophie", "Niklaus", "Leslie"];
// "Lovelace" is one of 40 surnames: a common search term with ~2.5% of the orders.
const LAST_NAMES = ["Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Allen", "McCarthy", "Hamilton", "Ritchie", "Thompson", "Perlman", "Berners-Lee", "Johnson", "Shannon", "Lamarr", "Torvalds", "Wilson", "Wirth", "Lamport", "Backus", "Kay", "Cerf", "Kahn", "Engelbart", "Hoare", "Milner", "Codd", "Gray", "Stonebraker", "Naur", "Iverson", "Floyd", "Tarjan", "Karp", "Cook", "Rivest", "Shamir", "Adleman", "Diffie"];

function sqlArray(values: readonly string[]): string {
  return `ARRAY[${values.map((value) => `'${value.replace(/'/g, "''")}'`).join(",")}]`;
}

/** The SKU text of variant number `index`, as seeded. */
export function seededSku(index: number): string {
  return `SKU-${String(index).padStart(6, "0")}`;
}

export async function seedAdminShop(client: Pick<pg.ClientBase, "query">, options: AdminSeedOptions): Promise<void> {
  const { shopId, orders: orderCount, skus, locations: locationCount } = options;
  const chunk = options.chunk ?? 100_000;
  const log = options.log ?? (() => {});
  const q = (text: string, values: unknown[] = []) => client.query(text, values);
  // Deterministic per-seed uuids: md5 of "<shop>:<kind>:<n>".
  const uid = (kind: string, expr: string) => `md5($1::text || ':${kind}:' || (${expr}))::uuid`;

  // The rows are consistent by construction: skip the per-row foreign-key triggers (the
  // bench's own superuser cluster) and the wait for each commit's flush.
  await q("SET session_replication_role = replica");
  await q("SET synchronous_commit = off");
  await q("SELECT setseed(0.42)");
  await q(
    `INSERT INTO locations (id, shop_id, name, kind, address1, city, country_code, priority, latitude, longitude)
     SELECT ${uid("loc", "n")}, $1::uuid, 'Location ' || n, CASE WHEN n = 0 THEN 'warehouse' WHEN n = 1 THEN '3pl' ELSE 'store' END,
            n || ' Bench Way', 'City ' || n, 'US', n + 1, 30 + n, -90 - n
       FROM generate_series(0, $2 - 1) n`,
    [shopId, locationCount],
  );
  await q(
    `INSERT INTO products (id, shop_id, title, vendor)
     SELECT ${uid("prod", "n")}, $1::uuid, 'Product ' || n, 'Vendor ' || (n % 50)
       FROM generate_series(0, ($2 + 1) / 2 - 1) n`,
    [shopId, skus],
  );
  await q(
    `INSERT INTO variants (id, shop_id, product_id, sku, title, barcode, external_id, price_minor, weight_grams)
     SELECT ${uid("var", "n")}, $1::uuid, ${uid("prod", "n / 2")}, 'SKU-' || lpad(n::text, 6, '0'),
            CASE WHEN n % 2 = 0 THEN 'Small' ELSE 'Large' END, (400000000000 + n)::text,
            'gid://shopify/ProductVariant/' || (7000000000 + n), 500 + (n % 200) * 100, 100 + n % 900
       FROM generate_series(0, $2 - 1) n`,
    [shopId, skus],
  );
  log(`seeded ${locationCount} locations, ${skus} SKUs`);

  await q(
    `INSERT INTO channel_connections (id, shop_id, channel, name, status, last_push_at)
     SELECT ${uid("conn", "c")}, $1::uuid, c, initcap(c), 'connected', now() - interval '5 minutes'
       FROM unnest(${sqlArray(SEED_CHANNELS)}) c`,
    [shopId],
  );
  await q(
    `INSERT INTO channel_locations (connection_id, location_id)
     SELECT ${uid("conn", "c")}, ${uid("loc", "n")}
       FROM unnest(${sqlArray(SEED_CHANNELS)}) c, generate_series(0, $2 - 1) n`,
    [shopId, locationCount],
  );
  await q(
    `INSERT INTO channel_listings (shop_id, connection_id, variant_id, external_id, external_sku, last_pushed_available, last_pushed_at)
     SELECT $1::uuid, ${uid("conn", "c")}, ${uid("var", "n")}, c || '-listing-' || n, 'SKU-' || lpad(n::text, 6, '0'), 10, now() - interval '1 hour'
       FROM unnest(${sqlArray(SEED_CHANNELS)}) c, generate_series(0, $2 - 1) n`,
    [shopId, skus],
  );
  log(`seeded ${SEED_CHANNELS.length} channel connections with ${SEED_CHANNELS.length * skus} listings`);

  // Order i is placed (N - i) / N of a year ago, so i grows with time and the newest are last.
  // h is a stable per-order hash that picks channel, status and customer.
  const orderSelect = `
    WITH o AS (
      SELECT i, abs(hashint4(i)::bigint) % 1000 AS h, $2::int AS location_count,
             now() - ((($3::bigint - i)::float8 / $3) * interval '365 days') - (abs(hashint4(i + 1)::bigint) % 3600) * interval '1 second' AS placed
        FROM generate_series($4::int, $5::int) i)
    SELECT o.*, CASE WHEN h < 550 THEN 'shopify' WHEN h < 800 THEN 'amazon' WHEN h < 900 THEN 'ebay' ELSE 'woocommerce' END AS channel,
           CASE WHEN h % 97 = 0 THEN 'cancelled'
                WHEN h IN (1, 501, 901) THEN 'on_hold'
                WHEN h IN (2, 302, 602, 802, 952) THEN 'backordered'
                WHEN placed > now() - interval '2 days' THEN 'reserved'
                WHEN placed > now() - interval '6 days' THEN 'shipped'
                ELSE 'delivered' END AS status
      FROM o`;
  for (let start = 0; start < orderCount; start += chunk) {
    const end = Math.min(orderCount, start + chunk) - 1;
    const params = [shopId, locationCount, orderCount, start, end];
    await q(
      `INSERT INTO orders (id, shop_id, channel, external_id, number, status, financial_status, customer_name, customer_email,
                           customer_phone, customer_external_id, shipping_address, currency, subtotal_minor, shipping_minor,
                           tax_minor, total_minor, placed_at, source_updated_at, cancelled_at, created_at, updated_at)
       SELECT ${uid("order", "i")}, $1::uuid, channel,
              CASE channel WHEN 'shopify' THEN 'gid://shopify/Order/' || (5000000000 + i)
                           WHEN 'amazon' THEN '114-' || lpad((i::bigint * 7919 % 10000000)::text, 7, '0') || '-' || lpad(i::text, 7, '0')
                           WHEN 'ebay' THEN '27-' || (10000 + i % 90000) || '-' || lpad(i::text, 5, '0')
                           ELSE 'woo-' || i END,
              CASE channel WHEN 'shopify' THEN '#' || (1001 + i) WHEN 'amazon' THEN 'A-' || (1001 + i)
                           WHEN 'ebay' THEN 'E-' || (1001 + i) ELSE 'W-' || (1001 + i) END,
              status, CASE WHEN status = 'cancelled' THEN 'refunded' ELSE 'paid' END,
              (${sqlArray(FIRST_NAMES)})[1 + h % ${FIRST_NAMES.length}] || ' ' || (${sqlArray(LAST_NAMES)})[1 + (abs(hashint4(i + 7)::bigint) % ${LAST_NAMES.length})],
              'customer' || i || '@example.com',
              '+1-555-' || lpad((i % 10000000)::text, 7, '0'),
              'cust-' || (i % 400000),
              jsonb_build_object('name', 'Customer ' || i, 'line1', (i % 900 + 1) || ' Main St', 'city', 'Denver', 'region', 'CO',
                                 'postalCode', '80202', 'countryCode', 'US'),
              'USD', 5000, 500, 400, 5900, placed, placed,
              CASE WHEN status = 'cancelled' THEN placed + interval '1 hour' END,
              placed, placed + CASE WHEN status IN ('delivered', 'shipped') THEN interval '2 days' ELSE interval '1 minute' END
         FROM (${orderSelect}) x`,
      params,
    );
    // 1-3 lines per order; SKUs spread over the catalogue.
    await q(
      `INSERT INTO order_lines (id, shop_id, order_id, external_line_id, variant_id, sku, title, quantity, unit_price_minor)
       SELECT ${uid("line", "i || '-' || l")}, $1::uuid, ${uid("order", "i")}, i || '-' || l, ${uid("var", "v")},
              'SKU-' || lpad(v::text, 6, '0'), 'Product ' || (v / 2), 1 + l % 2, 2500
         FROM (SELECT i, l, (hashint8(i::bigint * 7 + l) & 9223372036854775807) % $6 AS v
                 FROM (${orderSelect}) x, generate_series(1, 1 + i % 3) l) y`,
      [...params, skus],
    );
    // Shipped and delivered orders have one shipment from one location; their lines' allocations shipped with it.
    await q(
      `INSERT INTO shipments (id, shop_id, order_id, location_id, status, carrier, service, tracking_number, created_at, shipped_at, delivered_at,
                              channel_confirmed_at)
       SELECT ${uid("ship", "i")}, $1::uuid, ${uid("order", "i")}, ${uid("loc", "i % $2")}, status, 'UPS', 'Ground', '1Z' || lpad(i::text, 16, '0'),
              placed + interval '1 day', placed + interval '1 day', CASE WHEN status = 'delivered' THEN placed + interval '3 days' END,
              placed + interval '1 day'
         FROM (${orderSelect}) x WHERE status IN ('shipped', 'delivered')`,
      params,
    );
    await q(
      `INSERT INTO allocations (shop_id, order_id, order_line_id, variant_id, location_id, quantity, status, shipment_id, created_at, updated_at)
       SELECT $1::uuid, ${uid("order", "i")}, ${uid("line", "i || '-' || l")}, ${uid("var", "(hashint8(i::bigint * 7 + l) & 9223372036854775807) % $6")},
              ${uid("loc", "i % $2")}, 1 + l % 2,
              CASE WHEN status = 'reserved' THEN 'reserved' ELSE 'shipped' END,
              CASE WHEN status = 'reserved' THEN NULL ELSE ${uid("ship", "i")} END, placed, placed
         FROM (${orderSelect}) x, generate_series(1, 1 + i % 3) l
        WHERE status IN ('reserved', 'shipped', 'delivered')`,
      [...params, skus],
    );
    await q(
      `INSERT INTO order_events (shop_id, order_id, kind, message, actor, created_at)
       SELECT $1::uuid, ${uid("order", "i")}, e.kind, e.message, 'system', placed + e.delay
         FROM (${orderSelect}) x
         CROSS JOIN LATERAL (VALUES ('received', 'Order received from ' || channel, interval '0'),
                                    ('reserved', 'Stock reserved', interval '1 second'),
                                    ('shipped', 'Shipped with UPS', interval '1 day')) e(kind, message, delay)
        WHERE e.kind = 'received' OR (e.kind = 'reserved' AND status NOT IN ('on_hold', 'backordered', 'cancelled'))
           OR (e.kind = 'shipped' AND status IN ('shipped', 'delivered'))`,
      params,
    );
    await q(
      `INSERT INTO exceptions (shop_id, order_id, kind, status, message, created_at)
       SELECT $1::uuid, ${uid("order", "i")}, CASE WHEN status = 'on_hold' THEN 'high_risk' ELSE 'partial_stock' END,
              CASE WHEN placed > now() - interval '60 days' THEN 'open' ELSE 'resolved' END,
              CASE WHEN status = 'on_hold' THEN 'High risk order' ELSE 'Not enough stock for every line' END, placed
         FROM (${orderSelect}) x WHERE status IN ('on_hold', 'backordered')`,
      params,
    );
    log(`seeded orders ${start}..${end} of ${orderCount}`);
  }

  // Stock: every SKU at every location, with on hand covering what the reserved allocations hold.
  await q(
    `INSERT INTO inventory_levels (shop_id, variant_id, location_id, on_hand, reserved)
     SELECT $1::uuid, ${uid("var", "v")}, ${uid("loc", "n")}, coalesce(r.reserved, 0) + abs(hashint4(v * 31 + n)::bigint) % 200, coalesce(r.reserved, 0)
       FROM generate_series(0, $2 - 1) v CROSS JOIN generate_series(0, $3 - 1) n
       LEFT JOIN (SELECT variant_id, location_id, sum(quantity)::int AS reserved FROM allocations
                   WHERE shop_id = $1::uuid AND status = 'reserved' GROUP BY 1, 2) r
              ON r.variant_id = ${uid("var", "v")} AND r.location_id = ${uid("loc", "n")}`,
    [shopId, skus, locationCount],
  );
  await q(
    `INSERT INTO inventory_movements (shop_id, variant_id, location_id, kind, quantity, on_hand_delta, reserved_delta, cause_type, cause_id, actor, created_at)
     SELECT shop_id, variant_id, location_id, 'receive', on_hand, on_hand, 0, 'receipt', 'bench-seed', 'bench', now() - interval '366 days'
       FROM inventory_levels WHERE shop_id = $1::uuid AND on_hand > 0
     UNION ALL
     SELECT shop_id, variant_id, location_id, 'reserve', reserved, 0, reserved, 'order_line', 'bench-seed', 'bench', now() - interval '1 day'
       FROM inventory_levels WHERE shop_id = $1::uuid AND reserved > 0`,
    [shopId],
  );
  log(`seeded ${skus * locationCount} inventory levels with their ledger movements`);
  await q("SET session_replication_role = DEFAULT");
  // Vacuumed and analysed as autovacuum leaves a live database, so index-only scans are real.
  await q("VACUUM ANALYZE");
}
