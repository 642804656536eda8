CREATE TABLE "product_day_sales" (
	"shop_id" uuid NOT NULL,
	"day" date NOT NULL,
	"channel" text NOT NULL,
	"product_id" uuid,
	"units" integer NOT NULL,
	CONSTRAINT "product_day_sales_key" UNIQUE NULLS NOT DISTINCT("shop_id","day","channel","product_id")
);
--> statement-breakpoint
CREATE TABLE "return_day_rollups" (
	"shop_id" uuid NOT NULL,
	"day" date NOT NULL,
	"channel" text NOT NULL,
	"product_id" uuid,
	"reason" text NOT NULL,
	"units" integer NOT NULL,
	"returns" integer NOT NULL,
	CONSTRAINT "return_day_rollups_key" UNIQUE NULLS NOT DISTINCT("shop_id","day","channel","product_id","reason")
);
--> statement-breakpoint
ALTER TABLE "product_day_sales" ADD CONSTRAINT "product_day_sales_shop_id_shops_id_fk" FOREIGN KEY ("shop_id") REFERENCES "public"."shops"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "product_day_sales" ADD CONSTRAINT "product_day_sales_product_id_products_id_fk" FOREIGN KEY ("product_id") REFERENCES "public"."products"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "return_day_rollups" ADD CONSTRAINT "return_day_rollups_shop_id_shops_id_fk" FOREIGN KEY ("shop_id") REFERENCES "public"."shops"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "return_day_rollups" ADD CONSTRAINT "return_day_rollups_product_id_products_id_fk" FOREIGN KEY ("product_id") REFERENCES "public"."products"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "return_lines_variant_idx" ON "return_lines" USING btree ("variant_id");--> statement-breakpoint
CREATE INDEX "returns_shop_updated_idx" ON "returns" USING btree ("shop_id","updated_at");--> statement-breakpoint
CREATE INDEX "returns_shop_requested_idx" ON "returns" USING btree ("shop_id","requested_at");