ALTER TABLE "inventory_movements" DROP CONSTRAINT "inventory_movements_shop_id_shops_id_fk";
--> statement-breakpoint
ALTER TABLE "allocations" DROP CONSTRAINT "allocations_shop_id_shops_id_fk";
--> statement-breakpoint
ALTER TABLE "allocations" DROP CONSTRAINT "allocations_order_id_orders_id_fk";
--> statement-breakpoint
ALTER TABLE "order_events" DROP CONSTRAINT "order_events_shop_id_shops_id_fk";
--> statement-breakpoint
ALTER TABLE "order_lines" DROP CONSTRAINT "order_lines_shop_id_shops_id_fk";
