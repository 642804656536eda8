-- An order names the inbox row its payload arrived in instead of holding a copy (docs/adr/0022).
ALTER TABLE "orders" ADD COLUMN "source_delivery_id" bigint;--> statement-breakpoint
CREATE INDEX "orders_source_delivery_idx" ON "orders" USING btree ("source_delivery_id") WHERE source_delivery_id IS NOT NULL;