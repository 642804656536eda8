ALTER TABLE "inventory_movements" DROP CONSTRAINT "inventory_movements_variant_id_variants_id_fk";
--> statement-breakpoint
ALTER TABLE "inventory_movements" DROP CONSTRAINT "inventory_movements_location_id_locations_id_fk";
--> statement-breakpoint
ALTER TABLE "allocations" DROP CONSTRAINT "allocations_order_line_id_order_lines_id_fk";
--> statement-breakpoint
ALTER TABLE "allocations" DROP CONSTRAINT "allocations_variant_id_variants_id_fk";
--> statement-breakpoint
ALTER TABLE "allocations" DROP CONSTRAINT "allocations_location_id_locations_id_fk";
--> statement-breakpoint
ALTER TABLE "order_events" DROP CONSTRAINT "order_events_order_id_orders_id_fk";
--> statement-breakpoint
ALTER TABLE "order_lines" DROP CONSTRAINT "order_lines_order_id_orders_id_fk";
--> statement-breakpoint
-- What the dropped foreign keys did on delete, done once per deleting statement by the parent
-- (docs/adr/0026): intake inserts these rows by the hundred per batch, and each key checked
-- every inserted row with a query of its own. Transition tables make each a single join.
CREATE FUNCTION "orders_delete_children"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM "order_events" e USING gone g WHERE e."order_id" = g."id";
  DELETE FROM "order_lines" l USING gone g WHERE l."order_id" = g."id";
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER "orders_delete_children" AFTER DELETE ON "orders"
  REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION "orders_delete_children"();
--> statement-breakpoint
CREATE FUNCTION "order_lines_delete_allocations"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM "allocations" a USING gone g WHERE a."order_line_id" = g."id";
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER "order_lines_delete_allocations" AFTER DELETE ON "order_lines"
  REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION "order_lines_delete_allocations"();
--> statement-breakpoint
-- A variant or location that allocations hold units of (or did) stays, as the "no action" keys
-- kept it; once it can go, its ledger goes with it, as the cascading keys did.
CREATE FUNCTION "stock_owner_delete_ledger"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  column_name text := TG_ARGV[0];
  held uuid;
BEGIN
  EXECUTE format('SELECT a.%1$I FROM "allocations" a JOIN gone g ON a.%1$I = g."id" LIMIT 1', column_name) INTO held;
  IF held IS NOT NULL THEN
    RAISE EXCEPTION 'update or delete on table "%" violates the allocations that hold its units', TG_TABLE_NAME
      USING ERRCODE = 'foreign_key_violation', DETAIL = format('Key (id)=(%s) is still referenced from table "allocations".', held);
  END IF;
  EXECUTE format('DELETE FROM "inventory_movements" m USING gone g WHERE m.%1$I = g."id"', column_name);
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER "variants_delete_ledger" AFTER DELETE ON "variants"
  REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION "stock_owner_delete_ledger"('variant_id');
--> statement-breakpoint
CREATE TRIGGER "locations_delete_ledger" AFTER DELETE ON "locations"
  REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION "stock_owner_delete_ledger"('location_id');
