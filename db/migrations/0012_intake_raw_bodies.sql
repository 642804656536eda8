DROP INDEX "inventory_levels_shop_updated_idx";--> statement-breakpoint
ALTER TABLE "webhook_deliveries" ALTER COLUMN "payload" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "webhook_deliveries" ADD COLUMN "raw_body" "bytea";--> statement-breakpoint
ALTER TABLE "webhook_deliveries" ADD COLUMN "attempts" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "webhook_deliveries" ADD COLUMN "retry_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "webhook_deliveries_pending_idx" ON "webhook_deliveries" USING btree ("id") WHERE status = 'received';--> statement-breakpoint
CREATE INDEX "webhook_deliveries_pending_shop_idx" ON "webhook_deliveries" USING btree ("shop_id","id") WHERE status = 'received';