CREATE TABLE "order_day_rollups" (
	"shop_id" uuid NOT NULL,
	"day" date NOT NULL,
	"channel" text NOT NULL,
	"location_id" uuid,
	"orders" integer NOT NULL,
	"cancelled_orders" integer NOT NULL,
	"units" integer NOT NULL,
	CONSTRAINT "order_day_rollups_key" UNIQUE NULLS NOT DISTINCT("shop_id","day","channel","location_id")
);
--> statement-breakpoint
CREATE TABLE "rollup_watermarks" (
	"shop_id" uuid NOT NULL,
	"rollup" text NOT NULL,
	"orders_updated_before" timestamp with time zone NOT NULL,
	"refreshed_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "rollup_watermarks_shop_id_rollup_pk" PRIMARY KEY("shop_id","rollup")
);
--> statement-breakpoint
DROP INDEX "orders_shop_status_idx";--> statement-breakpoint
ALTER TABLE "order_day_rollups" ADD CONSTRAINT "order_day_rollups_shop_id_shops_id_fk" FOREIGN KEY ("shop_id") REFERENCES "public"."shops"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "order_day_rollups" ADD CONSTRAINT "order_day_rollups_location_id_locations_id_fk" FOREIGN KEY ("location_id") REFERENCES "public"."locations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rollup_watermarks" ADD CONSTRAINT "rollup_watermarks_shop_id_shops_id_fk" FOREIGN KEY ("shop_id") REFERENCES "public"."shops"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "variants_product_idx" ON "variants" USING btree ("product_id");--> statement-breakpoint
CREATE INDEX "channel_listings_push_error_idx" ON "channel_listings" USING btree ("connection_id") WHERE "channel_listings"."last_push_error" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "inventory_levels_location_idx" ON "inventory_levels" USING btree ("location_id","on_hand","reserved");--> statement-breakpoint
CREATE INDEX "allocations_location_idx" ON "allocations" USING btree ("location_id","order_id");--> statement-breakpoint
CREATE INDEX "orders_shop_number_idx" ON "orders" USING btree ("shop_id","number");--> statement-breakpoint
CREATE INDEX "shipments_location_idx" ON "shipments" USING btree ("location_id","order_id");--> statement-breakpoint
CREATE INDEX "exceptions_order_idx" ON "exceptions" USING btree ("order_id");--> statement-breakpoint
CREATE INDEX "orders_shop_status_idx" ON "orders" USING btree ("shop_id","status","placed_at");