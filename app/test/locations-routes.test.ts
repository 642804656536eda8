import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { locations } from "../../db/schema";
import { createLocation, createShop } from "../../tests/helpers/ledger-fixtures";
import { loader as locationsLoader } from "../routes/app.locations._index";
import { action as locationAction, loader as locationLoader } from "../routes/app.locations.$id";
import { callAction, callLoader, readJson, thrownResponse, useDemoAdmin } from "./route-test-kit";

const context = useDemoAdmin();

const validForm = {
  name: "Reno DC",
  kind: "warehouse",
  address1: "100 Logistics Way",
  address2: "",
  city: "Reno",
  region: "NV",
  postalCode: "89502",
  countryCode: "us",
  latitude: "39.5296",
  longitude: "-119.8138",
  canShip: "true",
  canPickup: "false",
  canCurbside: "false",
  dailyCapacity: "400",
  priority: "10",
  active: "true",
};

describe("location form", () => {
  it("creates a location from a valid form and returns to the list", async () => {
    const response = await callAction(locationAction, "/app/locations/new", validForm, { id: "new" });
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe("/app/locations");
    const [saved] = await context.database.db.select().from(locations).where(eq(locations.name, "Reno DC"));
    expect(saved).toMatchObject({
      shopId: context.demoShop.id,
      kind: "warehouse",
      countryCode: "US",
      latitude: 39.5296,
      longitude: -119.8138,
      canShip: true,
      canPickup: false,
      dailyCapacity: 400,
      priority: 10,
      active: true,
      address2: null,
    });
  });

  it("names every invalid field with a message a person can act on", async () => {
    const response = await callAction(
      locationAction,
      "/app/locations/new",
      { ...validForm, name: " ", kind: "garage", countryCode: "USA", latitude: "91", dailyCapacity: "-1", priority: "first" },
      { id: "new" },
    );
    expect(response.status).toBe(400);
    const { errors } = await readJson(response);
    expect(errors).toMatchObject({
      name: "Name is required",
      kind: "Choose warehouse, store or 3PL",
      countryCode: "Use the two-letter country code (US, GB, DE...)",
      latitude: "Latitude must be between -90 and 90",
      dailyCapacity: "Daily capacity cannot be negative",
      priority: "Priority must be a whole number",
    });
  });

  it("asks for both coordinates when only one is given", async () => {
    const response = await callAction(locationAction, "/app/locations/new", { ...validForm, name: "Half", longitude: "" }, { id: "new" });
    expect((await readJson(response)).errors.longitude).toBe("Give both latitude and longitude, or neither");
  });

  it("refuses a second location with the same name", async () => {
    const response = await callAction(locationAction, "/app/locations/new", validForm, { id: "new" });
    expect(response.status).toBe(409);
    expect((await readJson(response)).errors.name).toBe("Another location already has this name");
  });

  it("edits an existing location and shows its saved values", async () => {
    const location = await createLocation(context.database.db, context.demoShop.id, { name: "Brooklyn Store", kind: "store" });
    const response = await callAction(
      locationAction,
      `/app/locations/${location.id}`,
      { ...validForm, name: "Brooklyn Store", kind: "store", canPickup: "true", dailyCapacity: "", priority: "20", active: "false" },
      { id: location.id },
    );
    expect(response.status).toBe(302);
    const { form } = await readJson(await callLoader(locationLoader, `/app/locations/${location.id}`, { id: location.id }));
    expect(form).toMatchObject({ name: "Brooklyn Store", kind: "store", canPickup: true, dailyCapacity: "", active: false });
  });

  it("does not open or change another shop's location", async () => {
    const other = await createShop(context.database.db);
    const foreign = await createLocation(context.database.db, other.id, { name: "Foreign DC" });
    const loaded = await thrownResponse(callLoader(locationLoader, `/app/locations/${foreign.id}`, { id: foreign.id }));
    expect(loaded.status).toBe(404);
    const saved = await callAction(locationAction, `/app/locations/${foreign.id}`, { ...validForm, name: "Hijacked" }, { id: foreign.id });
    expect(saved.status).toBe(404);
    const [unchanged] = await context.database.db.select().from(locations).where(eq(locations.id, foreign.id));
    expect(unchanged!.name).toBe("Foreign DC");
  });

  it("lists the shop's locations by priority with their stock totals", async () => {
    const { locations: rows } = await readJson(await callLoader(locationsLoader, "/app/locations"));
    expect(rows.map((row: { name: string }) => row.name)).toEqual(["Reno DC", "Brooklyn Store"]);
    expect(rows[0]).toMatchObject({ unitsOnHand: 0, skusStocked: 0, canShip: true });
  });
});
