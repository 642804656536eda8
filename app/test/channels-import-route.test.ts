import { beforeAll, describe, expect, it } from "vitest";
import { createConnection } from "../../tests/helpers/channel-fixtures";
import { createShop } from "../../tests/helpers/ledger-fixtures";
import { action as importAction } from "../routes/app.channels.$connectionId.import";
import { loader as channelsLoader } from "../routes/app.channels";
import { callAction, callLoader, readJson, thrownResponse, useDemoAdmin } from "./route-test-kit";

const context = useDemoAdmin();

beforeAll(async () => {
});

describe("import from Shopify (Channels page)", () => {
  it("queues one import per connection, answers the same run to a second click, and the Channels page shows it", async () => {
    const connection = await createConnection(context.database.db, context.demoShop.id, { name: "Demo Shopify", locationIds: [] });
    const path = `/app/channels/${connection.id}/import`;

    const first = await callAction(importAction, path, {}, { connectionId: connection.id });
    expect(first.status).toBe(202);
    const { importRunId } = await readJson(first);
    const second = await callAction(importAction, path, {}, { connectionId: connection.id });
    expect(second.status).toBe(200);
    expect(await readJson(second)).toEqual({ importRunId, alreadyRequested: true });

    const page = await readJson(await callLoader(channelsLoader, "/app/channels"));
    expect(page.imports[connection.id]).toMatchObject({ id: importRunId, status: "queued", progress: {}, counts: {} });
  });

  it("refuses a connection of another shop, another channel, or a malformed id", async () => {
    const other = await createShop(context.database.db);
    const foreign = await createConnection(context.database.db, other.id, { locationIds: [] });
    expect((await callAction(importAction, "/x", {}, { connectionId: foreign.id })).status).toBe(404);
    const amazon = await createConnection(context.database.db, context.demoShop.id, { channel: "amazon", locationIds: [] });
    expect((await callAction(importAction, "/x", {}, { connectionId: amazon.id })).status).toBe(422);
    expect((await thrownResponse(callAction(importAction, "/x", {}, { connectionId: "nope" }))).status).toBe(400);
  });
});
