-- The channel payload kept on each order (about 7.5 KB of Shopify JSON) is stored out of line
-- WITHOUT pglz compression (docs/adr/0018). Compressing it was ~70 µs of PostgreSQL's CPU per new
-- order (lz4 is not in the embedded build), about a third of the order row's INSERT, paid again
-- as decompression by every read (routing reads it for each order). It costs disk instead: about
-- 7.5 KB per order in orders' TOAST table where 2.7 KB was compressed. Rows already stored stay
-- compressed until rewritten; PostgreSQL reads both.
ALTER TABLE "orders" ALTER COLUMN "source_payload" SET STORAGE EXTERNAL;
