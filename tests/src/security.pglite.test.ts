import { createSmallEvent, createTestApi, createUsers } from "@ticketing/api/testing";
import { eventId, queryRows } from "@ticketing/db";
import { startTestServer, type TestServer } from "@ticketing/server/testing";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const input = (value: unknown) => encodeURIComponent(JSON.stringify({ json: value }));
const jazz = eventId("harbor-jazz");

async function signInFor(url: string, email: string, password = "demo-password") {
  return fetch(`${url}/trpc/signIn`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ json: { email, password } }),
  });
}

describe("the API server's answers", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server?.close());

  it("carry nosniff, no x-powered-by, and no-store on procedure calls, errors, REST and health alike", async () => {
    const answers = await Promise.all([
      fetch(`${server.url}/trpc/getEvent?input=${input({ eventId: jazz })}`),
      fetch(`${server.url}/trpc/getEvent?input=${input({ eventId: "nope" })}`),
      fetch(`${server.url}/trpc/listMyBookings`),
      fetch(`${server.url}/api/v1/events?limit=1`),
      fetch(`${server.url}/health`),
    ]);
    expect(answers.map((response) => response.status)).toEqual([200, 400, 401, 200, 200]);
    for (const response of answers) {
      expect(response.headers.get("x-content-type-options")).toBe("nosniff");
      expect(response.headers.get("cache-control")).toBe("no-store");
      expect(response.headers.get("x-powered-by")).toBeNull();
      await response.body?.cancel();
    }
  });

  it("let an event stream keep its own caching rule", async () => {
    const stream = await fetch(`${server.url}/trpc/onAvailabilityChange?input=${input({ eventId: jazz })}`);
    expect(stream.headers.get("content-type")).toContain("text/event-stream");
    expect(stream.headers.get("cache-control")).toContain("no-transform");
    expect(stream.headers.get("x-content-type-options")).toBe("nosniff");
    await stream.body?.cancel();
  });

  it("never carry out a cross-site or form-encoded mutation, even with the session cookie", async () => {
    const api = await createTestApi(server.database);
    const organizerId = (await api.userByEmail("olivia@example.com")).id;
    const { eventId: id } = await createSmallEvent(server.database.db, { seats: 5, organizerId });
    const signedIn = await signInFor(server.url, "bob@example.com");
    const cookie = (signedIn.headers.get("set-cookie") ?? "").split(";")[0] as string;
    expect(cookie).toMatch(/^session=/);
    const json = JSON.stringify({ json: { eventId: id, quantity: 1 } });
    const form = new FormData();
    form.set("0", json);
    const attempts: [string, RequestInit, number][] = [
      [
        "another site's origin",
        { headers: { "content-type": "application/json", origin: "https://evil.example" } },
        403,
      ],
      ["a cross-site fetch", { headers: { "content-type": "application/json", "sec-fetch-site": "cross-site" } }, 403],
      ["text/plain", { headers: { "content-type": "text/plain" } }, 415],
      ["a form", { headers: { "content-type": "application/x-www-form-urlencoded" } }, 415],
      ["multipart", { body: form }, 415],
      ["no content type", { body: new TextEncoder().encode(json) }, 415],
    ];
    for (const [what, init, status] of attempts) {
      const response = await fetch(`${server.url}/trpc/createBooking`, {
        method: "POST",
        body: json,
        ...init,
        headers: { cookie, ...(init.headers as Record<string, string>) },
      });
      expect({ what, status: response.status }).toEqual({ what, status });
      await response.body?.cancel();
    }
    const bookings = () =>
      queryRows<{ n: number }>(server.database.db, sql`SELECT count(*)::int AS n FROM bookings WHERE event_id = ${id}`);
    expect(await bookings()).toEqual([{ n: 0 }]);
    // The same cookie on a same-origin JSON call does book: the refusals above were the guard's.
    const own = await fetch(`${server.url}/trpc/createBooking`, {
      method: "POST",
      body: json,
      headers: { cookie, "content-type": "application/json", "sec-fetch-site": "same-origin" },
    });
    expect(own.status).toBe(200);
    expect(await bookings()).toEqual([{ n: 1 }]);
  });

  it("refuse sign-in after 10 attempts for one email with 429 and Retry-After, the right password included", async () => {
    const email = "carol-limited@example.test";
    await createUsers(server.database.db, [email]);
    for (let i = 0; i < 10; i++) {
      const response = await signInFor(server.url, email, `wrong password ${i}`);
      expect(response.status).toBe(401);
      await response.body?.cancel();
    }
    const limited = await signInFor(server.url, email, "wrong password again");
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(await limited.json()).toMatchObject({
      error: {
        json: {
          data: { code: "TOO_MANY_REQUESTS" },
          message: expect.stringMatching(/^Too many sign-in attempts; try again in \d+ s\.$/),
        },
      },
    });
    expect((await signInFor(server.url, email, "demo-password")).status).toBe(429);
    // The limit is per email: someone else signing in from the same address is not held back.
    expect((await signInFor(server.url, "alice@example.com")).status).toBe(200);
  });
});

describe("with NODE_ENV=production", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ env: { NODE_ENV: "production" } });
  });
  afterAll(() => server?.close());

  it("marks the session cookie Secure as well as HttpOnly, SameSite=Lax and Path=/", async () => {
    const response = await signInFor(server.url, "alice@example.com");
    expect(response.status).toBe(200);
    expect(response.headers.get("set-cookie")).toMatch(
      /^session=[A-Za-z0-9_-]+; Expires=[^;]+; Path=\/; HttpOnly; SameSite=Lax; Secure$/,
    );
  });

  it("shows neither SQL nor a stack when a query fails, over tRPC or REST, and none in a validation error", async () => {
    await server.database.db.execute(sql`ALTER TABLE events RENAME TO events_elsewhere`);
    try {
      const answers = [
        await fetch(`${server.url}/trpc/getEvent?input=${input({ eventId: jazz })}`),
        await fetch(`${server.url}/trpc/listEvents?input=${input({})}`),
        await fetch(`${server.url}/api/v1/events/${jazz}`),
      ];
      const bodies = await Promise.all(answers.map((response) => response.text()));
      expect(answers.map((response) => response.status)).toEqual([500, 500, 500]);
      expect(JSON.parse(bodies[0] as string)).toMatchObject({
        error: { json: { message: "Internal server error", data: { code: "INTERNAL_SERVER_ERROR" } } },
      });
      expect(JSON.parse(bodies[2] as string)).toEqual({
        error: { code: "INTERNAL_SERVER_ERROR", message: "Internal server error", fieldErrors: {} },
      });
      for (const body of bodies) {
        expect(body).not.toMatch(/Failed query|select|events_elsewhere|does not exist|"stack"|\n\s+at /i);
      }
    } finally {
      await server.database.db.execute(sql`ALTER TABLE events_elsewhere RENAME TO events`);
    }
    const invalid = await fetch(`${server.url}/trpc/getEvent?input=${input({ eventId: 12 })}`);
    expect(invalid.status).toBe(400);
    const body = await invalid.text();
    expect(body).not.toMatch(/"stack"|\n\s+at |node_modules/);
  });
});
