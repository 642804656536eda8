CREATE TABLE "return_label_purchases" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"shop_id" uuid NOT NULL,
	"return_id" uuid NOT NULL,
	"attempt" integer NOT NULL,
	"idempotency_key" text NOT NULL,
	"state" text NOT NULL,
	"provider" text NOT NULL,
	"provider_shipment_id" text NOT NULL,
	"rate_id" text NOT NULL,
	"carrier" text NOT NULL,
	"service" text NOT NULL,
	"amount_minor" bigint NOT NULL,
	"currency" text NOT NULL,
	"explanation" text,
	"error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "return_label_purchases_return_attempt" UNIQUE("return_id","attempt"),
	CONSTRAINT "return_label_purchases_idempotency_key" UNIQUE("idempotency_key")
);
--> statement-breakpoint
ALTER TABLE "returns" ADD COLUMN "tracking_url" text;--> statement-breakpoint
ALTER TABLE "returns" ADD COLUMN "provider_shipment_id" text;--> statement-breakpoint
ALTER TABLE "returns" ADD COLUMN "tracker_id" text;--> statement-breakpoint
ALTER TABLE "returns" ADD COLUMN "tracking_status" text;--> statement-breakpoint
ALTER TABLE "returns" ADD COLUMN "tracking_updated_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "returns" ADD COLUMN "label_error" text;--> statement-breakpoint
ALTER TABLE "returns" ADD COLUMN "channel_return_id" text;--> statement-breakpoint
ALTER TABLE "returns" ADD COLUMN "channel_sync_state" text;--> statement-breakpoint
ALTER TABLE "returns" ADD COLUMN "channel_sync_error" text;--> statement-breakpoint
ALTER TABLE "returns" ADD COLUMN "channel_synced_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "returns" ADD COLUMN "channel_refund_id" text;--> statement-breakpoint
ALTER TABLE "return_label_purchases" ADD CONSTRAINT "return_label_purchases_shop_id_shops_id_fk" FOREIGN KEY ("shop_id") REFERENCES "public"."shops"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "return_label_purchases" ADD CONSTRAINT "return_label_purchases_return_id_returns_id_fk" FOREIGN KEY ("return_id") REFERENCES "public"."returns"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "returns_tracker_idx" ON "returns" USING btree ("shop_id","tracker_id");--> statement-breakpoint
ALTER TABLE "returns" ADD CONSTRAINT "returns_shop_channel_return" UNIQUE("shop_id","channel_return_id");