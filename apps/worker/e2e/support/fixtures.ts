import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createSmallEvent, expireHold, type TestApi } from "@ticketing/api/testing";
import { type Database, queryRows } from "@ticketing/db";
import { sql } from "drizzle-orm";
import PostalMime from "postal-mime";

export type StoredNotification = {
  id: string;
  kind: string;
  booking_id: string;
  subject: string;
  attempts: number;
  delivered_at: Date | null;
};

/** A fresh small event and a new customer to book it. */
export async function freshEvent(api: TestApi, seats: number) {
  const organizer = await api.userByEmail("olivia@example.com");
  const { eventId } = await createSmallEvent(api.db, { seats, organizerId: organizer.id });
  const { caller } = await api.newUser();
  return { eventId, caller };
}

/** `count` confirmed bookings, each of which writes one booking_confirmed email to the outbox. */
export async function confirmedBookings(api: TestApi, count: number): Promise<string[]> {
  const { eventId, caller } = await freshEvent(api, count);
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const booking = await caller.createBooking({ eventId, quantity: 1 });
    await caller.confirmBooking({ bookingId: booking.id, paymentToken: "tok_visa" });
    ids.push(booking.id);
  }
  return ids;
}

/** `count` holds of two seats each, already past their expiry. */
export async function lapsedHolds(api: TestApi, count: number) {
  const { eventId, caller } = await freshEvent(api, count * 2);
  const bookingIds: string[] = [];
  for (let i = 0; i < count; i++) {
    bookingIds.push((await caller.createBooking({ eventId, quantity: 2 })).id);
  }
  // Only once all are booked: a lapsed hold's seats are free to the next booking.
  for (const id of bookingIds) await expireHold(api.db, id);
  return { eventId, caller, bookingIds };
}

/** Marks every waiting notification delivered, so a test sees only the ones it makes. */
export async function settleOutbox(db: Database): Promise<void> {
  await db.execute(sql`UPDATE notifications SET delivered_at = now() WHERE delivered_at IS NULL`);
}

export async function notificationsOf(db: Database, bookingIds: string[]): Promise<StoredNotification[]> {
  if (bookingIds.length === 0) return [];
  return queryRows<StoredNotification>(
    db,
    sql`SELECT id, kind, booking_id, subject, attempts, delivered_at FROM notifications
        WHERE booking_id IN (${sql.join(
          bookingIds.map((id) => sql`${id}::uuid`),
          sql`, `,
        )})
        ORDER BY created_at, id`,
  );
}

/** How many seats of an event the database has in each state. */
export async function seatStates(db: Database, eventId: string): Promise<Record<string, number>> {
  const rows = await queryRows<{ status: string; count: number }>(
    db,
    sql`SELECT status, count(*)::int AS count FROM event_seats WHERE event_id = ${eventId} GROUP BY status`,
  );
  return Object.fromEntries(rows.map((row) => [row.status, row.count]));
}

export async function countLapsedHolds(db: Database): Promise<number> {
  const [row] = await queryRows<{ count: number }>(
    db,
    sql`SELECT count(*)::int AS count FROM bookings WHERE status = 'held' AND expires_at <= now()`,
  );
  return row?.count ?? 0;
}

/** The .eml files in an outbox, by notification id. */
export function outboxFiles(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((name) => name.endsWith(".eml"))
      .map((name) => name.slice(0, -".eml".length))
      .sort();
  } catch {
    return [];
  }
}

export function parseMessage(dir: string, id: string) {
  return PostalMime.parse(readFileSync(join(dir, `${id}.eml`)));
}
