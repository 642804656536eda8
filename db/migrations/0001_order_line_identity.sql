CREATE TABLE "line_mappings" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"shop_id" uuid NOT NULL,
	"channel" text NOT NULL,
	"match_key" text NOT NULL,
	"variant_id" uuid NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "line_mappings_shop_channel_key" UNIQUE("shop_id","channel","match_key")
);
--> statement-breakpoint
ALTER TABLE "order_lines" ALTER COLUMN "sku" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "channel_listings" ADD COLUMN "external_variant_ref" text;--> statement-breakpoint
ALTER TABLE "order_lines" ADD COLUMN "channel_variant_ref" text;--> statement-breakpoint
ALTER TABLE "order_lines" ADD COLUMN "carries_stock" boolean DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE "order_lines" ADD COLUMN "fulfilled_quantity" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "line_mappings" ADD CONSTRAINT "line_mappings_shop_id_shops_id_fk" FOREIGN KEY ("shop_id") REFERENCES "public"."shops"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "line_mappings" ADD CONSTRAINT "line_mappings_variant_id_variants_id_fk" FOREIGN KEY ("variant_id") REFERENCES "public"."variants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "variants_shop_external_idx" ON "variants" USING btree ("shop_id","external_id");--> statement-breakpoint
CREATE INDEX "channel_listings_variant_ref_idx" ON "channel_listings" USING btree ("shop_id","external_variant_ref");