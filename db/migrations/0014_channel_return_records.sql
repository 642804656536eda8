CREATE TABLE "channel_return_records" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"shop_id" uuid NOT NULL,
	"connection_id" uuid NOT NULL,
	"channel" text NOT NULL,
	"external_return_id" text NOT NULL,
	"external_order_id" text,
	"channel_status" text,
	"stage" text,
	"payload" jsonb NOT NULL,
	"problem" text,
	"return_id" uuid,
	"first_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "channel_return_records_connection_external" UNIQUE("connection_id","external_return_id")
);
--> statement-breakpoint
ALTER TABLE "channel_return_records" ADD CONSTRAINT "channel_return_records_shop_id_shops_id_fk" FOREIGN KEY ("shop_id") REFERENCES "public"."shops"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "channel_return_records" ADD CONSTRAINT "channel_return_records_connection_id_channel_connections_id_fk" FOREIGN KEY ("connection_id") REFERENCES "public"."channel_connections"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "channel_return_records" ADD CONSTRAINT "channel_return_records_return_id_returns_id_fk" FOREIGN KEY ("return_id") REFERENCES "public"."returns"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "channel_return_records_problem_idx" ON "channel_return_records" USING btree ("shop_id","last_seen_at") WHERE "channel_return_records"."problem" IS NOT NULL;