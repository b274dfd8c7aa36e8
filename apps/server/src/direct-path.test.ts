import { eventId } from "@ticketing/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./testing";

// The direct path (no fetch Request/Response) must be indistinguishable on the wire from
// tRPC's fetch adapter: the same requests go to a server on each, and the statuses,
// headers that clients read, and bodies must match.

const env = { SIGN_IN_ATTEMPTS_PER_MINUTE: "2" };
let direct: TestServer;
let adapter: TestServer;
beforeAll(async () => {
  [direct, adapter] = await Promise.all([
    startTestServer({ env: { ...env, RPC_DIRECT_PATH: "true" } }),
    startTestServer({ env: { ...env, RPC_DIRECT_PATH: "false" } }),
  ]);
});
afterAll(async () => {
  await Promise.all([direct?.close(), adapter?.close()]);
});

const jazz = eventId("harbor-jazz");
const lights = eventId("city-lights");
const unknownEvent = "0b7a0f5e-4c3d-4e2f-9a1b-2c3d4e5f6a7b";
const q = (value: unknown) => encodeURIComponent(JSON.stringify(value));
const json = (value: unknown) => JSON.stringify({ json: value });

interface Step {
  name: string;
  path: string;
  method?: "GET" | "POST" | "HEAD";
  headers?: Record<string, string>;
  body?: string;
}

interface Seen {
  name: string;
  status: number;
  headers: Record<string, string | null>;
  body: string;
  /** Not compared: the direct path sends a length, the fetch adapter's responses go chunked. */
  framing: "length" | "chunked" | "none";
}

/** Headers a client or a proxy acts on; framing (content-length vs chunked) may differ. */
const COMPARED = ["content-type", "vary", "retry-after", "set-cookie", "x-request-id", "cache-control"];

/** Values that differ between two servers by nature (random ids, tokens, clocks), named by first appearance. */
function normalizer() {
  const names = new Map<string, string>();
  const name = (kind: string, value: string) => {
    let known = names.get(value);
    if (!known) {
      known = `<${kind}${names.size}>`;
      names.set(value, known);
    }
    return known;
  };
  return (text: string) =>
    text
      .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, (id) => name("id", id))
      .replace(/"token":"([^"]+)"/g, (_, token: string) => `"token":"${name("token", token)}"`)
      .replace(/session=([A-Za-z0-9_-]+)/g, (_, token: string) => `session=${name("token", token)}`)
      .replace(/Expires=[^;]+/g, "Expires=<date>")
      .replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z/g, "<time>");
}

async function run(server: TestServer): Promise<Seen[]> {
  const normalize = normalizer();
  const seen: Seen[] = [];
  const tokens: Record<string, string> = {};
  const send = async (step: Step) => {
    const response = await fetch(`${server.url}${step.path}`, {
      method: step.method ?? (step.body === undefined ? "GET" : "POST"),
      headers: { "x-request-id": `eq-${seen.length}`, ...step.headers },
      ...(step.body !== undefined && { body: step.body }),
    });
    const body = await response.text();
    const headers: Record<string, string | null> = {};
    for (const header of COMPARED) {
      const value = header === "set-cookie" ? response.headers.getSetCookie().join(" | ") || null : null;
      headers[header] = normalize(value ?? response.headers.get(header) ?? "") || null;
    }
    const framing = response.headers.has("content-length")
      ? "length"
      : response.headers.get("transfer-encoding") === "chunked"
        ? "chunked"
        : "none";
    seen.push({ name: step.name, status: response.status, headers, body: normalize(body), framing });
    return body;
  };
  const postJson = (token?: string) => ({
    "content-type": "application/json",
    ...(token && { authorization: `Bearer ${token}` }),
  });
  const signIn = async (email: string, password = "demo-password") => {
    const body = await send({
      name: `signIn ${email}`,
      path: "/trpc/signIn",
      headers: postJson(),
      body: json({ email, password }),
    });
    const token = /"token":"([^"]+)"/.exec(body)?.[1];
    if (token) tokens[email] = token;
  };

  await send({ name: "query", path: `/trpc/getEvent?input=${q({ json: { eventId: jazz } })}` });
  await send({ name: "query, no input", path: "/trpc/me" });
  await send({ name: "bad input", path: `/trpc/getEvent?input=${q({ json: { eventId: "12" } })}` });
  await send({ name: "missing input", path: "/trpc/getEvent" });
  await send({ name: "input not JSON", path: "/trpc/getEvent?input=%7Bnot-json" });
  await send({ name: "superjson meta wrong", path: `/trpc/getEvent?input=${q({ json: 1, meta: { values: 7 } })}` });
  await send({ name: "unknown id", path: `/trpc/getEvent?input=${q({ json: { eventId: unknownEvent } })}` });
  await send({ name: "unknown procedure", path: "/trpc/noSuchProcedure" });
  await send({ name: "prototype key as procedure", path: "/trpc/__proto__" });
  await send({ name: "inherited name as procedure", path: "/trpc/constructor,toString?batch=1" });
  await send({ name: "mutation over GET", path: `/trpc/createBooking?input=${q({ json: {} })}` });
  await send({
    name: "query over POST",
    path: "/trpc/getEvent",
    headers: postJson(),
    body: json({ eventId: jazz }),
  });
  await send({ name: "no session", path: "/trpc/listMyBookings" });
  await send({
    name: "batch of queries, mixed results",
    path: `/trpc/getEvent,getEvent,noSuch,listEvents?batch=1&input=${q({
      0: { json: { eventId: jazz } },
      1: { json: { eventId: "bad" } },
      3: { json: { limit: 2 } },
    })}`,
  });
  await send({
    name: "batch, all failing the same way",
    path: `/trpc/getEvent,getEvent?batch=1&input=${q({ 0: { json: { eventId: unknownEvent } }, 1: { json: {} } })}`,
  });
  await send({ name: "batch input not an object", path: `/trpc/getEvent?batch=1&input=${q([1])}` });
  await send({ name: "batch without input", path: "/trpc/me,me?batch=1" });
  await send({
    name: "batch over the cap",
    path: `/trpc/${Array.from({ length: 51 }, () => "me").join(",")}?batch=1`,
  });
  await send({ name: "mixed procedure types", path: "/trpc/me,signOut?batch=1" });
  await send({ name: "encoded path", path: `/trpc/get%45vent?input=${q({ json: { eventId: jazz } })}` });
  await send({ name: "HEAD", path: "/trpc/me", method: "HEAD" });
  await send({
    name: "streamed batch",
    path: `/trpc/getEvent,getEvent?batch=1&input=${q({ 0: { json: { eventId: jazz } }, 1: { json: {} } })}`,
    headers: { "trpc-accept": "application/jsonl" },
  });
  await send({ name: "deadline not a number", path: "/trpc/me", headers: { "rpc-timeout-ms": "soon" } });
  await send({ name: "deadline already spent", path: "/trpc/me", headers: { "rpc-timeout-ms": "0" } });
  await send({ name: "POST body not JSON", path: "/trpc/signIn", headers: postJson(), body: "{nope" });
  await send({ name: "POST empty body", path: "/trpc/signIn", headers: postJson(), body: "" });
  await send({ name: "POST form body", path: "/trpc/signOut", headers: { "content-type": "text/plain" }, body: "x" });
  await send({
    name: "cross-site POST",
    path: "/trpc/signOut",
    headers: { ...postJson(), origin: "https://evil.example" },
    body: "{}",
  });

  await signIn("alice@example.com");
  await signIn("bob@example.com");
  await signIn("bob@example.com", "wrong-password");
  await signIn("bob@example.com", "wrong-password");
  const alice = tokens["alice@example.com"];
  const bob = tokens["bob@example.com"];
  await send({ name: "me with a cookie", path: "/trpc/me", headers: { cookie: `session=${alice}` } });
  await send({
    name: "batch of mutations, mixed",
    path: "/trpc/signIn,signIn?batch=1",
    headers: postJson(),
    body: JSON.stringify({
      0: { json: { email: "olivia@example.com", password: "demo-password" } },
      1: { json: { email: "olivia@example.com" } },
    }),
  });
  const booking = { eventId: lights, quantity: 2, idempotencyKey: "equivalence-key-1" };
  await send({ name: "book without a session", path: "/trpc/createBooking", headers: postJson(), body: json(booking) });
  const booked = await send({
    name: "book",
    path: "/trpc/createBooking",
    headers: postJson(alice),
    body: json(booking),
  });
  const takenSeat = /"seatId":"([^"]+)"/.exec(booked)?.[1];
  await send({
    name: "book a seat already taken",
    path: "/trpc/createBooking",
    headers: postJson(bob),
    body: json({ eventId: lights, seatIds: [takenSeat] }),
  });
  await send({ name: "book, replayed", path: "/trpc/createBooking", headers: postJson(alice), body: json(booking) });
  await send({
    name: "book, key reused with other input",
    path: "/trpc/createBooking",
    headers: postJson(alice),
    body: json({ ...booking, quantity: 3 }),
  });
  await send({
    name: "book too many seats",
    path: "/trpc/createBooking",
    headers: postJson(bob),
    body: json({ eventId: lights, quantity: 11 }),
  });
  await send({ name: "list my bookings", path: "/trpc/listMyBookings", headers: { authorization: `Bearer ${alice}` } });
  await send({
    name: "sign out",
    path: "/trpc/signOut",
    headers: { ...postJson(), cookie: `session=${bob}` },
    body: "{}",
  });
  return seen;
}

describe("the direct path and tRPC's fetch adapter", () => {
  it("answer the same requests with the same statuses, headers and bodies", async () => {
    const fromDirect = await run(direct);
    const fromAdapter = await run(adapter);
    expect(fromDirect.map((step) => step.name)).toEqual(fromAdapter.map((step) => step.name));
    for (const [index, fromFetch] of fromAdapter.entries()) {
      const { framing: _directFraming, ...actual } = fromDirect[index] as Seen;
      const { framing: _adapterFraming, ...expected } = fromFetch;
      const { "retry-after": waitDirect, ...headersDirect } = actual.headers;
      const { "retry-after": waitAdapter, ...headersAdapter } = expected.headers;
      expect({ ...actual, headers: headersDirect }, expected.name).toEqual({ ...expected, headers: headersAdapter });
      // Retry-After counts down with the clock: both present or both absent, about equal.
      expect(waitDirect === null, expected.name).toBe(waitAdapter === null);
      if (waitDirect && waitAdapter) expect(Math.abs(Number(waitDirect) - Number(waitAdapter))).toBeLessThanOrEqual(1);
    }
    // The direct server really took the direct path for plain calls, and left streams to the adapter.
    const framingOf = (steps: Seen[], name: string) => steps.find((step) => step.name === name)?.framing;
    for (const name of ["query", "bad input", "batch of queries, mixed results", "book", "book a seat already taken"]) {
      expect(framingOf(fromDirect, name), name).toBe("length");
      expect(framingOf(fromAdapter, name), name).toBe("chunked");
    }
    expect(framingOf(fromDirect, "streamed batch")).toBe("chunked");
    // The run covers what it claims to: every kind of outcome appears.
    const statuses = new Set(fromAdapter.map((step) => step.status));
    for (const status of [200, 204, 207, 400, 401, 403, 404, 405, 409, 415, 422, 429]) {
      expect(statuses, `status ${status}`).toContain(status);
    }
    expect(fromAdapter.find((step) => step.name === "bad input")?.body).toContain('"zodError":{');
    expect(fromAdapter.filter((step) => step.headers["set-cookie"]).length).toBeGreaterThan(0);
  });
});
