CREATE SEQUENCE "public"."stock_sync_generation" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1;--> statement-breakpoint
CREATE TABLE "stock_sync_dirty" (
	"connection_id" uuid NOT NULL,
	"variant_id" uuid NOT NULL,
	"shop_id" uuid NOT NULL,
	"generation" bigint DEFAULT nextval('stock_sync_generation') NOT NULL,
	"first_marked_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "stock_sync_dirty_connection_id_variant_id_pk" PRIMARY KEY("connection_id","variant_id")
);
--> statement-breakpoint
CREATE TABLE "stock_sync_pending" (
	"connection_id" uuid NOT NULL,
	"pending_id" text NOT NULL,
	"shop_id" uuid NOT NULL,
	"items" jsonb NOT NULL,
	"submitted_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "stock_sync_pending_connection_id_pending_id_pk" PRIMARY KEY("connection_id","pending_id")
);
--> statement-breakpoint
CREATE TABLE "stock_sync_runs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"shop_id" uuid NOT NULL,
	"connection_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"outcome" text NOT NULL,
	"finished_at" timestamp with time zone DEFAULT now() NOT NULL,
	"items" integer DEFAULT 0 NOT NULL,
	"calls" integer DEFAULT 0 NOT NULL,
	"latency_max_ms" integer,
	"latency_p50_ms" integer,
	"drift" integer DEFAULT 0 NOT NULL,
	"error" text
);
--> statement-breakpoint
ALTER TABLE "stock_sync_dirty" ADD CONSTRAINT "stock_sync_dirty_connection_id_channel_connections_id_fk" FOREIGN KEY ("connection_id") REFERENCES "public"."channel_connections"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "stock_sync_dirty" ADD CONSTRAINT "stock_sync_dirty_variant_id_variants_id_fk" FOREIGN KEY ("variant_id") REFERENCES "public"."variants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "stock_sync_dirty" ADD CONSTRAINT "stock_sync_dirty_shop_id_shops_id_fk" FOREIGN KEY ("shop_id") REFERENCES "public"."shops"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "stock_sync_pending" ADD CONSTRAINT "stock_sync_pending_connection_id_channel_connections_id_fk" FOREIGN KEY ("connection_id") REFERENCES "public"."channel_connections"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "stock_sync_pending" ADD CONSTRAINT "stock_sync_pending_shop_id_shops_id_fk" FOREIGN KEY ("shop_id") REFERENCES "public"."shops"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "stock_sync_runs" ADD CONSTRAINT "stock_sync_runs_shop_id_shops_id_fk" FOREIGN KEY ("shop_id") REFERENCES "public"."shops"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "stock_sync_runs" ADD CONSTRAINT "stock_sync_runs_connection_id_channel_connections_id_fk" FOREIGN KEY ("connection_id") REFERENCES "public"."channel_connections"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "stock_sync_dirty_shop_idx" ON "stock_sync_dirty" USING btree ("shop_id");--> statement-breakpoint
CREATE INDEX "stock_sync_runs_connection_idx" ON "stock_sync_runs" USING btree ("connection_id","finished_at");