DROP INDEX "orders_shop_channel_created_idx";--> statement-breakpoint
CREATE INDEX "orders_shop_channel_created_idx" ON "orders" USING btree ("shop_id",lower("channel"),"created_at");