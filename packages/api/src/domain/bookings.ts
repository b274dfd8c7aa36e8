import { randomUUID } from "node:crypto";
import { type Database, queryRows, schema as t } from "@ticketing/db";
import { eq, sql } from "drizzle-orm";
import type { Booking } from "../schemas/bookings";
import { decodeCursor, encodeCursor } from "./cursor";
import { type DomainError, failed, notFound } from "./errors";
import { seatLabel } from "./format";
import { enqueueNotification } from "./notifications";
import { formatClockTime } from "./time";

const DEFAULT_HOLD_MINUTES = 10;
const DECLINED_TOKEN = "tok_decline";

type BookingRow = {
  id: string;
  user_id: string;
  status: Booking["status"];
  total_cents: number;
  expires_at: Date;
  created_at: Date;
  confirmed_at: Date | null;
  cancelled_at: Date | null;
  event_id: string;
  event_name: string;
  starts_at: Date;
  venue_name: string;
  city: string;
  time_zone: string;
};

const bookingSelect = sql`
  SELECT b.id, b.user_id, b.status, b.total_cents, b.expires_at, b.created_at, b.confirmed_at, b.cancelled_at,
         e.id AS event_id, e.name AS event_name, e.starts_at, v.name AS venue_name, v.city, v.time_zone
  FROM bookings b JOIN events e ON e.id = b.event_id JOIN venues v ON v.id = e.venue_id`;

const asDate = (value: Date | null) => (value === null ? null : new Date(value));

type SeatRow = {
  booking_id: string;
  seat_id: string;
  section: string;
  row: string;
  number: number;
  tier: string;
  price_cents: number;
};

const seatOrder = sql`vs.section, length(vs.row), vs.row, vs.number`;

/** A booking row and its seats as the API shows them; a held booking past its expiry reads as expired. */
function toBooking(row: BookingRow, seats: SeatRow[], now: number): Booking {
  const expiresAt = new Date(row.expires_at);
  return {
    id: row.id,
    userId: row.user_id,
    status: row.status === "held" && expiresAt.getTime() <= now ? "expired" : row.status,
    event: {
      id: row.event_id,
      name: row.event_name,
      startsAt: new Date(row.starts_at),
      venueName: row.venue_name,
      city: row.city,
      timeZone: row.time_zone,
    },
    seats: seats.map((s) => ({
      seatId: s.seat_id,
      section: s.section,
      row: s.row,
      number: s.number,
      tier: s.tier,
      priceCents: s.price_cents,
    })),
    totalCents: row.total_cents,
    expiresAt,
    createdAt: new Date(row.created_at),
    confirmedAt: asDate(row.confirmed_at),
    cancelledAt: asDate(row.cancelled_at),
  };
}

/** Loads bookings with their event and seats. */
async function hydrate(db: Database, rows: BookingRow[]): Promise<Booking[]> {
  if (rows.length === 0) return [];
  const seats = await queryRows<SeatRow>(
    db,
    sql`SELECT bs.booking_id, bs.seat_id, vs.section, vs.row, vs.number, bs.tier, bs.price_cents
        FROM booking_seats bs JOIN venue_seats vs ON vs.id = bs.seat_id
        WHERE bs.booking_id IN (${sql.join(
          rows.map((r) => sql`${r.id}::uuid`),
          sql`, `,
        )})
        ORDER BY ${seatOrder}`,
  );
  const now = Date.now();
  return rows.map((row) =>
    toBooking(
      row,
      seats.filter((s) => s.booking_id === row.id),
      now,
    ),
  );
}

/**
 * One booking in one statement (its seats aggregated as JSON): every mutation of a booking
 * answers with it, inside its transaction, so a round trip saved here is saved on each.
 */
export async function getBooking(db: Database, bookingId: string): Promise<Booking> {
  const [row] = await queryRows<BookingRow & { seats: SeatRow[] }>(
    db,
    sql`SELECT q.*, (
          SELECT coalesce(json_agg(json_build_object(
                   'booking_id', bs.booking_id, 'seat_id', bs.seat_id, 'section', vs.section, 'row', vs.row,
                   'number', vs.number, 'tier', bs.tier, 'price_cents', bs.price_cents) ORDER BY ${seatOrder}), '[]'::json)
          FROM booking_seats bs JOIN venue_seats vs ON vs.id = bs.seat_id
          WHERE bs.booking_id = q.id
        ) AS seats
        FROM (${bookingSelect} WHERE b.id = ${bookingId}) q`,
  );
  if (!row) throw notFound(`Booking ${bookingId}`);
  return toBooking(row, row.seats, Date.now());
}

export async function listBookings(db: Database, userId: string, page: { cursor?: string | undefined; limit: number }) {
  const after = page.cursor ? decodeCursor(page.cursor) : undefined;
  const rows = await queryRows<BookingRow>(
    db,
    sql`${bookingSelect}
        WHERE b.user_id = ${userId}
          ${after ? sql`AND (b.created_at, b.id) < (${after.at.toISOString()}::timestamptz, ${after.id}::uuid)` : sql``}
        ORDER BY b.created_at DESC, b.id DESC
        LIMIT ${page.limit + 1}`,
  );
  const items = await hydrate(db, rows.slice(0, page.limit));
  const last = items.at(-1);
  return { items, nextCursor: rows.length > page.limit && last ? encodeCursor(last.createdAt, last.id) : null };
}

type Claimed = BookingRow & { open: boolean; picked: number; claimed: number; seats: SeatRow[] | null };

/** The event a booking is for, as its permission check sees it. */
export type BookableEvent = { kind: "event"; id: string; organizerId: string };

/**
 * Holds seats for a new booking, in two statements and no transaction of its own.
 *
 * The first reads the event: unknown → NOT_FOUND, then `authorize` (the caller's permission
 * check, on the same row), then whether it is on sale. The second does every write at once
 * and answers with the booking: it locks the candidate seats (FOR UPDATE, re-checking each
 * under its row lock, so two buyers racing for a seat cannot both win: the database, not
 * this code, decides), and only if it got every seat asked for, and the event is still on
 * sale, does it insert the booking, hold the seats, price them and log the change. One
 * statement is atomic: a claim that falls short writes nothing, whether or not the caller
 * has a transaction open, so none is needed here (a savepoint would cost two round trips).
 */
export async function createBooking(
  db: Database,
  userId: string,
  request: { eventId: string; seatIds?: string[] | undefined; quantity?: number | undefined },
  holdMinutes = DEFAULT_HOLD_MINUTES,
  authorize: (event: BookableEvent) => void = () => {},
): Promise<Booking> {
  // SQL, not drizzle's select builder: building that select cost the server more CPU than
  // the statement costs the database (docs/decisions/016, 2026-12-07).
  const [event] = await queryRows<{
    status: (typeof t.eventStatus.enumValues)[number];
    starts_at: string | Date;
    name: string;
    organizer_id: string;
  }>(db, sql`SELECT status, starts_at, name, organizer_id FROM events WHERE id = ${request.eventId}`);
  if (!event) throw notFound(`Event ${request.eventId}`);
  authorize({ kind: "event", id: request.eventId, organizerId: event.organizer_id });
  if (event.status !== "on_sale" && event.status !== "sold_out") {
    const state = event.status === "scheduled" ? "is not on sale yet" : "was cancelled";
    throw failed("NOT_ON_SALE", { status: event.status }, `${event.name} ${state}; it cannot be booked.`);
  }
  if (new Date(event.starts_at).getTime() <= Date.now()) {
    throw failed("NOT_ON_SALE", { status: "started" }, `${event.name} has already started; it cannot be booked.`);
  }

  const bookingId = randomUUID();
  const wanted = request.seatIds?.length ?? request.quantity ?? 0;
  const free = sql`(es.status = 'available' OR (es.status = 'held' AND es.hold_expires_at <= clock_timestamp()))`;
  // The seats to take, locked. Asked-for seats are locked in one order (no deadlock between
  // two buyers of overlapping seats) and waited for; "best available" skips seats that
  // another booking is taking right now. Under its lock each row is re-read, so every seat
  // picked is free and stays so until this transaction ends.
  const candidates = request.seatIds
    ? sql`SELECT es.seat_id, vs.section, vs.row, vs.number, vs.tier, et.price_cents FROM event_seats es
          JOIN venue_seats vs ON vs.id = es.seat_id
          JOIN event_tiers et ON et.event_id = es.event_id AND et.tier = vs.tier
          WHERE es.event_id = ${request.eventId}
            AND es.seat_id IN (${sql.join(
              request.seatIds.map((id) => sql`${id}::uuid`),
              sql`, `,
            )})
            AND ${free}
          ORDER BY es.seat_id
          FOR UPDATE OF es`
    : sql`SELECT es.seat_id, vs.section, vs.row, vs.number, vs.tier, et.price_cents FROM event_seats es
          JOIN venue_seats vs ON vs.id = es.seat_id
          JOIN event_tiers et ON et.event_id = es.event_id AND et.tier = vs.tier
          WHERE es.event_id = ${request.eventId} AND ${free}
          ORDER BY et.price_cents DESC, vs.section, length(vs.row), vs.row, vs.number
          LIMIT ${wanted}
          FOR UPDATE OF es SKIP LOCKED`;
  const [result] = await queryRows<Claimed>(
    db,
    // The candidates are materialized once: a subquery with LIMIT … SKIP LOCKED may be re-run
    // by the planner and lock other seats. Sub-statements of one statement do not see each
    // other's rows, so the booking's row comes from `booking`'s RETURNING, and the seats of
    // the answer from `picked` (which `claimed` holds, row for row: they are locked and free).
    // Foreign keys are checked when the whole statement ends.
    sql`WITH ev AS (
            SELECT e.status IN ('on_sale', 'sold_out') AND e.starts_at > now() AS open,
                   e.id AS event_id, e.name AS event_name, e.starts_at, v.name AS venue_name, v.city, v.time_zone
            FROM events e JOIN venues v ON v.id = e.venue_id WHERE e.id = ${request.eventId}
          ), picked AS MATERIALIZED (${candidates}),
          go AS MATERIALIZED (
            SELECT coalesce((SELECT open FROM ev), false) AND (SELECT count(*) FROM picked) = ${wanted} AS ok
          ), booking AS (
            INSERT INTO bookings (id, event_id, user_id, total_cents, expires_at)
            SELECT ${bookingId}, ${request.eventId}, ${userId}, (SELECT coalesce(sum(price_cents), 0) FROM picked),
                   now() + make_interval(mins => ${holdMinutes})
            FROM go WHERE go.ok
            RETURNING id, user_id, status, total_cents, expires_at, created_at, confirmed_at, cancelled_at
          ), claimed AS (
            UPDATE event_seats es
            SET status = 'held', booking_id = booking.id, hold_expires_at = booking.expires_at
            FROM picked, booking
            WHERE es.event_id = ${request.eventId} AND es.seat_id = picked.seat_id AND ${free}
            RETURNING es.event_id, es.seat_id
          ), priced AS (
            INSERT INTO booking_seats (booking_id, event_id, seat_id, tier, price_cents)
            SELECT ${bookingId}, c.event_id, c.seat_id, p.tier, p.price_cents
            FROM claimed c JOIN picked p ON p.seat_id = c.seat_id
          ), logged AS (
            INSERT INTO seat_changes (event_id, status, seat_ids)
            SELECT ${request.eventId}::uuid, 'held'::seat_status, array_agg(seat_id ORDER BY seat_id) FROM claimed HAVING count(*) > 0
          )
          SELECT b.*, ev.event_id, ev.event_name, ev.starts_at, ev.venue_name, ev.city, ev.time_zone,
                 coalesce((SELECT open FROM ev), false) AS open,
                 (SELECT count(*) FROM picked)::int AS picked, (SELECT count(*) FROM claimed)::int AS claimed,
                 (SELECT json_agg(json_build_object(
                    'booking_id', b.id, 'seat_id', vs.seat_id, 'section', vs.section, 'row', vs.row,
                    'number', vs.number, 'tier', vs.tier, 'price_cents', vs.price_cents) ORDER BY ${seatOrder})
                  FROM picked vs) AS seats
          FROM go LEFT JOIN booking b ON true LEFT JOIN ev ON true`,
  );
  if (!result?.open) {
    throw failed("NOT_ON_SALE", { status: "closed" }, `${event.name} is no longer on sale; it cannot be booked.`);
  }
  if (!result.id || result.claimed !== wanted) {
    throw await explainShortfall(db, request, wanted, result.picked);
  }
  return toBooking(result, result.seats ?? [], Date.now());
}

/**
 * Says why a claim fell short: seats that are not this event's, or seats someone else has
 * (the claim wrote nothing, so the seats it could have had are still free).
 */
async function explainShortfall(
  db: Database,
  request: { eventId: string; seatIds?: string[] | undefined },
  wanted: number,
  free: number,
): Promise<DomainError> {
  if (!request.seatIds) {
    return failed(
      "NOT_ENOUGH_SEATS",
      { available: free, requested: wanted },
      free === 0
        ? "Sold out: no seats are left for this event."
        : `Only ${free} seats are left; you asked for ${wanted}.`,
    );
  }
  const known = await queryRows<{ seat_id: string; section: string; row: string; number: number; free: boolean }>(
    db,
    sql`SELECT es.seat_id, vs.section, vs.row, vs.number,
               (es.status = 'available' OR (es.status = 'held' AND es.hold_expires_at <= clock_timestamp())) AS free
        FROM event_seats es JOIN venue_seats vs ON vs.id = es.seat_id
        WHERE es.event_id = ${request.eventId}
          AND es.seat_id IN (${sql.join(
            request.seatIds.map((id) => sql`${id}::uuid`),
            sql`, `,
          )})`,
  );
  const found = new Set(known.map((seat) => seat.seat_id));
  const foreign = request.seatIds.filter((id) => !found.has(id));
  if (foreign.length > 0) {
    return failed(
      "SEATS_NOT_IN_EVENT",
      { seatIds: foreign },
      `These seats are not part of this event: ${foreign.join(", ")}.`,
    );
  }
  const takenSeats = known.filter((seat) => !seat.free);
  const taken = takenSeats.map(seatLabel);
  return failed(
    "SEATS_TAKEN",
    { seatIds: takenSeats.map((seat) => seat.seat_id) },
    taken.length === 1
      ? `Seat ${taken[0]} was just taken. Pick another seat.`
      : `Seats ${taken.join(", ")} were just taken. Pick other seats.`,
  );
}

async function lockBooking(tx: Database, bookingId: string) {
  const [booking] = await tx
    .select({
      id: t.bookings.id,
      status: t.bookings.status,
      eventId: t.bookings.eventId,
      expired: sql<boolean>`${t.bookings.expiresAt} <= clock_timestamp()`,
      expiresAt: t.bookings.expiresAt,
      timeZone: sql<string>`(SELECT v.time_zone FROM events e JOIN venues v ON v.id = e.venue_id
                             WHERE e.id = ${t.bookings.eventId})`,
    })
    .from(t.bookings)
    .where(eq(t.bookings.id, bookingId))
    .for("update");
  if (!booking) throw notFound(`Booking ${bookingId}`);
  return booking;
}

/** Pays for a held booking and turns its seats sold; a declined card leaves the hold as it was. */
export async function confirmBooking(db: Database, bookingId: string, paymentToken: string): Promise<Booking> {
  await db.transaction(async (tx) => {
    const booking = await lockBooking(tx, bookingId);
    if (booking.status !== "held") {
      throw failed(
        "BOOKING_NOT_HELD",
        { status: booking.status },
        `This booking is ${booking.status}, not held; only a held booking can be confirmed.`,
      );
    }
    if (booking.expired) {
      throw failed(
        "HOLD_EXPIRED",
        { expiredAt: booking.expiresAt.toISOString(), seatsLost: false },
        `This hold expired at ${formatClockTime(booking.expiresAt, booking.timeZone)}. Book the seats again.`,
      );
    }
    if (paymentToken === DECLINED_TOKEN) {
      throw failed(
        "CARD_DECLINED",
        { heldUntil: booking.expiresAt.toISOString() },
        `The card was declined. Your seats stay held until ${formatClockTime(booking.expiresAt, booking.timeZone)}; try another card.`,
      );
    }
    const [seats] = await queryRows<{ sold: number; expected: number }>(
      tx,
      sql`WITH sold AS (
            UPDATE event_seats SET status = 'sold', hold_expires_at = NULL
            WHERE booking_id = ${bookingId} AND status = 'held'
            RETURNING seat_id
          ), logged AS (
            INSERT INTO seat_changes (event_id, status, seat_ids)
            SELECT ${booking.eventId}::uuid, 'sold'::seat_status, array_agg(seat_id ORDER BY seat_id) FROM sold HAVING count(*) > 0
          )
          SELECT (SELECT count(*) FROM sold)::int AS sold,
                 (SELECT count(*) FROM booking_seats WHERE booking_id = ${bookingId})::int AS expected`,
    );
    if (!seats || seats.sold !== seats.expected) {
      throw failed(
        "HOLD_EXPIRED",
        { expiredAt: booking.expiresAt.toISOString(), seatsLost: true },
        "This hold expired and some seats went to someone else. Book again.",
      );
    }
    await tx
      .update(t.bookings)
      .set({ status: "confirmed", confirmedAt: sql`now()`, paymentRef: `pay_${randomUUID()}` })
      .where(eq(t.bookings.id, bookingId));
    // Sold out once every seat is sold; holds do not count, because they may lapse.
    await tx.execute(sql`
      UPDATE events SET status = 'sold_out', updated_at = now()
      WHERE id = ${booking.eventId} AND status = 'on_sale'
        AND NOT EXISTS (SELECT 1 FROM event_seats WHERE event_id = ${booking.eventId} AND status <> 'sold')`);
    await enqueueNotification(tx, "booking_confirmed", bookingId);
  });
  return getBooking(db, bookingId);
}

export async function cancelBooking(db: Database, bookingId: string): Promise<Booking> {
  await db.transaction(async (tx) => {
    const booking = await lockBooking(tx, bookingId);
    if (booking.status !== "held" && booking.status !== "confirmed") {
      throw failed("BOOKING_NOT_HELD", { status: booking.status }, `This booking is already ${booking.status}.`);
    }
    await releaseSeats(tx, [bookingId], { onlyHeld: false });
    await tx
      .update(t.bookings)
      .set({ status: "cancelled", cancelledAt: sql`now()` })
      .where(eq(t.bookings.id, bookingId));
    await tx.execute(sql`
      UPDATE events SET status = 'on_sale', updated_at = now()
      WHERE id = ${booking.eventId} AND status = 'sold_out'`);
    await enqueueNotification(tx, "booking_cancelled", bookingId);
  });
  return getBooking(db, bookingId);
}

/**
 * Returns the seats of these bookings to sale, and logs the change per event in the same
 * statement. `onlyHeld` frees only seats still held: a lapsed seat may already belong to
 * someone else's booking (the sweep), while a cancellation frees held and sold seats alike.
 */
async function releaseSeats(tx: Database, bookingIds: string[], { onlyHeld }: { onlyHeld: boolean }): Promise<void> {
  if (bookingIds.length === 0) return;
  await tx.execute(sql`
    WITH freed AS (
      UPDATE event_seats SET status = 'available', booking_id = NULL, hold_expires_at = NULL
      WHERE ${onlyHeld ? sql`status = 'held' AND ` : sql``}booking_id IN (${sql.join(
        bookingIds.map((id) => sql`${id}::uuid`),
        sql`, `,
      )})
      RETURNING event_id, seat_id
    )
    INSERT INTO seat_changes (event_id, status, seat_ids)
    SELECT event_id, 'available'::seat_status, array_agg(seat_id ORDER BY seat_id) FROM freed GROUP BY event_id`);
}

/**
 * Expires lapsed holds and frees their seats. SKIP LOCKED lets several sweepers run at
 * once without releasing a booking twice; each expiry is announced through the outbox.
 */
export async function releaseExpiredHolds(db: Database, limit: number): Promise<{ released: number }> {
  return db.transaction(async (tx) => {
    const expired = await queryRows<{ id: string }>(
      tx,
      sql`WITH lapsed AS MATERIALIZED (
            SELECT id FROM bookings
            WHERE status = 'held' AND expires_at <= clock_timestamp()
            ORDER BY expires_at
            LIMIT ${limit}
            FOR UPDATE SKIP LOCKED)
          UPDATE bookings b SET status = 'expired' FROM lapsed WHERE b.id = lapsed.id
          RETURNING b.id`,
    );
    const ids = expired.map((row) => row.id);
    await releaseSeats(tx, ids, { onlyHeld: true });
    for (const id of ids) await enqueueNotification(tx, "hold_expired", id);
    return { released: ids.length };
  });
}
