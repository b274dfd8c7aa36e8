import { eventId } from "@ticketing/db";
import { createScratchPostgres } from "@ticketing/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postgresAvailable, startTestServer, type TestServer } from "./testing";

// getEvent answers from a cache on PGlite; whatever changes the seats must show in the very
// next getEvent, on this instance and (PostgreSQL, no cache there) on any other.

const lights = eventId("city-lights");
type Counts = { total: number; available: number; held: number; sold: number };

async function counts(server: TestServer): Promise<Counts> {
  const input = encodeURIComponent(JSON.stringify({ json: { eventId: lights } }));
  const response = await fetch(`${server.url}/trpc/getEvent?input=${input}`);
  const body = (await response.json()) as { result: { data: { json: { counts: Counts } } } };
  return body.result.data.json.counts;
}

async function call(server: TestServer, path: string, input: unknown, token?: string) {
  const response = await fetch(`${server.url}/trpc/${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token && { authorization: `Bearer ${token}` }) },
    body: JSON.stringify({ json: input }),
  });
  const body = (await response.json()) as { result?: { data: { json: Record<string, unknown> } } };
  if (!body.result) throw new Error(`${path} failed: ${JSON.stringify(body)}`);
  return body.result.data.json;
}

const signIn = async (server: TestServer, email: string) =>
  (await call(server, "signIn", { email, password: "demo-password" })).token as string;

describe("getEvent on PGlite (cached)", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server?.close());

  it("shows a booking, a cancellation and a REST booking in the next read", async () => {
    const before = await counts(server);
    expect(await counts(server)).toEqual(before);
    const token = await signIn(server, "alice@example.com");
    const booking = await call(server, "createBooking", { eventId: lights, quantity: 2 }, token);
    const held = await counts(server);
    expect(held).toEqual({ ...before, available: before.available - 2, held: before.held + 2 });

    await call(server, "cancelBooking", { bookingId: booking.id }, token);
    expect(await counts(server)).toEqual(before);

    const rest = await fetch(`${server.url}/api/v1/bookings`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}`, "idempotency-key": "rest-1234" },
      body: JSON.stringify({ eventId: lights, quantity: 3 }),
    });
    expect(rest.status).toBe(201);
    expect(await counts(server)).toEqual({ ...before, available: before.available - 3, held: before.held + 3 });
  });
});

const pg = await postgresAvailable();

describe.skipIf(!pg)("getEvent on PostgreSQL with two instances", () => {
  let a: TestServer;
  let b: TestServer;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    const scratch = await createScratchPostgres();
    drop = scratch.drop;
    a = await startTestServer({ databaseUrl: scratch.url });
    b = await startTestServer({ databaseUrl: scratch.url });
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    await drop?.();
  });

  it("shows a booking made on one instance in the next read on the other", async () => {
    const before = await counts(b);
    const token = await signIn(a, "bob@example.com");
    const booking = await call(a, "createBooking", { eventId: lights, quantity: 4 }, token);
    expect(await counts(b)).toEqual({ ...before, available: before.available - 4, held: before.held + 4 });
    await call(a, "cancelBooking", { bookingId: booking.id }, token);
    expect(await counts(b)).toEqual(before);
  });
});
