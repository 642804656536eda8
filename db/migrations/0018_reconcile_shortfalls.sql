CREATE TABLE "stock_reconcile_shortfalls" (
	"connection_id" uuid NOT NULL,
	"figure_key" text NOT NULL,
	"shop_id" uuid NOT NULL,
	"pushed" integer NOT NULL,
	"shown" integer NOT NULL,
	"first_seen_at" timestamp with time zone NOT NULL,
	CONSTRAINT "stock_reconcile_shortfalls_connection_id_figure_key_pk" PRIMARY KEY("connection_id","figure_key")
);
--> statement-breakpoint
ALTER TABLE "stock_reconcile_shortfalls" ADD CONSTRAINT "stock_reconcile_shortfalls_connection_id_channel_connections_id_fk" FOREIGN KEY ("connection_id") REFERENCES "public"."channel_connections"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "stock_reconcile_shortfalls" ADD CONSTRAINT "stock_reconcile_shortfalls_shop_id_shops_id_fk" FOREIGN KEY ("shop_id") REFERENCES "public"."shops"("id") ON DELETE cascade ON UPDATE no action;