import { randomUUID } from "node:crypto";
import { once } from "node:events";
import net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { loadConfig } from "./config";
import { startTestServer, TEST_WORKER_TOKEN, type TestServer } from "./testing";

/** Redis runs here and in CI; each server below gets its own key prefix. */
const REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});
async function serve(env: Record<string, string>): Promise<TestServer> {
  const server = await startTestServer({ env });
  servers.push(server);
  return server;
}

function signIn(server: TestServer, email: string, headers: Record<string, string> = {}) {
  return fetch(`${server.url}/trpc/signIn`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ json: { email, password: "not the password" } }),
  });
}

function signUp(server: TestServer, headers: Record<string, string> = {}) {
  return fetch(`${server.url}/trpc/signUp`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({
      json: { email: `new-${randomUUID()}@example.test`, password: "a good password", name: "New Person" },
    }),
  });
}

async function closedPort(): Promise<number> {
  const server = net.createServer().listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe("TRUSTED_PROXIES and REDIS_URL configuration", () => {
  it("names the variable and the bad entry", () => {
    expect(() => loadConfig({ TRUSTED_PROXIES: "loopback, proxy.internal" })).toThrow(
      'Invalid configuration:\n  TRUSTED_PROXIES: invalid IP address: proxy.internal (give addresses or CIDRs, comma-separated, or "none")',
    );
    expect(() => loadConfig({ TRUSTED_PROXIES: "10.0.0.0/33" })).toThrow(
      "TRUSTED_PROXIES: invalid range on address: 10.0.0.0/33",
    );
    expect(() => loadConfig({ REDIS_URL: "localhost:6379" })).toThrow(
      "REDIS_URL: must be a redis:// or rediss:// URL",
    );
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
    const server = await serve({ SIGN_IN_ATTEMPTS_PER_MINUTE: "3" });
    const statuses: number[] = [];
    // The proxy (this test, on loopback) appends the address it saw; the client wrote the rest.
    for (let i = 0; i < 5; i++) {
      const response = await signIn(server, "alice@example.com", { "x-forwarded-for": `203.0.113.${i}, 198.51.100.23` });
      statuses.push(response.status);
    }
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
  });

  it("ignores X-Forwarded-For from a peer that is not a trusted proxy", async () => {
    const server = await serve({ SIGN_IN_ATTEMPTS_PER_MINUTE: "2", TRUSTED_PROXIES: "192.0.2.1" });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      statuses.push((await signIn(server, "bob@example.com", { "x-forwarded-for": `198.51.100.${i}` })).status);
    }
    expect(statuses).toEqual([401, 401, 429, 429]);
  });

  it("limits forwarded traffic by address even from this machine; the worker's token is never limited by address", async () => {
    const server = await serve({ RATE_LIMIT_ADDRESS_PER_SECOND: "0.05" });
    const getEvents = (headers: Record<string, string>) => fetch(`${server.url}/trpc/listEvents`, { headers });
    // A browser on this machine, as the web app forwards it.
    expect((await getEvents({ "x-forwarded-for": "127.0.0.1" })).status).toBe(200);
    const limited = await getEvents({ "x-forwarded-for": "127.0.0.1" });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThanOrEqual(19);
    // The worker, wherever it runs.
    const worker = { authorization: `Bearer ${TEST_WORKER_TOKEN}`, "x-forwarded-for": "198.51.100.80" };
    for (let i = 0; i < 4; i++) expect((await getEvents(worker)).status).toBe(200);
    // A program on this machine calling directly (a probe, a benchmark).
    for (let i = 0; i < 4; i++) expect((await getEvents({})).status).toBe(200);
  });
});

describe("signUp's limit per address", () => {
  it("answers 429 with Retry-After once an address has spent its sign-ups, on tRPC", async () => {
    const server = await serve({ SIGN_UP_ATTEMPTS_PER_MINUTE: "2" });
    const from = { "x-forwarded-for": "198.51.100.61" };
    expect((await signUp(server, from)).status).toBe(200);
    expect((await signUp(server, from)).status).toBe(200);
    const limited = await signUp(server, from);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThanOrEqual(55);
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
    expect((await signUp(server, { "x-forwarded-for": "198.51.100.62" })).status).toBe(200);
  });
});

describe("limits across instances", () => {
  it("without REDIS_URL, each instance keeps its own count", async () => {
    const env = { SIGN_IN_ATTEMPTS_PER_MINUTE: "2" };
    const [a, b] = await Promise.all([serve(env), serve(env)]);
    const from = { "x-forwarded-for": "198.51.100.90" };
    const statuses = [];
    for (const server of [a, a, b, b]) statuses.push((await signIn(server, "alice@example.com", from)).status);
    expect(statuses).toEqual([401, 401, 401, 401]);
  });

  it("with REDIS_URL, two instances spend one allowance", async () => {
    const env = {
      SIGN_IN_ATTEMPTS_PER_MINUTE: "3",
      REDIS_URL,
      RATE_LIMIT_KEY_PREFIX: `test:${randomUUID()}`,
    };
    const [a, b] = await Promise.all([serve(env), serve(env)]);
    const from = { "x-forwarded-for": "198.51.100.91" };
    const statuses = [];
    for (const server of [a, b, a, b, a]) statuses.push((await signIn(server, "alice@example.com", from)).status);
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
  });

  it("with Redis unreachable, limits hold per instance and no call fails", async () => {
    const server = await serve({
      SIGN_IN_ATTEMPTS_PER_MINUTE: "2",
      REDIS_URL: `redis://127.0.0.1:${await closedPort()}`,
    });
    const from = { "x-forwarded-for": "198.51.100.92" };
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await signIn(server, "alice@example.com", from)).status);
    expect(statuses).toEqual([401, 401, 429]);
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
    expect((await fetch(`${server.url}/trpc/listEvents`)).status).toBe(200);
  });
});
