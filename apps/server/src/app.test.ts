import http from "node:http";
import net from "node:net";
import { eventId } from "@ticketing/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "./config";
import { startTestServer, type TestServer } from "./testing";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const input = (value: unknown) => encodeURIComponent(JSON.stringify({ json: value }));
const jazz = eventId("harbor-jazz");

async function signIn(email = "alice@example.com") {
  const response = await fetch(`${server.url}/trpc/signIn`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ json: { email, password: "demo-password" } }),
  });
  const body = (await response.json()) as { result: { data: { json: { token: string } } } };
  return { response, token: body.result.data.json.token };
}

describe("health and readiness", () => {
  it("answers /health and /ready, each with a request id", async () => {
    const health = await fetch(`${server.url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: "ok" });
    expect(health.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    const ready = await fetch(`${server.url}/ready`, { headers: { "x-request-id": "trace-me-123" } });
    expect(ready.status).toBe(200);
    expect(ready.headers.get("x-request-id")).toBe("trace-me-123");
    const odd = await fetch(`${server.url}/health`, { headers: { "x-request-id": "bad id with spaces" } });
    expect(odd.headers.get("x-request-id")).not.toBe("bad id with spaces");
  });

  it("answers unknown paths with a JSON 404", async () => {
    const response = await fetch(`${server.url}/nope`);
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: { code: "NOT_FOUND" } });
  });
});

describe("the wire contract", () => {
  it("serves a raw JSON caller: GET a query with {json: input}", async () => {
    const response = await fetch(`${server.url}/trpc/getEvent?input=${input({ eventId: jazz })}`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      result: { data: { json: { name: string; startsAt: string }; meta: unknown } };
    };
    expect(body.result.data.json.name).toBe("Harbor Jazz Sessions");
    expect(body.result.data.meta).toMatchObject({ values: { startsAt: ["Date"] } });
  });

  it("answers bad input with 400 and field errors, never a 500", async () => {
    const response = await fetch(`${server.url}/trpc/getEvent?input=${input({ eventId: "12" })}`);
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { json: { message: string; data: Record<string, unknown> } } };
    expect(body.error.json.message).toBe("Invalid input — eventId: eventId must be a UUID");
    expect(body.error.json.data).toMatchObject({
      code: "BAD_REQUEST",
      httpStatus: 400,
      zodError: { fieldErrors: { eventId: ["eventId must be a UUID"] } },
    });
    expect(body.error.json.data.stack).toBeUndefined();

    const malformed = await fetch(`${server.url}/trpc/getEvent?input=%7Bnot-json`);
    expect(malformed.status).toBe(400);
    const unknown = await fetch(`${server.url}/trpc/noSuchProcedure`);
    expect(unknown.status).toBe(404);
    const wrongMethod = await fetch(`${server.url}/trpc/createBooking?input=${input({})}`);
    expect(wrongMethod.status).toBe(405);
  });

  it("answers unknown ids with 404 and missing sessions with 401", async () => {
    const missing = await fetch(
      `${server.url}/trpc/getEvent?input=${input({ eventId: "0b7a0f5e-4c3d-4e2f-9a1b-2c3d4e5f6a7b" })}`,
    );
    expect(missing.status).toBe(404);
    const anonymous = await fetch(`${server.url}/trpc/listMyBookings`);
    expect(anonymous.status).toBe(401);
  });

  it("caps bodies at 1 MiB with a clean 413", async () => {
    const { token } = await signIn();
    const response = await fetch(`${server.url}/trpc/createBooking`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ json: { eventId: jazz, padding: "x".repeat(1024 * 1024) } }),
    });
    expect(response.status).toBe(413);
    const body = (await response.json()) as { error: { json: { data: { code: string } } } };
    expect(body.error.json.data.code).toBe("PAYLOAD_TOO_LARGE");
  });

  it("answers a URL over Node's 16 KiB header limit, and bytes that are not HTTP, with a JSON error", async () => {
    const long = await fetch(`${server.url}/trpc/getEvent?input=${input({ eventId: "x".repeat(20_000) })}`);
    expect(long.status).toBe(431);
    expect(await long.json()).toMatchObject({
      error: {
        json: {
          message: "Request headers, URL included, are limited to 16 KiB: send large inputs in a POST body.",
          data: { code: "BAD_REQUEST" },
        },
      },
    });
    const { port } = new URL(server.url);
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(Number(port), "127.0.0.1", () => socket.write("NOT HTTP AT ALL\r\n\r\n"));
      let text = "";
      socket.on("data", (chunk) => {
        text += chunk;
      });
      socket.on("end", () => resolve(text));
      socket.on("error", reject);
    });
    expect(reply).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(reply).toContain('"code":"BAD_REQUEST"');
  });

  it("caps batches at 50 calls", async () => {
    const batch = (n: number) => {
      const paths = Array.from({ length: n }, () => "getEvent").join(",");
      const inputs = Object.fromEntries(Array.from({ length: n }, (_, i) => [i, { json: { eventId: jazz } }]));
      return fetch(`${server.url}/trpc/${paths}?batch=1&input=${encodeURIComponent(JSON.stringify(inputs))}`);
    };
    expect((await batch(50)).status).toBe(200);
    const over = await batch(51);
    expect(over.status).toBe(400);
  });
});

describe("sessions and cross-site safety", () => {
  it("sets an httpOnly, SameSite=Lax session cookie that then authenticates", async () => {
    const { response } = await signIn();
    const cookie = response.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(/^session=[A-Za-z0-9_-]+; Expires=.+; Path=\/; HttpOnly; SameSite=Lax$/);
    const session = cookie.split(";")[0] as string;
    const me = await fetch(`${server.url}/trpc/me`, { headers: { cookie: session } });
    expect(await me.json()).toMatchObject({ result: { data: { json: { email: "alice@example.com" } } } });
    const out = await fetch(`${server.url}/trpc/signOut`, {
      method: "POST",
      headers: { cookie: session, "content-type": "application/json" },
      body: "{}",
    });
    expect(out.headers.get("set-cookie")).toBe("session=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax");
    const after = await fetch(`${server.url}/trpc/me`, { headers: { cookie: session } });
    expect(await after.json()).toMatchObject({ result: { data: { json: null } } });
    // A cookie that is not valid percent-encoding is no session: the caller is a stranger, not a 500.
    const garbled = await fetch(`${server.url}/trpc/listMyBookings`, { headers: { cookie: "session=%E0%A4%A" } });
    expect(garbled.status).toBe(401);
    expect(await garbled.json()).toMatchObject({ error: { json: { data: { code: "UNAUTHORIZED" } } } });
  });

  it("refuses mutations from other sites and bodies a form could send", async () => {
    const post = (headers: Record<string, string>) =>
      fetch(`${server.url}/trpc/signOut`, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: "{}",
      });
    const foreign = await post({ origin: "https://evil.example" });
    expect(foreign.status).toBe(403);
    expect(await foreign.json()).toMatchObject({ error: { json: { data: { code: "FORBIDDEN" } } } });
    expect((await post({ "sec-fetch-site": "cross-site" })).status).toBe(403);
    expect((await post({ origin: "http://localhost:3000", "sec-fetch-site": "same-site" })).status).toBe(200);
    const form = await fetch(`${server.url}/trpc/signOut`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "a=1",
    });
    expect(form.status).toBe(415);
    const multipart = new FormData();
    multipart.set("email", "alice@example.com");
    expect((await fetch(`${server.url}/trpc/signIn`, { method: "POST", body: multipart })).status).toBe(415);
  });
});

describe("shutdown", () => {
  it("finishes a call already in flight, then refuses new connections", async () => {
    const own = await startTestServer();
    const { port } = new URL(own.url);
    const { token } = await (async () => {
      const response = await fetch(`${own.url}/trpc/signIn`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ json: { email: "bob@example.com", password: "demo-password" } }),
      });
      return {
        token: ((await response.json()) as { result: { data: { json: { token: string } } } }).result.data.json.token,
      };
    })();
    const body = JSON.stringify({ json: { eventId: eventId("city-lights"), quantity: 2 } });
    // Send half the body, start the shutdown, then send the rest: the call must still complete.
    const pending = new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = http.request(
        {
          host: "127.0.0.1",
          port,
          path: "/trpc/createBooking",
          method: "POST",
          headers: {
            "content-type": "application/json",
            "content-length": Buffer.byteLength(body),
            authorization: `Bearer ${token}`,
          },
        },
        (res) => {
          let text = "";
          res.on("data", (chunk) => {
            text += chunk;
          });
          res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
        },
      );
      req.on("error", reject);
      req.write(body.slice(0, 10));
      setTimeout(() => req.end(body.slice(10)), 300);
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const closed = own.close();
    const result = await pending;
    expect(result.status).toBe(200);
    expect(JSON.parse(result.text)).toMatchObject({ result: { data: { json: { status: "held" } } } });
    await closed;
    await expect(fetch(`${own.url}/health`)).rejects.toThrow();
  });
});

describe("production error hygiene", () => {
  it("hides internal failures: no stack, no SQL, just a code", async () => {
    const own = await startTestServer({ env: { NODE_ENV: "production" } });
    await own.database.close();
    const response = await fetch(`${own.url}/trpc/getEvent?input=${input({ eventId: jazz })}`);
    expect(response.status).toBe(500);
    const text = await response.text();
    expect(JSON.parse(text)).toMatchObject({
      error: { json: { message: "Internal server error", data: { code: "INTERNAL_SERVER_ERROR" } } },
    });
    expect(text).not.toMatch(/SELECT|stack|at \w+ \(/i);
    await own.close().catch(() => {});
  });
});

describe("configuration", () => {
  it("names the variable that is wrong", () => {
    expect(() => loadConfig({ PORT: "eighty" })).toThrow(
      new ConfigError("Invalid configuration:\n  PORT: must be a number"),
    );
    expect(() => loadConfig({ NODE_ENV: "production" })).toThrow(/WORKER_TOKEN: is required in production/);
    expect(() => loadConfig({ WORKER_TOKEN: "short" })).toThrow(/WORKER_TOKEN: must be at least 16 characters/);
    expect(loadConfig({}).workerToken).toBe("dev-worker-token-change-me");
  });

  it("is production when the entry point says so and NODE_ENV is unset, refusing a missing or development token", () => {
    for (const env of [{}, { NODE_ENV: "" }, { WORKER_TOKEN: "dev-worker-token-change-me" }]) {
      expect(() => loadConfig(env, "production")).toThrow(/WORKER_TOKEN: is required in production/);
    }
    const config = loadConfig({ WORKER_TOKEN: "a-production-secret-0123" }, "production");
    expect(config).toMatchObject({ nodeEnv: "production", secureCookies: true });
    expect(loadConfig({ NODE_ENV: "test" }, "production").nodeEnv).toBe("test");
  });
});
