import { randomUUID } from "node:crypto";
import type { AddressInfo } from "node:net";
import type { DatabaseHandle } from "@ticketing/db";
import { createMemoryDatabase } from "@ticketing/db/testing";
import { closedPort } from "@ticketing/rpc/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type App, createApp } from "./app";
import { loadConfig } from "./config";
import { createLogger } from "./logger";
import { TEST_WORKER_TOKEN } from "./testing";

/** Redis runs here and in CI; each run writes under its own key prefix. */
const REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

interface Instance {
  app: App;
  url: string;
}

/** One empty database for every instance, as a fleet shares one PostgreSQL; closed after them. */
let database: DatabaseHandle;

/**
 * A server on the shared database (these tests need no demo data: a sign-in for an unknown
 * email fails like a wrong password, and signUp creates its own users). With REDIS_URL, it
 * returns once the limits are shared.
 */
async function serve(env: Record<string, string>): Promise<Instance> {
  const config = loadConfig({ NODE_ENV: "test", WORKER_TOKEN: TEST_WORKER_TOKEN, LOG_LEVEL: "silent", ...env });
  const app = createApp({
    config,
    database: { ...database, close: async () => {} },
    logger: createLogger("silent", false),
  });
  await new Promise<void>((resolve) => app.server.listen(0, "127.0.0.1", resolve));
  const store = app.limitStore;
  // A failed attempt is retried by the client itself: wait for the connection, not the first try.
  if (store && env.REDIS_URL === REDIS_URL && store.status !== "ready") {
    await new Promise((resolve) => store.once("ready", resolve));
  }
  return { app, url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}` };
}

function signIn(server: Instance, email: string, headers: Record<string, string> = {}) {
  return fetch(`${server.url}/trpc/signIn`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ json: { email, password: "not the password" } }),
  });
}

function signUp(server: Instance, headers: Record<string, string> = {}) {
  return fetch(`${server.url}/trpc/signUp`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({
      json: { email: `new-${randomUUID()}@example.test`, password: "a good password", name: "New Person" },
    }),
  });
}

const limits = { SIGN_IN_ATTEMPTS_PER_MINUTE: "3", SIGN_UP_ATTEMPTS_PER_MINUTE: "2" };
/**
 * Two instances without Redis, two sharing Redis, one that trusts no peer on this machine and
 * cannot reach its Redis, and one with a small limit per address.
 */
let memoryA: Instance;
let addressLimited: Instance;
let memoryB: Instance;
let sharedA: Instance;
let sharedB: Instance;
let isolated: Instance;
beforeAll(async () => {
  database = await createMemoryDatabase();
  const shared = { ...limits, REDIS_URL, RATE_LIMIT_KEY_PREFIX: `test:${randomUUID()}` };
  [memoryA, memoryB, sharedA, sharedB, isolated] = await Promise.all([
    serve(limits),
    serve(limits),
    serve(shared),
    serve(shared),
    serve({ ...limits, TRUSTED_PROXIES: "192.0.2.1", REDIS_URL: `redis://127.0.0.1:${await closedPort()}` }),
  ]);
  addressLimited = await serve({ RATE_LIMIT_ADDRESS_PER_SECOND: "0.05", RATE_LIMIT_USER_PER_SECOND: "0.05" });
}, 180_000);
afterAll(async () => {
  await Promise.all(
    [memoryA, memoryB, sharedA, sharedB, isolated, addressLimited].map((server) => server?.app.close()),
  );
});

describe("TRUSTED_PROXIES and REDIS_URL configuration", () => {
  it("names the variable and the bad entry", () => {
    expect(() => loadConfig({ TRUSTED_PROXIES: "loopback, proxy.internal" })).toThrow(
      'Invalid configuration:\n  TRUSTED_PROXIES: invalid IP address: proxy.internal (give addresses or CIDRs, comma-separated, or "none")',
    );
    expect(() => loadConfig({ TRUSTED_PROXIES: "10.0.0.0/33" })).toThrow(
      "TRUSTED_PROXIES: invalid range on address: 10.0.0.0/33",
    );
    expect(() => loadConfig({ REDIS_URL: "localhost:6379" })).toThrow("REDIS_URL: must be a redis:// or rediss:// URL");
    expect(() => loadConfig({ RATE_LIMIT_KEY_PREFIX: "a b" })).toThrow("RATE_LIMIT_KEY_PREFIX: must be 1–64");
  });

  it("trusts loopback by default, a list when given, and nobody with none", () => {
    const byDefault = loadConfig({}).trustedProxies;
    expect([byDefault("127.0.0.1", 0), byDefault("::1", 0), byDefault("10.0.0.5", 0)]).toEqual([true, true, false]);
    const listed = loadConfig({ TRUSTED_PROXIES: "10.0.0.0/8, 192.0.2.7" }).trustedProxies;
    expect([listed("10.20.30.40", 0), listed("192.0.2.7", 0), listed("127.0.0.1", 0)]).toEqual([true, true, false]);
    expect(loadConfig({ TRUSTED_PROXIES: "none" }).trustedProxies("127.0.0.1", 0)).toBe(false);
  });
});

describe("client addresses", () => {
  it("a client cannot reset its sign-in limit by writing its own X-Forwarded-For entries", async () => {
    const statuses: number[] = [];
    // The proxy (this test, on loopback) appends the address it saw; the client wrote the rest.
    for (let i = 0; i < 5; i++) {
      const forwarded = { "x-forwarded-for": `203.0.113.${i}, 198.51.100.23` };
      statuses.push((await signIn(memoryA, "forger@example.test", forwarded)).status);
    }
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
  });

  it("ignores X-Forwarded-For from a peer that is not a trusted proxy", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      statuses.push((await signIn(isolated, "rotator@example.test", { "x-forwarded-for": `198.51.100.${i}` })).status);
    }
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
  });

  it("limits forwarded traffic by address even from this machine; never the worker's token, nor direct local callers", async () => {
    const listEvents = (headers: Record<string, string>) => fetch(`${addressLimited.url}/trpc/listEvents`, { headers });
    // A browser on this machine, as the web app forwards it.
    expect((await listEvents({ "x-forwarded-for": "127.0.0.1" })).status).toBe(200);
    const limited = await listEvents({ "x-forwarded-for": "127.0.0.1" });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThanOrEqual(19);
    // The worker, wherever it runs.
    const worker = { authorization: `Bearer ${TEST_WORKER_TOKEN}`, "x-forwarded-for": "198.51.100.80" };
    for (let i = 0; i < 4; i++) expect((await listEvents(worker)).status).toBe(200);
    // A program on this machine calling directly (a probe, a benchmark).
    for (let i = 0; i < 4; i++) expect((await listEvents({})).status).toBe(200);
  });
});

describe("REST's Retry-After", () => {
  it("is the wait of the limit that refused the call, not a fixed second", async () => {
    const session = (await (await signUp(addressLimited)).json()) as { result: { data: { json: { token: string } } } };
    const book = () =>
      fetch(`${addressLimited.url}/api/v1/bookings`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${session.result.data.json.token}` },
        body: JSON.stringify({ eventId: randomUUID(), quantity: 1 }),
      });
    expect((await book()).status).toBe(404);
    const limited = await book();
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThanOrEqual(15);
    expect(await limited.json()).toMatchObject({ error: { code: "TOO_MANY_REQUESTS" } });
  });
});

describe("signUp's limit per address", () => {
  it("answers 429 with Retry-After once an address has spent its sign-ups", async () => {
    const from = { "x-forwarded-for": "198.51.100.61" };
    expect((await signUp(memoryA, from)).status).toBe(200);
    expect((await signUp(memoryA, from)).status).toBe(200);
    const limited = await signUp(memoryA, from);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThanOrEqual(50);
    expect(Number(limited.headers.get("retry-after"))).toBeLessThanOrEqual(60);
    expect(await limited.json()).toMatchObject({
      error: {
        json: {
          message: expect.stringMatching(/^Too many sign-up attempts; try again in \d+ s\.$/),
          data: { code: "TOO_MANY_REQUESTS" },
        },
      },
    });
    // Another address has its own allowance.
    expect((await signUp(memoryA, { "x-forwarded-for": "198.51.100.62" })).status).toBe(200);
  });
});

describe("limits across instances", () => {
  it("without REDIS_URL, each instance keeps its own count", async () => {
    const from = { "x-forwarded-for": "198.51.100.90" };
    const statuses = [];
    for (const server of [memoryA, memoryB, memoryA, memoryB, memoryA, memoryB]) {
      statuses.push((await signIn(server, "split@example.test", from)).status);
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401, 401]);
    expect((await signIn(memoryA, "split@example.test", from)).status).toBe(429);
  });

  it("with REDIS_URL, two instances spend one allowance", async () => {
    const from = { "x-forwarded-for": "198.51.100.91" };
    const statuses = [];
    for (const server of [sharedA, sharedB, sharedA, sharedB, sharedA]) {
      statuses.push((await signIn(server, "shared@example.test", from)).status);
    }
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
  });

  it("with Redis unreachable, limits hold per instance and no call fails", async () => {
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await signIn(isolated, "offline@example.test")).status);
    expect(statuses).toEqual([401, 401, 401, 429]);
    expect((await fetch(`${isolated.url}/health`)).status).toBe(200);
    expect((await fetch(`${isolated.url}/trpc/listEvents`)).status).toBe(200);
  });
});
