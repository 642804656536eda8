import nock from "nock";
import { afterEach, beforeAll, afterAll, describe, expect, it } from "vitest";
import { AdminGraphqlClient } from "./admin-graphql-client.js";

const SHOP = "https://switchyard-test.myshopify.com";
const PATH = "/admin/api/2026-04/graphql.json";

/** A fake clock: sleeping advances time instantly and records every wait. */
function fakeClock(start = 1_700_000_000_000) {
  let t = start;
  const sleeps: number[] = [];
  return {
    now: () => t,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      t += ms;
    },
    advance: (ms: number) => (t += ms),
    sleeps,
  };
}

function cost(requested: number, available: number, actual: number | null = requested) {
  return { cost: { requestedQueryCost: requested, actualQueryCost: actual, throttleStatus: { maximumAvailable: 2000, currentlyAvailable: available, restoreRate: 100 } } };
}

const THROTTLED = (requested: number, available: number) => ({
  errors: [{ message: "Throttled", extensions: { code: "THROTTLED", documentation: "https://shopify.dev/api/usage/rate-limits" } }],
  extensions: cost(requested, available, null),
});

beforeAll(() => nock.disableNetConnect());
afterAll(() => nock.enableNetConnect());
afterEach(() => {
  const pending = nock.pendingMocks();
  nock.cleanAll();
  expect(pending).toEqual([]);
});

function client(clock: ReturnType<typeof fakeClock>, maxRetries = 3) {
  return new AdminGraphqlClient({ endpoint: `${SHOP}${PATH}`, accessToken: "shpat_test", now: clock.now, sleep: clock.sleep, maxRetries });
}

describe("AdminGraphqlClient", () => {
  it("posts the document with the access token and returns data with the cost", async () => {
    const clock = fakeClock();
    nock(SHOP, { reqheaders: { "x-shopify-access-token": "shpat_test", "content-type": "application/json" } })
      .post(PATH, (body: { query: string; variables: Record<string, unknown> }) => body.query.includes("shop") && body.variables.x === 1)
      .reply(200, { data: { shop: { name: "Test" } }, extensions: cost(1, 1999) });
    const result = await client(clock).request<{ shop: { name: string } }>("{ shop { name } }", { x: 1 });
    expect(result).toMatchObject({ ok: true, data: { shop: { name: "Test" } } });
    expect(result.ok && result.cost?.throttleStatus.currentlyAvailable).toBe(1999);
    expect(clock.sleeps).toEqual([]);
  });

  it("retries a THROTTLED answer after exactly the refill time the bucket needs", async () => {
    const clock = fakeClock();
    nock(SHOP)
      .post(PATH)
      .reply(200, THROTTLED(500, 120))
      .post(PATH)
      .reply(200, { data: { ok: 1 }, extensions: cost(500, 1500 - 500) });
    const result = await client(clock).request("{ big }");
    expect(result.ok).toBe(true);
    // (500 - 120) points at 100/s = 3.8 s
    expect(clock.sleeps).toEqual([3800]);
  });

  it("waits before sending when its own bucket estimate cannot pay the expected cost", async () => {
    const clock = fakeClock();
    const c = client(clock);
    nock(SHOP).post(PATH).reply(200, { data: { a: 1 }, extensions: cost(300, 50) });
    await c.request("query A { a }");
    expect(c.estimatedAvailable()).toBe(50);
    clock.advance(1000); // +100 points
    expect(c.estimatedAvailable()).toBe(150);
    nock(SHOP).post(PATH).reply(200, { data: { a: 1 }, extensions: cost(300, 0) });
    // The same document was seen costing 300; the bucket holds 150 -> wait 1.5 s first.
    const second = await c.request("query A { a }");
    expect(second.ok).toBe(true);
    expect(clock.sleeps).toEqual([1500]);
  });

  it("uses an explicit expectedCost for documents it has not seen", async () => {
    const clock = fakeClock();
    const c = client(clock);
    nock(SHOP).post(PATH).reply(200, { data: { a: 1 }, extensions: cost(10, 0) });
    await c.request("query A { a }");
    nock(SHOP).post(PATH).reply(200, { data: { b: 1 }, extensions: cost(10, 0) });
    await c.request("query B { b }", {}, { expectedCost: 250 });
    expect(clock.sleeps).toEqual([2500]);
  });

  it("gives up after the bounded number of retries with a typed failure", async () => {
    const clock = fakeClock();
    nock(SHOP).post(PATH).times(3).reply(200, THROTTLED(900, 0));
    const result = await client(clock, 2).request("{ big }");
    expect(result).toMatchObject({ ok: false, reason: "throttled", attempts: 3 });
    expect(clock.sleeps).toEqual([9000, 9000]);
  });

  it("does not retry a request that can never fit in the bucket", async () => {
    const clock = fakeClock();
    nock(SHOP).post(PATH).reply(200, THROTTLED(2500, 2000));
    const result = await client(clock).request("{ huge }");
    expect(result).toMatchObject({ ok: false, reason: "cost_exceeds_bucket" });
    expect(clock.sleeps).toEqual([]);
  });

  it("returns top-level errors as values", async () => {
    const clock = fakeClock();
    nock(SHOP)
      .post(PATH)
      .reply(200, {
        errors: [{ message: "Field 'nope' doesn't exist on type 'QueryRoot'", locations: [{ line: 1, column: 3 }], extensions: { code: "undefinedField" } }],
      });
    const result = await client(clock).request("{ nope }");
    expect(result).toMatchObject({ ok: false, reason: "graphql_errors", errors: [{ extensions: { code: "undefinedField" } }] });
  });

  it("maps 401 to unauthorized and retries 5xx with backoff, honouring Retry-After", async () => {
    const clock = fakeClock();
    nock(SHOP).post(PATH).reply(401, { errors: "[API] Invalid API key or access token (unrecognized login or wrong password)" });
    expect(await client(clock).request("{ a }")).toMatchObject({ ok: false, reason: "unauthorized", status: 401 });

    nock(SHOP).post(PATH).reply(503, "busy", { "Retry-After": "2" }).post(PATH).reply(200, { data: { a: 1 } });
    expect(await client(clock).request("{ a }")).toMatchObject({ ok: true, data: { a: 1 } });
    expect(clock.sleeps).toEqual([2000]);
  });

  it("reports a network failure without throwing", async () => {
    const clock = fakeClock();
    nock(SHOP).post(PATH).replyWithError("socket hang up");
    const result = await client(clock).request("{ a }");
    expect(result).toMatchObject({ ok: false, reason: "network_error" });
  });
});
