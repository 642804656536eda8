DROP INDEX "inventory_levels_location_idx";--> statement-breakpoint
CREATE INDEX "inventory_levels_location_idx" ON "inventory_levels" USING btree ("location_id");--> statement-breakpoint
-- Room on each page for a changed level's new version, so the update stays HOT (no index entry).
ALTER TABLE "inventory_levels" SET (fillfactor = 70);