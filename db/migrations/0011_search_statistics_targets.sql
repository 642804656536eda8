-- Search asks each trigram index for the rare part of a term, judged from PostgreSQL's own
-- statistics of the indexed text (ADR 0010). A 300-value sample (three times the default)
-- tells a trigram in a fraction of a percent of the rows from one in every row, and stays
-- cheap to read on every search and for the planner's estimates. A database with orders takes the
-- larger sample now (ANALYZE takes only a lock that lets writes through, and reads a sample,
-- not the tables); an empty one is left unanalysed, so the planner does not take it for one
-- that stays empty, and autovacuum analyses it once orders arrive.
ALTER INDEX "orders_search_trgm_idx" ALTER COLUMN 1 SET STATISTICS 300;
--> statement-breakpoint
ALTER TABLE "order_lines" ALTER COLUMN "sku" SET STATISTICS 300;
--> statement-breakpoint
ALTER INDEX "variants_search_trgm_idx" ALTER COLUMN 1 SET STATISTICS 300;
--> statement-breakpoint
ALTER TABLE "products" ALTER COLUMN "title" SET STATISTICS 300;
--> statement-breakpoint
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM "orders") THEN
    ANALYZE "orders", "order_lines", "variants", "products";
  END IF;
END
$$;
