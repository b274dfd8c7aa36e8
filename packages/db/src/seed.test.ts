import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "./client";
import { queryRows } from "./query";
import { eventId, seedDemo } from "./seed";
import { createMemoryDatabase } from "./testing";

let handle: DatabaseHandle;
beforeAll(async () => {
  handle = await createMemoryDatabase();
});
afterAll(() => handle.close());

const count = async (table: string) =>
  (await queryRows<{ n: number }>(handle.db, sql.raw(`SELECT count(*)::int AS n FROM ${table}`)))[0]?.n;

describe("seedDemo", () => {
  it("builds the demo world once; a second run changes nothing", async () => {
    const first = await seedDemo(handle.db);
    expect(first.venues).toBe(3);
    expect(first.events).toBeGreaterThanOrEqual(6);
    const tables = ["users", "venues", "venue_seats", "events", "event_seats", "bookings", "booking_seats"];
    const before = await Promise.all(tables.map(count));
    const second = await seedDemo(handle.db);
    expect(second).toEqual({ users: 0, venues: 0, seats: 0, events: 0, bookings: 0 });
    expect(await Promise.all(tables.map(count))).toEqual(before);
  });

  it("starts every show at 7:30 PM in its venue's time zone", async () => {
    const rows = await queryRows<{ key: string; starts_at: Date; city: string; time_zone: string }>(
      handle.db,
      sql`SELECT e.external_id AS key, e.starts_at, v.city, v.time_zone
          FROM events e JOIN venues v ON v.id = e.venue_id WHERE e.external_id LIKE 'demo-%'`,
    );
    expect(new Set(rows.map((row) => `${row.city} ${row.time_zone}`))).toEqual(
      new Set(["Austin America/Chicago", "Portland America/Los_Angeles", "Manchester Europe/London"]),
    );
    for (const row of rows) {
      const local = new Intl.DateTimeFormat("en-US", {
        timeZone: row.time_zone,
        hour: "numeric",
        minute: "2-digit",
      }).format(new Date(row.starts_at));
      expect(`${row.key}: ${local}`).toBe(`${row.key}: 7:30 PM`);
    }
  });

  it("has a nearly sold-out, a sold-out and a not-yet-on-sale event, with realistic seat maps", async () => {
    const rows = await queryRows<{ id: string; status: string; total: number; sold: number }>(
      handle.db,
      sql`SELECT e.id, e.status::text, count(*)::int AS total, (count(*) FILTER (WHERE es.status = 'sold'))::int AS sold
          FROM events e JOIN event_seats es ON es.event_id = e.id GROUP BY e.id`,
    );
    const byId = new Map(rows.map((row) => [row.id, row]));
    expect(byId.get(eventId("lantern-comedy"))).toMatchObject({ status: "sold_out", total: 208, sold: 208 });
    expect(byId.get(eventId("harbor-jazz"))).toMatchObject({ status: "on_sale", total: 652, sold: 642 });
    expect(byId.get(eventId("aurora-ballet"))).toMatchObject({ status: "scheduled", sold: 0 });
    expect(Math.max(...rows.map((row) => row.total))).toBeGreaterThan(3000);
  });

  it("creates the demo accounts with their roles", async () => {
    const users = await queryRows<{ email: string; role: string }>(
      handle.db,
      sql`SELECT email, role::text FROM users WHERE email NOT LIKE 'patron%' ORDER BY email`,
    );
    expect(users).toEqual([
      { email: "admin@example.com", role: "admin" },
      { email: "alice@example.com", role: "customer" },
      { email: "bob@example.com", role: "customer" },
      { email: "olivia@example.com", role: "organizer" },
      { email: "omar@example.com", role: "organizer" },
      { email: "worker@ticketing.internal", role: "service" },
    ]);
  });
});

describe("inventory constraints", () => {
  it("refuse a seat row whose owner and status disagree", async () => {
    const seat = sql`(SELECT seat_id FROM event_seats WHERE event_id = ${eventId("city-lights")} LIMIT 1)`;
    await expect(
      handle.db.execute(
        sql`UPDATE event_seats SET status = 'held' WHERE event_id = ${eventId("city-lights")} AND seat_id = ${seat}`,
      ),
    ).rejects.toMatchObject({ cause: { code: "23514" } });
    await expect(
      handle.db.execute(
        sql`UPDATE event_seats SET status = 'sold' WHERE event_id = ${eventId("city-lights")} AND seat_id = ${seat}`,
      ),
    ).rejects.toMatchObject({ cause: { code: "23514" } });
  });
});
