DROP INDEX "webhook_deliveries_resource_idx";--> statement-breakpoint
ALTER TABLE "webhook_deliveries" ADD COLUMN "raw_body_is_text" boolean DEFAULT false NOT NULL;--> statement-breakpoint
CREATE INDEX "webhook_deliveries_resource_idx" ON "webhook_deliveries" USING btree ("channel","resource_id","triggered_at") WHERE resource_id IS NOT NULL;--> statement-breakpoint
-- Bodies are stored uncompressed (out of line, as before): pglz compressing a 7 KB order body cost
-- the ingress's INSERT ~60 µs of PostgreSQL's CPU per delivery, ~40 % of it (docs/adr/0019).
ALTER TABLE "webhook_deliveries" ALTER COLUMN "raw_body" SET STORAGE EXTERNAL;
