import { eventId, queryRows } from "@ticketing/db";
import type { TestServer } from "@ticketing/server/testing";
import { callProcedure, postgresAvailable, startPostgresServer } from "@ticketing/server/testing";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// getEvent on PostgreSQL is one named prepared statement (docs/decisions/016): every pooled
// connection prepares it on first use and reuses it, and a call with a deadline runs it inside
// its own transaction. Whichever connection and path serves a read, its counts must be those a
// recount of the seats gives, lapsed holds counted as available. The cache is off here, so
// every read reaches the database.

const available = await postgresAvailable();
const lights = eventId("city-lights");

type SectionCounts = { name: string; total: number; available: number; held: number; sold: number };
type Event = { counts: Omit<SectionCounts, "name">; sections: SectionCounts[] };

describe.runIf(available)("getEvent on PostgreSQL, cache off", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startPostgresServer({ EVENT_CACHE: "false" });
  });
  afterAll(() => server?.close());

  async function getEvent(headers: Record<string, string> = {}): Promise<Event> {
    const input = encodeURIComponent(JSON.stringify({ json: { eventId: lights } }));
    const response = await fetch(`${server.url}/trpc/getEvent?input=${input}`, { headers });
    expect(response.status).toBe(200);
    return ((await response.json()) as { result: { data: { json: Event } } }).result.data.json;
  }

  const call = (path: string, input: unknown, token?: string) => callProcedure(server.url, path, input, token);

  /** The sections' counts from the seats themselves: what the kept counts must equal. */
  const recount = () =>
    queryRows<SectionCounts>(
      server.database.db,
      sql`SELECT vs.section AS name, count(*)::int AS total,
                 count(*) FILTER (WHERE es.status = 'available'
                                  OR (es.status = 'held' AND es.hold_expires_at <= now()))::int AS available,
                 count(*) FILTER (WHERE es.status = 'held' AND es.hold_expires_at > now())::int AS held,
                 count(*) FILTER (WHERE es.status = 'sold')::int AS sold
          FROM event_seats es JOIN venue_seats vs ON vs.id = es.seat_id
          WHERE es.event_id = ${lights}
          GROUP BY vs.section ORDER BY vs.section`,
    );

  async function expectRecounted(event: Event) {
    const sections = await recount();
    expect(event.sections).toEqual(sections);
    const sum = (key: keyof Event["counts"]) => sections.reduce((n, section) => n + section[key], 0);
    expect(event.counts).toEqual({
      total: sum("total"),
      available: sum("available"),
      held: sum("held"),
      sold: sum("sold"),
    });
  }

  it("equal a recount after holds in several sections, a confirmation and a lapsed hold, on every path", async () => {
    const token = (await call("signIn", { email: "alice@example.com", password: "demo-password" })).token as string;
    // Two available seats from each of three sections, so live holds count per section.
    const seats = await queryRows<{ seat_id: string; section: string }>(
      server.database.db,
      sql`SELECT seat_id::text, section FROM (
            SELECT es.seat_id, vs.section, row_number() OVER (PARTITION BY vs.section ORDER BY es.seat_id) AS n,
                   dense_rank() OVER (ORDER BY vs.section) AS s
            FROM event_seats es JOIN venue_seats vs ON vs.id = es.seat_id
            WHERE es.event_id = ${lights} AND es.status = 'available') ranked
          WHERE n <= 2 AND s <= 3`,
    );
    expect(new Set(seats.map((seat) => seat.section)).size).toBe(3);
    const inSection = (index: number) =>
      seats.filter((seat) => seat.section === seats[index * 2]?.section).map((seat) => seat.seat_id);
    const kept = await call("createBooking", { eventId: lights, seatIds: inSection(0) }, token);
    const paid = await call("createBooking", { eventId: lights, seatIds: inSection(1) }, token);
    const lapsed = await call("createBooking", { eventId: lights, seatIds: inSection(2) }, token);
    await call("confirmBooking", { bookingId: paid.id, paymentToken: "tok_visa" }, token);
    // A hold past its expiry, not yet swept: its seats read as available.
    await server.database.db.execute(
      sql`UPDATE event_seats SET hold_expires_at = now() - interval '1 minute' WHERE booking_id = ${lapsed.id}`,
    );

    const plain = await getEvent();
    expect(plain.counts.held).toBe(2);
    await expectRecounted(plain);
    // With a deadline the statement runs in the call's transaction, under its statement_timeout.
    await expectRecounted(await getEvent({ "rpc-timeout-ms": "5000" }));
    // Many at once: most of the pool's connections prepare the statement and answer alike.
    const concurrent = await Promise.all(Array.from({ length: 40 }, () => getEvent()));
    for (const event of concurrent) expect(event).toEqual(plain);
    // Reused after preparation: a change shows in the next read.
    await call("cancelBooking", { bookingId: kept.id }, token);
    const after = await getEvent();
    expect(after.counts.held).toBe(0);
    await expectRecounted(after);
  });

  it("answers NOT_FOUND for an unknown event through the prepared statement", async () => {
    const input = encodeURIComponent(JSON.stringify({ json: { eventId: "0b7a0f5e-4c3d-4e2f-9a1b-2c3d4e5f6a7b" } }));
    const response = await fetch(`${server.url}/trpc/getEvent?input=${input}`);
    expect(response.status).toBe(404);
  });
});
