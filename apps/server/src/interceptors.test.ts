import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import { eventId } from "@ticketing/db";
import { createSeededMemoryDatabase } from "@ticketing/db/testing";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type App, createApp } from "./app";
import { loadConfig } from "./config";

let app: App;
let url: string;
const lines: Record<string, unknown>[] = [];

beforeAll(async () => {
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split("\n")) if (line) lines.push(JSON.parse(line));
      done();
    },
  });
  const config = loadConfig({
    NODE_ENV: "test",
    WORKER_TOKEN: "interceptor-test-token-0123",
    // Slow refills (one call per 20 s, bursts of one), so no test depends on timing.
    RATE_LIMIT_ADDRESS_PER_SECOND: "0.05",
    RATE_LIMIT_USER_PER_SECOND: "0.05",
  });
  app = createApp({ config, database: await createSeededMemoryDatabase(), logger: pino({ level: "info" }, sink) });
  await new Promise<void>((resolve) => app.server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
});
afterAll(() => app.close());

const getEvent = (headers: Record<string, string> = {}) =>
  fetch(
    `${url}/trpc/getEvent?input=${encodeURIComponent(JSON.stringify({ json: { eventId: eventId("harbor-jazz") } }))}`,
    {
      headers,
    },
  );

describe("the server's interceptors", () => {
  it("log each call with its request id, trace id, procedure, code and duration, and never a secret", async () => {
    const traceId = "0af7651916cd43dd8448eb211c80319c";
    await getEvent({ "x-request-id": "log-me-1", traceparent: `00-${traceId}-b7ad6b7169203331-01` });
    await fetch(`${url}/trpc/signIn`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-request-id": "log-me-2" },
      body: JSON.stringify({ json: { email: "alice@example.com", password: "very-secret-words" } }),
    });
    expect(lines.find((line) => line.requestId === "log-me-1")).toMatchObject({
      msg: "call",
      procedure: "getEvent",
      type: "query",
      code: "OK",
      status: 200,
      traceId,
      ms: expect.any(Number),
    });
    expect(lines.find((line) => line.requestId === "log-me-2")).toMatchObject({
      procedure: "signIn",
      code: "UNAUTHORIZED",
    });
    expect(JSON.stringify(lines)).not.toContain("very-secret-words");
  });

  it("serve Prometheus metrics per procedure at /metrics", async () => {
    await getEvent();
    const response = await fetch(`${url}/metrics`);
    expect(response.headers.get("content-type")).toMatch(/^text\/plain/);
    const text = await response.text();
    expect(text).toMatch(/rpc_calls_total\{procedure="getEvent",type="query",code="OK"\} \d+/);
    expect(text).toMatch(/rpc_call_duration_seconds_bucket\{le="0\.1",procedure="getEvent",type="query"\} \d+/);
    expect(text).toContain("process_cpu_user_seconds_total");
  });

  it("hold calls to rpc-timeout-ms: a spent deadline is refused, a malformed one is a bad request", async () => {
    const spent = await getEvent({ "rpc-timeout-ms": "0" });
    expect(spent.status).toBe(408);
    expect(await spent.json()).toMatchObject({ error: { json: { data: { code: "TIMEOUT" } } } });
    const malformed = await getEvent({ "rpc-timeout-ms": "ten" });
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({
      error: { json: { message: "rpc-timeout-ms must be a whole number of milliseconds (0 or more)." } },
    });
    expect((await getEvent({ "rpc-timeout-ms": "5000" })).status).toBe(200);
  });

  it("limit a forwarded client address with 429 and Retry-After, and not this machine's programs", async () => {
    const forwarded = { "x-forwarded-for": "198.51.100.23" };
    expect((await getEvent(forwarded)).status).toBe(200);
    const limited = await getEvent(forwarded);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThanOrEqual(19);
    expect(limited.headers.get("x-request-id")).toBeTruthy();
    expect(await limited.json()).toMatchObject({
      error: {
        json: {
          data: { code: "TOO_MANY_REQUESTS" },
          message: expect.stringMatching(/^Too many requests from your address/),
        },
      },
    });
    expect((await getEvent({ "x-forwarded-for": "198.51.100.24" })).status).toBe(200);
    for (let i = 0; i < 6; i++) expect((await getEvent()).status).toBe(200);
  });

  it("limit calls per signed-in person with 429 and Retry-After", async () => {
    const signIn = await fetch(`${url}/trpc/signIn`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ json: { email: "bob@example.com", password: "demo-password" } }),
    });
    const token = ((await signIn.json()) as { result: { data: { json: { token: string } } } }).result.data.json.token;
    const mine = () => fetch(`${url}/trpc/listMyBookings`, { headers: { authorization: `Bearer ${token}` } });
    expect((await mine()).status).toBe(200);
    const limited = await mine();
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toMatch(/^(19|20)$/);
    expect(await limited.json()).toMatchObject({
      error: {
        json: { message: expect.stringMatching(/^Too many calls from your account; try again in (19|20) s\.$/) },
      },
    });
  });
});

describe("rate-limit configuration", () => {
  it("names the variable that is wrong, and takes 0 as off", () => {
    expect(() => loadConfig({ RATE_LIMIT_USER_PER_SECOND: "-1" })).toThrow(
      "Invalid configuration:\n  RATE_LIMIT_USER_PER_SECOND: must be 0 (off) or more",
    );
    expect(() => loadConfig({ SIGN_IN_ATTEMPTS_PER_MINUTE: "lots" })).toThrow(
      "SIGN_IN_ATTEMPTS_PER_MINUTE: must be a number",
    );
    expect(loadConfig({ RATE_LIMIT_ADDRESS_PER_SECOND: "0" }).rateLimits.addressPerSecond).toBe(0);
  });
});
