import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { wmsEndpoints } from "../../db/schema";
import { createLocation } from "../../tests/helpers/ledger-fixtures";
import { loader as indexLoader } from "../routes/app.pick-lists._index";
import { action as locationAction, loader as locationLoader } from "../routes/app.pick-lists.$locationId";
import { loader as pdfLoader } from "../routes/app.pick-waves.$waveId[.pdf]";
import { callAction, callLoader, readJson, thrownResponse, useDemoAdmin } from "./route-test-kit";

/** The pick-list pages: per-location waves and WMS endpoints, validated input, the PDF route. */

const context = useDemoAdmin();
let locationId: string;

beforeAll(async () => {
  locationId = (await createLocation(context.database.db, context.demoShop.id, { name: "Pick DC" })).id;
});

const act = (form: Record<string, string>) => callAction(locationAction, `/app/pick-lists/${locationId}`, form, { locationId });

describe("pick list pages", () => {
  it("lists locations with what is ready to pick", async () => {
    const body = await readJson(await callLoader(indexLoader, "/app/pick-lists"));
    expect(body.locations).toEqual([{ id: locationId, name: "Pick DC", ready: 0, waves: 0 }]);
    const page = await readJson(await callLoader(locationLoader, `/app/pick-lists/${locationId}`, { locationId }));
    expect(page).toMatchObject({ ready: 0, waves: [], endpoints: [], waveSize: 25 });
    expect((await thrownResponse(callLoader(locationLoader, "/app/pick-lists/nope", { locationId: "nope" }))).status).toBe(404);
  });

  it("refuses a wave with nothing to pick, and a WMS URL that is not one", async () => {
    const wave = await act({ intent: "create_wave" });
    expect(wave.status).toBe(409);
    expect(await readJson(wave)).toMatchObject({ ok: false, reason: "nothing_to_pick" });
    const bad = await act({ intent: "add_wms_endpoint", url: "wms.example.com" });
    expect(bad.status).toBe(400);
    expect(await readJson(bad)).toMatchObject({ ok: false, fieldError: "Enter the endpoint's full URL" });
  });

  it("adds a WMS endpoint, shows its secret once and keeps only the ciphertext", async () => {
    const added = await readJson(await act({ intent: "add_wms_endpoint", url: "https://wms.example.com/hook" }));
    expect(added).toMatchObject({ ok: true });
    expect(added.secret).toMatch(/^[A-Za-z0-9_-]{32}$/);
    const [row] = await context.database.db.select().from(wmsEndpoints).where(eq(wmsEndpoints.url, "https://wms.example.com/hook"));
    expect(row!.secretEncrypted).not.toContain(added.secret);
    const page = await readJson(await callLoader(locationLoader, `/app/pick-lists/${locationId}`, { locationId }));
    expect(page.endpoints.map((e: { url: string }) => e.url)).toEqual(["https://wms.example.com/hook"]);
    expect(await readJson(await act({ intent: "remove_wms_endpoint", endpointId: row!.id }))).toMatchObject({ ok: true });
  });

  it("answers 404 for a pick list PDF of an unknown wave", async () => {
    const response = await callLoader(pdfLoader, "/app/pick-waves/00000000-0000-4000-8000-000000000000.pdf", { waveId: "00000000-0000-4000-8000-000000000000" });
    expect(response.status).toBe(404);
  });
});
