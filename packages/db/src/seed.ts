import { inArray, sql } from "drizzle-orm";
import { ensureServiceAccount } from "./accounts";
import type { Database } from "./client";
import { stableId } from "./ids";
import { createEventInventory } from "./inventory";
import { hashPassword, NO_PASSWORD } from "./passwords";
import { queryRows } from "./query";
import * as t from "./schema";
import { DEMO_PASSWORD, demoUsers, type EventPlan, eventPlans, patronCount, venuePlans } from "./seed-data";
import { resolveWallTime, zonedDate } from "./zoned-time";

export interface SeedSummary {
  users: number;
  venues: number;
  seats: number;
  events: number;
  bookings: number;
}

const DAY_MS = 86_400_000;
const BOOKING_SIZE = 6;
const INSERT_CHUNK = 1000;

function venueZone(key: string): string {
  const venue = venuePlans.find((plan) => plan.key === key);
  if (!venue) throw new Error(`The seed has no venue "${key}"`);
  return venue.timeZone;
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Evening shows: 7:30 PM in the venue's zone, on the local date `days` after `now`. */
function eveningAfter(now: Date, days: number, timeZone: string): Date {
  const date = zonedDate(new Date(now.getTime() + days * DAY_MS), timeZone);
  const evening = resolveWallTime({ ...date, hour: 19, minute: 30 }, timeZone);
  // No zone changes its clocks in the evening; the earlier instant is a safe reading if one did.
  if (evening.kind === "gap") throw new Error(`7:30 PM does not exist in ${timeZone} on that day`);
  return evening.kind === "instant" ? evening.instant : evening.earlier;
}

export const userId = (email: string) => stableId(`user:${email}`);
export const venueId = (key: string) => stableId(`venue:${key}`);
export const eventId = (key: string) => stableId(`event:${key}`);

/**
 * Loads the demo world. Every row has a stable id and is inserted only if absent, so a
 * second run changes nothing — not even the bookings people made since the first.
 */
export async function seedDemo(db: Database, now = new Date()): Promise<SeedSummary> {
  return db.transaction(async (tx) => {
    const summary: SeedSummary = { users: 0, venues: 0, seats: 0, events: 0, bookings: 0 };
    await ensureServiceAccount(tx);
    summary.users = await seedUsers(tx);
    for (const venue of venuePlans) {
      const inserted = await tx
        .insert(t.venues)
        .values({ id: venueId(venue.key), name: venue.name, city: venue.city, timeZone: venue.timeZone })
        .onConflictDoNothing()
        .returning({ id: t.venues.id });
      if (inserted.length === 0) continue;
      summary.venues++;
      await tx
        .insert(t.venueTiers)
        .values(venue.tiers.map((tier) => ({ ...tier, venueId: venueId(venue.key) })))
        .onConflictDoNothing();
      const seats = venue.sections.flatMap((section) =>
        section.rows.flatMap((row, rowIndex) =>
          Array.from({ length: section.seatsPerRow }, (_, i) => ({
            id: stableId(`seat:${venue.key}:${section.name}:${row}:${i + 1}`),
            venueId: venueId(venue.key),
            section: section.name,
            row,
            number: i + 1,
            tier: section.frontRows && rowIndex < section.frontRows.count ? section.frontRows.tier : section.tier,
          })),
        ),
      );
      for (const chunk of chunks(seats, INSERT_CHUNK)) {
        await tx.insert(t.venueSeats).values(chunk).onConflictDoNothing();
      }
      summary.seats += seats.length;
    }
    for (const plan of eventPlans) {
      const inserted = await tx
        .insert(t.events)
        .values({
          id: eventId(plan.key),
          externalId: `demo-${plan.key}`,
          name: plan.name,
          description: plan.description,
          venueId: venueId(plan.venue),
          startsAt: eveningAfter(now, plan.daysFromNow, venueZone(plan.venue)),
          status: plan.status,
          organizerId: userId(plan.organizer),
        })
        .onConflictDoNothing()
        .returning({ id: t.events.id });
      if (inserted.length === 0) continue;
      summary.events++;
      await createEventInventory(tx, eventId(plan.key), venueId(plan.venue));
      summary.bookings += await sellSeats(tx, plan, now);
      summary.bookings += await bookForDemoAccount(tx, plan, now);
    }
    return summary;
  });
}

async function seedUsers(tx: Database): Promise<number> {
  const people = [
    ...demoUsers.map((user) => ({ ...user, password: DEMO_PASSWORD as string | null })),
    ...Array.from({ length: patronCount }, (_, i) => ({
      email: `patron${String(i + 1).padStart(2, "0")}@example.com`,
      name: `Patron ${i + 1}`,
      role: "customer" as const,
      password: null,
    })),
  ];
  const existing = new Set(
    (
      await tx
        .select({ email: t.users.email })
        .from(t.users)
        .where(
          inArray(
            t.users.email,
            people.map((p) => p.email),
          ),
        )
    ).map((row) => row.email),
  );
  const missing = people.filter((person) => !existing.has(person.email));
  if (missing.length === 0) return 0;
  // One hash for the one public password: a hash is slow by design, and the start-up
  // check for exposed demo accounts then verifies one hash, not five.
  const demoHash = missing.some((person) => person.password !== null) ? await hashPassword(DEMO_PASSWORD) : NO_PASSWORD;
  const rows = missing.map((person) => ({
    id: userId(person.email),
    email: person.email,
    name: person.name,
    role: person.role,
    passwordHash: person.password === null ? NO_PASSWORD : demoHash,
  }));
  const inserted = await tx.insert(t.users).values(rows).onConflictDoNothing().returning({ id: t.users.id });
  return inserted.length;
}

/** Confirmed bookings by the seeded patrons, in groups of six neighbouring seats. */
async function sellSeats(tx: Database, plan: EventPlan, now: Date): Promise<number> {
  if (!plan.sold) return 0;
  const id = eventId(plan.key);
  const seats = await queryRows<{ seat_id: string; tier: string; price_cents: number }>(
    tx,
    sql`SELECT es.seat_id, vs.tier, et.price_cents
        FROM event_seats es
        JOIN venue_seats vs ON vs.id = es.seat_id
        JOIN event_tiers et ON et.event_id = es.event_id AND et.tier = vs.tier
        WHERE es.event_id = ${id}
        ORDER BY vs.section, vs.row, vs.number`,
  );
  const toSell = plan.sold === "all" ? seats : seats.slice(0, Math.max(0, seats.length - plan.sold.allBut));
  const groups = chunks(toSell, BOOKING_SIZE);
  const bookingRows = groups.map((group, i) => ({
    id: stableId(`booking:${plan.key}:${i}`),
    eventId: id,
    userId: userId(`patron${String((i % patronCount) + 1).padStart(2, "0")}@example.com`),
    status: "confirmed" as const,
    totalCents: group.reduce((sum, seat) => sum + seat.price_cents, 0),
    expiresAt: now,
    confirmedAt: now,
    paymentRef: `seed_${plan.key}_${i}`,
  }));
  for (const chunk of chunks(bookingRows, INSERT_CHUNK)) await tx.insert(t.bookings).values(chunk);
  const seatRows = groups.flatMap((group, i) =>
    group.map((seat) => ({
      bookingId: stableId(`booking:${plan.key}:${i}`),
      eventId: id,
      seatId: seat.seat_id,
      tier: seat.tier,
      priceCents: seat.price_cents,
    })),
  );
  for (const chunk of chunks(seatRows, INSERT_CHUNK)) await tx.insert(t.bookingSeats).values(chunk);
  await tx.execute(sql`
    UPDATE event_seats es SET status = 'sold', booking_id = bs.booking_id
    FROM booking_seats bs
    WHERE bs.event_id = ${id} AND es.event_id = bs.event_id AND es.seat_id = bs.seat_id`);
  return bookingRows.length;
}

/** A confirmed booking for a demo account: neighbouring seats in the middle of one row. */
async function bookForDemoAccount(tx: Database, plan: EventPlan, now: Date): Promise<number> {
  if (!plan.demoBooking) return 0;
  const { email, section, row, seats: count } = plan.demoBooking;
  const id = eventId(plan.key);
  const bookingId = stableId(`booking:${plan.key}:${email}`);
  const seats = await queryRows<{ seat_id: string; tier: string; price_cents: number }>(
    tx,
    sql`SELECT es.seat_id, vs.tier, et.price_cents
        FROM event_seats es
        JOIN venue_seats vs ON vs.id = es.seat_id
        JOIN event_tiers et ON et.event_id = es.event_id AND et.tier = vs.tier
        WHERE es.event_id = ${id} AND es.status = 'available' AND vs.section = ${section} AND vs.row = ${row}
        ORDER BY vs.number`,
  );
  const middle = Math.max(0, Math.floor((seats.length - count) / 2));
  const chosen = seats.slice(middle, middle + count);
  if (chosen.length === 0) return 0;
  await tx.insert(t.bookings).values({
    id: bookingId,
    eventId: id,
    userId: userId(email),
    status: "confirmed",
    totalCents: chosen.reduce((sum, seat) => sum + seat.price_cents, 0),
    expiresAt: now,
    confirmedAt: now,
    paymentRef: `seed_${plan.key}_demo`,
  });
  await tx.insert(t.bookingSeats).values(
    chosen.map((seat) => ({
      bookingId,
      eventId: id,
      seatId: seat.seat_id,
      tier: seat.tier,
      priceCents: seat.price_cents,
    })),
  );
  await tx.execute(sql`
    UPDATE event_seats SET status = 'sold', booking_id = ${bookingId}
    WHERE event_id = ${id} AND seat_id IN (SELECT seat_id FROM booking_seats WHERE booking_id = ${bookingId})`);
  return 1;
}
