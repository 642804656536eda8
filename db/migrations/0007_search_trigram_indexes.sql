-- Substring search (ILIKE '%term%') over order numbers, customers, phones, external ids and SKUs,
-- answered from trigram GIN indexes instead of a scan of the shop's whole history (ADR 0010).
-- pg_trgm ships with PostgreSQL, the embedded one included.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
--> statement-breakpoint
-- One text per order holding every field a merchant searches by; the unit separator (0x1f)
-- between fields keeps a search from matching across two of them. The phone is there twice,
-- as typed and without its punctuation, so "555 012 3456" and "+1-555-0123456" find each other
-- (translate, not regexp_replace: the index recheck evaluates this for every candidate row).
CREATE OR REPLACE FUNCTION order_search_text(
  number text, customer_name text, customer_email text, customer_phone text, external_id text, customer_external_id text
) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT number || E'\x1f' || coalesce(customer_name, '') || E'\x1f' || coalesce(customer_email, '') || E'\x1f'
      || coalesce(customer_phone, '') || E'\x1f' || coalesce(translate(customer_phone, ' +-().', ''), '') || E'\x1f'
      || external_id || E'\x1f' || coalesce(customer_external_id, '')
$$;
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "orders_search_trgm_idx" ON "orders" USING gin (
  order_search_text("number", "customer_name", "customer_email", "customer_phone", "external_id", "customer_external_id") gin_trgm_ops
);
--> statement-breakpoint
-- SKU search reads matching lines first, then their orders.
CREATE INDEX IF NOT EXISTS "order_lines_sku_trgm_idx" ON "order_lines" USING gin ("sku" gin_trgm_ops);
--> statement-breakpoint
CREATE OR REPLACE FUNCTION variant_search_text(sku text, title text, barcode text)
RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT sku || E'\x1f' || title || E'\x1f' || coalesce(barcode, '')
$$;
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "variants_search_trgm_idx" ON "variants" USING gin (variant_search_text("sku", "title", "barcode") gin_trgm_ops);
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "products_title_trgm_idx" ON "products" USING gin ("title" gin_trgm_ops);
