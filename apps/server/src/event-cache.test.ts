import { eventId } from "@ticketing/db";
import { createScratchPostgres } from "@ticketing/db/testing";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callProcedure, postgresAvailable, startTestServer, type TestServer } from "./testing";

// Event reads answer from a per-instance cache (docs/decisions/016). Whatever changes the
// seats shows in the very next read on the instance that acknowledged it; on PostgreSQL, other
// instances show it once the change feed tells them (these tests wait for that, with a
// generous bound: they check behaviour, the benchmark measures the delay), and an instance
// whose feed is down answers from the database.

const lights = eventId("city-lights");
type Counts = { total: number; available: number; held: number; sold: number };

async function read<T>(server: TestServer, path: string, input: unknown): Promise<T> {
  const encoded = encodeURIComponent(JSON.stringify({ json: input }));
  const response = await fetch(`${server.url}/trpc/${path}?input=${encoded}`);
  const body = (await response.json()) as { result: { data: { json: T } } };
  return body.result.data.json;
}

type Event = { name: string; description: string; counts: Counts };
const getEvent = (server: TestServer) => read<Event>(server, "getEvent", { eventId: lights });
const counts = async (server: TestServer) => (await getEvent(server)).counts;

const call = (server: TestServer, path: string, input: unknown, token?: string) =>
  callProcedure(server.url, path, input, token);

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

const postgres = await postgresAvailable();

/** Reads until `check` passes (the other instance's feed has told it), for at most 10 s. */
async function eventually<T>(readIt: () => Promise<T>, check: (value: T) => boolean): Promise<T> {
  const until = Date.now() + 10_000;
  for (;;) {
    const value = await readIt();
    if (check(value) || Date.now() > until) return value;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe.runIf(postgres)("event reads on PostgreSQL with two instances", () => {
  let a: TestServer;
  let b: TestServer;
  let scratchUrl: string;
  let drop: () => Promise<void>;
  /** A write nobody announces (no trigger fires, nothing is logged): only a read of the database sees it. */
  const unannounced = async (description: string) => {
    const client = new pg.Client({ connectionString: scratchUrl });
    await client.connect();
    try {
      await client.query("SET session_replication_role = replica");
      await client.query("UPDATE events SET description = $1 WHERE id = $2", [description, lights]);
    } finally {
      await client.end();
    }
  };

  beforeAll(async () => {
    const scratch = await createScratchPostgres();
    scratchUrl = scratch.url;
    drop = scratch.drop;
    a = await startTestServer({ databaseUrl: scratch.url });
    // B reconnects its feed only after 1.5 s, so the test sees it down.
    b = await startTestServer({ databaseUrl: scratch.url, feed: { listen: { retryDelayMs: 1_500 } } });
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    await drop?.();
  });

  it("answers from the cache, shows its own writes at once and the other instance's once told", async () => {
    const before = await counts(b);
    // B answers from memory: a write that announces nothing does not show.
    await unannounced("not announced");
    expect((await getEvent(b)).description).not.toBe("not announced");

    const token = await signIn(a, "bob@example.com");
    await counts(a);
    const booking = await call(a, "createBooking", { eventId: lights, quantity: 4 }, token);
    const held = { ...before, available: before.available - 4, held: before.held + 4 };
    // Read your writes: A emptied its cache before answering.
    expect(await counts(a)).toEqual(held);
    // B hears of the seat change through the feed: getEvent, the REST read, the list and the seat map.
    expect(
      await eventually(
        () => counts(b),
        (c) => c.held === held.held,
      ),
    ).toEqual(held);
    const rest = (await (await fetch(`${b.url}/api/v1/events/${lights}`)).json()) as { counts: Counts };
    expect(rest.counts).toEqual(held);
    const listed = await read<{ items: { id: string; counts: Counts }[] }>(b, "listEvents", { limit: 50 });
    expect(listed.items.find((item) => item.id === lights)?.counts).toEqual(held);
    const map = await read<{ seats: { seatId: string; status: string }[] }>(b, "getSeatMap", { eventId: lights });
    const mine = new Set((booking.seats as { seatId: string }[]).map((seat) => seat.seatId));
    expect(map.seats.filter((seat) => mine.has(seat.seatId)).map((seat) => seat.status)).toEqual(Array(4).fill("held"));

    await call(a, "cancelBooking", { bookingId: booking.id }, token);
    expect(await counts(a)).toEqual(before);
    expect(
      await eventually(
        () => counts(b),
        (c) => c.held === before.held,
      ),
    ).toEqual(before);
  });

  it("hears of event changes (not only seats) from the database's own notifications", async () => {
    await getEvent(b);
    const client = new pg.Client({ connectionString: scratchUrl });
    await client.connect();
    try {
      await client.query("UPDATE events SET name = 'City Lights (late show)' WHERE id = $1", [lights]);
    } finally {
      await client.end();
    }
    expect(
      (
        await eventually(
          () => getEvent(b),
          (e) => e.name.endsWith("(late show)"),
        )
      ).name,
    ).toBe("City Lights (late show)");
  });

  it("answers from the database while its feed is down, and caches again once it is back", async () => {
    await getEvent(b);
    await unannounced("before the drop");
    expect((await getEvent(b)).description).not.toBe("before the drop");
    // Drop every LISTEN connection of this database (A's too; B waits 1.5 s before reconnecting).
    const admin = new pg.Client({ connectionString: scratchUrl });
    await admin.connect();
    try {
      await admin.query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'ticketing-listen' AND datname = current_database()",
      );
      // Down: nothing announced it, yet B shows it (it reads the database).
      expect(
        (
          await eventually(
            () => getEvent(b),
            (e) => e.description === "before the drop",
          )
        ).description,
      ).toBe("before the drop");
      await unannounced("while down");
      // Connections that have finished their LISTENs (the last one is on event_changes).
      const listening = async () =>
        (
          await admin.query(
            `SELECT count(*)::int AS n FROM pg_stat_activity
             WHERE application_name = 'ticketing-listen' AND datname = current_database()
               AND state = 'idle' AND query = 'LISTEN "event_changes"'`,
          )
        ).rows[0].n as number;
      // Back (B's reconnection): the cache starts empty, then keeps answers again.
      for (const until = Date.now() + 10_000; (await listening()) < 2 && Date.now() < until; ) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(await listening()).toBe(2);
      // Its answer to LISTEN reached B a moment ago; give the callback that turns the cache on a moment too.
      await new Promise((resolve) => setTimeout(resolve, 100));
    } finally {
      await admin.end();
    }
    expect((await getEvent(b)).description).toBe("while down");
    await unannounced("after the reconnection");
    expect((await getEvent(b)).description).toBe("while down");
  });
});
