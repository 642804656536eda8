-- Routing's risk check (risk-repository.ts) counts, for each order it routes, the customer's
-- earlier orders and the recent orders to the same email and the same street. Without an index
-- each count read every earlier order of the shop: at a flash sale the checks grew with the
-- square of the orders (5 ms each at 3,000 orders, the largest share of PostgreSQL's time in
-- bench:intake), and a shop with a million orders would read them all for every order. These
-- two indexes make each count a short range scan. They lead with the email and the street, not
-- the shop: the query compares the shop as text, so that no shop-first index (whose estimates are
-- wrong for a shop newer than the statistics) can be chosen instead.
CREATE INDEX IF NOT EXISTS "orders_customer_email_idx" ON "orders" (lower("customer_email"), "placed_at");
--> statement-breakpoint
-- The street an order ships to, as the risk rules compare it (lower-cased line 1, postal code
-- and country); NULL when the address has no line 1 or country.
CREATE OR REPLACE FUNCTION order_ship_to_key(address jsonb) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT lower((address->>'line1') || '|' || coalesce(address->>'postalCode', '') || '|' || (address->>'countryCode')) $$;
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "orders_ship_to_idx" ON "orders" (order_ship_to_key("shipping_address"), "placed_at");
--> statement-breakpoint
-- Statistics for the two new expressions now, so the planner sees how selective they are from the
-- first routed order on (an empty table is left to autovacuum, as in 0011).
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM "orders") THEN
    ANALYZE "orders";
  END IF;
END
$$;
