import { randomUUID } from "node:crypto";
import { Validator } from "@seriousme/openapi-schema-validator";
import { appRouter, type ProcedureMeta } from "@ticketing/api";
import { createSmallEvent, createTestApi, createUsers } from "@ticketing/api/testing";
import { eventId } from "@ticketing/db";
import { listProcedures } from "@ticketing/host";
import { startTestServer, type TestServer } from "@ticketing/server/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

let server: TestServer;
let token: string;
let organizerId: string;

beforeAll(async () => {
  server = await startTestServer();
  const api = await createTestApi(server.database);
  organizerId = (await api.userByEmail("olivia@example.com")).id;
  const email = `partner-${randomUUID()}@example.test`;
  await createUsers(server.database.db, [email]);
  token = await api.tokenFor(email);
});
afterAll(() => server?.close());

/** The fields these tests read, of whichever body came back (an error's, a page's, an event's…). */
interface Body {
  error: { code: string; message: string; fieldErrors: Record<string, string[]> };
  items: { id: string; venue: { timeZone: string } }[];
  nextCursor: string;
  id: string;
  tiers: unknown[];
  openapi: string;
  paths: Record<string, unknown>;
  components: {
    schemas: Record<
      string,
      { properties: Record<string, { required: string[]; properties: Record<string, unknown> }> }
    >;
  };
}

async function call(path: string, init: RequestInit = {}) {
  const response = await fetch(`${server.url}${path}`, init);
  return { status: response.status, headers: response.headers, body: (await response.json()) as Body };
}

const book = (body: unknown, headers: Record<string, string> = {}) =>
  call("/api/v1/bookings", {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}`, ...headers },
    body: JSON.stringify(body),
  });

describe("public REST on the same procedures", () => {
  it("lists events and reads one with a plain fetch, dates as ISO strings", async () => {
    const list = await call("/api/v1/events?limit=2&status=on_sale");
    expect(list.status).toBe(200);
    expect(list.body.items).toHaveLength(2);
    expect(list.body.items[0]).toMatchObject({
      status: "on_sale",
      startsAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    expect(typeof list.body.nextCursor).toBe("string");
    const next = await call(`/api/v1/events?limit=2&status=on_sale&cursor=${encodeURIComponent(list.body.nextCursor)}`);
    expect(next.body.items[0]?.id).not.toBe(list.body.items[0]?.id);

    const one = await call(`/api/v1/events/${eventId("harbor-jazz")}`);
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({
      id: eventId("harbor-jazz"),
      name: "Harbor Jazz Sessions",
      venue: { name: "Harbor Hall", city: "Portland", timeZone: "America/Los_Angeles" },
    });
    expect(list.body.items[0]?.venue.timeZone).toEqual(expect.stringMatching(/^(America|Europe)\//));
    expect(one.body.tiers.length).toBeGreaterThan(0);
  });

  it("validates input as the procedures do: 400 with field errors, 404 for an unknown id", async () => {
    const tooMany = await call("/api/v1/events?limit=500&status=maybe");
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error).toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringMatching(/^Invalid input — /),
      fieldErrors: { limit: [expect.any(String)], status: [expect.any(String)] },
    });
    const badId = await call("/api/v1/events/not-a-uuid");
    expect(badId.status).toBe(400);
    expect(badId.body.error.fieldErrors).toEqual({ eventId: ["eventId must be a UUID"] });
    // Not valid percent-encoding: still an id that is not a UUID, not a failure of the router.
    const badEncoding = await call("/api/v1/events/%E0%A4%A");
    expect(badEncoding.status).toBe(400);
    expect(badEncoding.body.error).toMatchObject({
      code: "BAD_REQUEST",
      fieldErrors: { eventId: ["eventId must be a UUID"] },
    });
    // Over node:http's 16 KiB header limit: refused before any handler, still in REST's shape.
    const hugeQuery = await call(`/api/v1/events?query=${"q".repeat(20_000)}`);
    expect(hugeQuery.status).toBe(431);
    expect(hugeQuery.body.error).toMatchObject({ code: "BAD_REQUEST", message: expect.stringContaining("16 KiB") });
    const unknown = await call(`/api/v1/events/${randomUUID()}`);
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toMatchObject({ code: "NOT_FOUND", message: expect.stringMatching(/was not found\.$/) });

    const { eventId: id } = await createSmallEvent(server.database.db, { seats: 5, organizerId });
    const invalid = await book({ eventId: id, quantity: 11 });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.fieldErrors).toEqual({ quantity: ["At most 10 seats per booking"] });
    const neither = await book({ eventId: id });
    expect(neither.body.error.fieldErrors).toEqual({ seatIds: ["Give either seatIds or quantity"] });
  });

  it("books with 201, replays a repeated Idempotency-Key with 200, refuses its reuse with 422", async () => {
    const { eventId: id } = await createSmallEvent(server.database.db, { seats: 5, organizerId });
    const key = `partner-${randomUUID()}`;
    const created = await book({ eventId: id, quantity: 2 }, { "idempotency-key": key });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ status: "held", seats: [expect.any(Object), expect.any(Object)] });
    const replayed = await book({ eventId: id, quantity: 2 }, { "idempotency-key": key });
    expect(replayed.status).toBe(200);
    expect(replayed.body.id).toBe(created.body.id);
    const reused = await book({ eventId: id, quantity: 1 }, { "idempotency-key": key });
    expect(reused.status).toBe(422);
    expect(reused.body.error.code).toBe("UNPROCESSABLE_CONTENT");
    const conflict = await book({ eventId: id, quantity: 4 });
    expect(conflict.status).toBe(409);
    expect(conflict.body.error).toEqual({
      code: "CONFLICT",
      message: "Only 3 seats are left; you asked for 4.",
      fieldErrors: {},
    });
  });

  it("applies the same auth and CSRF rules", async () => {
    const { eventId: id } = await createSmallEvent(server.database.db, { seats: 2, organizerId });
    const anonymous = await call("/api/v1/bookings", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ eventId: id, quantity: 1 }),
    });
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error.code).toBe("UNAUTHORIZED");
    const form = await call("/api/v1/bookings", {
      method: "POST",
      headers: { "content-type": "text/plain", authorization: `Bearer ${token}` },
      body: JSON.stringify({ eventId: id, quantity: 1 }),
    });
    expect(form.status).toBe(415);
    const crossSite = await book({ eventId: id, quantity: 1 }, { origin: "https://evil.example" });
    expect(crossSite.status).toBe(403);
    expect(crossSite.body.error.message).toBe("Requests from https://evil.example may not change anything here.");
    const wrongMethod = await call("/api/v1/bookings");
    expect(wrongMethod.status).toBe(405);
  });

  it("answers the router's own refusals in the same envelope, with the same headers", async () => {
    const { eventId: id } = await createSmallEvent(server.database.db, { seats: 3, organizerId });
    const created = await book({ eventId: id, quantity: 1 });
    expect(created.status).toBe(201);
    expect(created.headers.get("content-type")).toBe("application/json");
    expect(created.headers.get("cache-control")).toBe("no-store");
    expect(created.headers.get("x-request-id")).toEqual(expect.any(String));

    const noRoute = await call("/api/v1/venues");
    expect(noRoute.status).toBe(404);
    expect(noRoute.body.error).toEqual({
      code: "NOT_FOUND",
      message: "No route /api/v1/venues. See /api/v1/openapi.json.",
      fieldErrors: {},
    });
    const wrongMethod = await call(`/api/v1/events/${id}`, { method: "DELETE" });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get("allow")).toBe("GET");
    expect(wrongMethod.body.error).toEqual({
      code: "METHOD_NOT_SUPPORTED",
      message: `DELETE is not supported on /api/v1/events/${id}.`,
      fieldErrors: {},
    });
    const getBookings = await call("/api/v1/bookings");
    expect(getBookings.headers.get("allow")).toBe("POST");

    const notJson = await call("/api/v1/bookings", {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: "{ not json",
    });
    expect(notJson.status).toBe(400);
    expect(notJson.body.error).toEqual({
      code: "BAD_REQUEST",
      message: "The body is not valid JSON.",
      fieldErrors: {},
    });
    const empty = await call("/api/v1/bookings", {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    });
    expect(empty.status).toBe(400);
    expect(empty.body.error.code).toBe("BAD_REQUEST");
    const huge = await call("/api/v1/bookings", {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ eventId: id, quantity: 1, padding: "x".repeat(1024 * 1024) }),
    });
    expect(huge.status).toBe(413);
    expect(huge.body.error).toMatchObject({ code: "PAYLOAD_TOO_LARGE" });
  });

  it("passes the guards of /trpc: the deadline header is read, and held to", async () => {
    const { eventId: id } = await createSmallEvent(server.database.db, { seats: 2, organizerId });
    const badDeadline = await call(`/api/v1/events/${id}`, { headers: { "rpc-timeout-ms": "soon" } });
    expect(badDeadline.status).toBe(400);
    expect(badDeadline.body.error).toEqual({
      code: "BAD_REQUEST",
      message: expect.stringContaining("rpc-timeout-ms"),
      fieldErrors: {},
    });
    // A deadline already spent is refused before any work, as on /trpc.
    const spent = await book({ eventId: id, quantity: 1 }, { "rpc-timeout-ms": "0" });
    expect(spent.status).toBe(408);
    expect(spent.body.error.code).toBe("TIMEOUT");
    const read = await call(`/api/v1/events/${id}`, { headers: { "rpc-timeout-ms": "5000" } });
    expect(read.status).toBe(200);
    expect(read.body.id).toBe(id);
  });

  it("reads query parameters by the input's types: numbers as numbers, empty ones as absent, unknown ones ignored", async () => {
    const page = await call("/api/v1/events?limit=1&status=&cursor=&utm_source=partner");
    expect(page.status).toBe(200);
    expect(page.body.items).toHaveLength(1);
    const trailingSlash = await call("/api/v1/events/?limit=1");
    expect(trailingSlash.status).toBe(200);
    expect(trailingSlash.body.items).toHaveLength(1);
    const notNumber = await call("/api/v1/events?limit=two");
    expect(notNumber.status).toBe(400);
    expect(notNumber.body.error.fieldErrors).toEqual({ limit: [expect.any(String)] });
    const fraction = await call("/api/v1/events?limit=1.5");
    expect(fraction.status).toBe(400);
    expect(Object.keys(fraction.body.error.fieldErrors)).toEqual(["limit"]);
  });

  it("describes itself in a valid OpenAPI 3.1 document", async () => {
    const { status, body } = await call("/api/v1/openapi.json");
    expect(status).toBe(200);
    expect(body.openapi).toBe("3.1.0");
    expect(Object.keys(body.paths).sort()).toEqual(["/api/v1/bookings", "/api/v1/events", "/api/v1/events/{id}"]);
    // The venue's zone is part of the contract: partners show times as the ticket does.
    const venue = body.components.schemas.Event?.properties.venue;
    expect(venue?.required).toContain("timeZone");
    expect(venue?.properties.timeZone).toMatchObject({ type: "string", description: expect.stringContaining("IANA") });
    // Derived: one operation per procedure whose metadata declares a REST route, and no other.
    const declared = listProcedures(appRouter)
      .filter((procedure) => (procedure.meta as ProcedureMeta | undefined)?.rest)
      .map((procedure) => procedure.name)
      .sort();
    const operations = Object.values(body.paths as Record<string, Record<string, { operationId: string }>>)
      .flatMap((item) => Object.values(item).map((operation) => operation.operationId))
      .sort();
    expect(operations).toEqual(declared);
    const result = await new Validator().validate(body as unknown as Parameters<Validator["validate"]>[0]);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });
});
