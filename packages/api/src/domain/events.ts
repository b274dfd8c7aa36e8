import { createEventInventory, type Database, queryRows, schema as t } from "@ticketing/db";
import { resolveWallTime, zoneOffsetMs } from "@ticketing/db/zoned-time";
import { and, eq, sql } from "drizzle-orm";
import type { EventDetail, EventSummary, LocalDateTime, UpsertEventInput } from "../schemas/events";
import { latestSeatChange } from "./availability";
import { decodeCursor, encodeCursor } from "./cursor";
import { DomainError, notFound } from "./errors";
import { decideCreateEvent, decideUpsertExisting, ensureAllowed } from "./permissions";
import type { Viewer } from "./viewer";

type EventStatus = EventSummary["status"];

/** A hold past its expiry blocks nobody, even before the sweep tidies it up. */
const isAvailable = sql`(es.status = 'available' OR (es.status = 'held' AND es.hold_expires_at <= now()))`;

/**
 * An event's counts without reading its seats: total and sold from the counts the triggers
 * keep (event_seat_counts, summed over sections and stripes), live holds from the index of
 * held seats. A lapsed hold is in neither, so it counts as available. Cost: O(sections ×
 * stripes + live holds), whatever the size of the venue.
 */
const countsJoin = sql`
  CROSS JOIN LATERAL (
    SELECT coalesce(sum(k.total), 0)::int AS total, coalesce(sum(k.sold), 0)::int AS sold
    FROM event_seat_counts k WHERE k.event_id = e.id
  ) kept
  CROSS JOIN LATERAL (
    SELECT count(*)::int AS held, min(es.hold_expires_at) AS next_expiry FROM event_seats es
    WHERE es.event_id = e.id AND es.status = 'held' AND es.hold_expires_at > now()
  ) live`;

const eventColumns = sql`
  e.id, e.external_id, e.name, e.description, e.starts_at, e.status, e.organizer_id,
  v.id AS venue_id, v.name AS venue_name, v.city AS venue_city, v.time_zone AS venue_time_zone,
  (SELECT min(price_cents) FROM event_tiers et WHERE et.event_id = e.id)::int AS price_from_cents`;

const summaryColumns = sql`${eventColumns},
  kept.total, kept.total - kept.sold - live.held AS available, live.held, kept.sold`;

type SummaryRow = {
  id: string;
  external_id: string | null;
  name: string;
  description: string;
  starts_at: Date;
  status: EventStatus;
  organizer_id: string;
  venue_id: string;
  venue_name: string;
  venue_city: string;
  venue_time_zone: string;
  price_from_cents: number | null;
  total: number;
  available: number;
  held: number;
  sold: number;
};

const toSummary = (row: SummaryRow): EventSummary => ({
  id: row.id,
  externalId: row.external_id,
  name: row.name,
  description: row.description,
  startsAt: new Date(row.starts_at),
  status: row.status,
  organizerId: row.organizer_id,
  venue: { id: row.venue_id, name: row.venue_name, city: row.venue_city, timeZone: row.venue_time_zone },
  priceFromCents: row.price_from_cents,
  counts: { total: row.total, available: row.available, held: row.held, sold: row.sold },
});

/** Escapes LIKE wildcards so a search for "100%" means the characters, not a pattern. */
const likePattern = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * A page of upcoming events. `changesAt`: when the page changes without a write (a listed
 * live hold lapses, or its first event starts), read in the same statement as the page.
 */
export async function listEvents(
  db: Database,
  input: { query?: string | undefined; status?: EventStatus | undefined; cursor?: string | undefined; limit: number },
): Promise<{ items: EventSummary[]; nextCursor: string | null; changesAt: Date | null }> {
  const filters = [sql`e.starts_at > now()`];
  filters.push(input.status ? sql`e.status = ${input.status}` : sql`e.status <> 'cancelled'`);
  if (input.query) {
    const pattern = likePattern(input.query);
    filters.push(
      sql`(e.name ILIKE ${pattern} OR e.description ILIKE ${pattern} OR v.name ILIKE ${pattern} OR v.city ILIKE ${pattern})`,
    );
  }
  if (input.cursor) {
    const after = decodeCursor(input.cursor);
    filters.push(sql`(e.starts_at, e.id) > (${after.at.toISOString()}::timestamptz, ${after.id}::uuid)`);
  }
  const rows = await queryRows<SummaryRow & { next_expiry: Date | string | null }>(
    db,
    sql`SELECT ${summaryColumns}, live.next_expiry
        FROM events e JOIN venues v ON v.id = e.venue_id ${countsJoin}
        WHERE ${sql.join(filters, sql` AND `)}
        ORDER BY e.starts_at, e.id
        LIMIT ${input.limit + 1}`,
  );
  const page = rows.slice(0, input.limit);
  const items = page.map(toSummary);
  const last = items.at(-1);
  let changesAt = items[0]?.startsAt ?? null;
  for (const row of page) {
    const expiry = row.next_expiry === null ? null : new Date(row.next_expiry);
    if (expiry && (!changesAt || expiry < changesAt)) changesAt = expiry;
  }
  return {
    items,
    nextCursor: rows.length > input.limit && last ? encodeCursor(last.startsAt, last.id) : null,
    changesAt,
  };
}

/**
 * Every event an organizer runs, past, cancelled and not yet on sale included, soonest
 * first; an admin (organizerId null) sees every event.
 */
export async function listOrganizedEvents(
  db: Database,
  organizerId: string | null,
): Promise<{ items: EventSummary[] }> {
  const rows = await queryRows<SummaryRow>(
    db,
    sql`SELECT ${summaryColumns}
        FROM events e JOIN venues v ON v.id = e.venue_id ${countsJoin}
        ${organizerId === null ? sql`` : sql`WHERE e.organizer_id = ${organizerId}`}
        ORDER BY e.starts_at, e.id`,
  );
  return { items: rows.map(toSummary) };
}

/** The ids of the events an organizer runs (every event, for organizerId null). */
export async function listOrganizedEventIds(db: Database, organizerId: string | null): Promise<string[]> {
  const rows = await db
    .select({ id: t.events.id })
    .from(t.events)
    .where(organizerId === null ? undefined : eq(t.events.organizerId, organizerId));
  return rows.map((row) => row.id);
}

async function findSummary(db: Database, eventId: string): Promise<EventSummary> {
  const [row] = await queryRows<SummaryRow>(
    db,
    sql`SELECT ${summaryColumns} FROM events e JOIN venues v ON v.id = e.venue_id ${countsJoin} WHERE e.id = ${eventId}`,
  );
  if (!row) throw notFound(`Event ${eventId}`);
  return toSummary(row);
}

type SectionCounts = { name: string; total: number; available: number; held: number; sold: number };
type Tier = EventDetail["tiers"][number];

/**
 * getEvent's one statement, built once per database handle and sent as a named prepared
 * statement: PostgreSQL then plans it once per connection instead of on every read (the
 * plan of its subqueries cost several times their execution), and node-postgres sends only
 * the event id. Handles are long-lived (the pool) or per call (a call's transaction, the
 * deadline guard); a WeakMap lets the per-call ones go with their call.
 *
 * Per section, the kept counts (summed over stripes) and the live holds (from the held
 * seats' index) are aggregated in one pass, so no part of the read is repeated per section;
 * `nextExpiry` is the earliest of those live holds, read in the same snapshot as the counts.
 */
const eventStatements = new WeakMap<Database, ReturnType<typeof prepareGetEvent>>();

function prepareGetEvent(db: Database) {
  const e = t.events;
  const v = t.venues;
  return (
    db
      // Named as SummaryRow names them, so toSummary maps this row as it maps the lists' rows.
      .select({
        id: e.id,
        external_id: e.externalId,
        name: e.name,
        description: e.description,
        starts_at: e.startsAt,
        status: e.status,
        organizer_id: e.organizerId,
        venue_id: v.id,
        venue_name: v.name,
        venue_city: v.city,
        venue_time_zone: v.timeZone,
        tiers: sql<
          Tier[]
        >`(SELECT coalesce(json_agg(json_build_object('tier', et.tier, 'name', et.name, 'priceCents', et.price_cents)
                                                  ORDER BY et.price_cents DESC), '[]'::json)
                          FROM event_tiers et WHERE et.event_id = ${e.id})`,
        sections: sql<SectionCounts[]>`(SELECT coalesce(json_agg(json_build_object('name', s.section, 'total', s.total,
                                                                   'available', s.total - s.sold - s.held,
                                                                   'held', s.held, 'sold', s.sold)
                                                 ORDER BY s.section), '[]'::json)
                         FROM (SELECT c.section, sum(c.total)::int AS total, sum(c.sold)::int AS sold, sum(c.held)::int AS held
                               FROM (SELECT k.section, k.total, k.sold, 0 AS held FROM event_seat_counts k
                                     WHERE k.event_id = ${e.id}
                                     UNION ALL
                                     SELECT vs.section, 0, 0, 1 FROM event_seats es JOIN venue_seats vs ON vs.id = es.seat_id
                                     WHERE es.event_id = ${e.id} AND es.status = 'held' AND es.hold_expires_at > now()) c
                               GROUP BY c.section HAVING sum(c.total) > 0) s)`,
        // Decoded as the driver decodes a timestamp column (a Date on both stores).
        nextExpiry: sql<Date | null>`(SELECT min(es.hold_expires_at) FROM event_seats es
                         WHERE es.event_id = ${e.id} AND es.status = 'held' AND es.hold_expires_at > now())`.mapWith(
          e.startsAt,
        ),
      })
      .from(e)
      .innerJoin(v, eq(v.id, e.venueId))
      .where(eq(e.id, sql.placeholder("eventId")))
      .prepare("ticketing_get_event")
  );
}

/**
 * One statement: the event, its tiers and its sections' counts; the event's counts are
 * their sums. `changesAt`: when the answer changes without a write (the earliest live hold
 * it counts lapses), or null.
 */
export async function getEvent(db: Database, eventId: string): Promise<{ event: EventDetail; changesAt: Date | null }> {
  let statement = eventStatements.get(db);
  if (!statement) {
    statement = prepareGetEvent(db);
    eventStatements.set(db, statement);
  }
  const [row] = await statement.execute({ eventId });
  if (!row) throw notFound(`Event ${eventId}`);
  const counts = { total: 0, available: 0, held: 0, sold: 0 };
  for (const section of row.sections) {
    counts.total += section.total;
    counts.available += section.available;
    counts.held += section.held;
    counts.sold += section.sold;
  }
  // The tiers come sorted by price, dearest first: the cheapest is the last.
  const priceFromCents = row.tiers.at(-1)?.priceCents ?? null;
  const event: EventDetail = {
    ...toSummary({ ...row, price_from_cents: priceFromCents, ...counts }),
    tiers: row.tiers,
    sections: row.sections,
  };
  return { event, changesAt: row.nextExpiry };
}

/**
 * When the earliest live hold of these events lapses (its seat then counts as available by
 * itself, without a write); null without one.
 */
export async function nextHoldExpiry(db: Database, eventIds: string | readonly string[]): Promise<Date | null> {
  const ids = typeof eventIds === "string" ? [eventIds] : eventIds;
  if (ids.length === 0) return null;
  const [row] = await queryRows<{ at: Date | string | null }>(
    db,
    sql`SELECT min(hold_expires_at) AS at FROM event_seats
        WHERE event_id IN (${sql.join(
          ids.map((id) => sql`${id}::uuid`),
          sql`, `,
        )}) AND status = 'held' AND hold_expires_at > now()`,
  );
  return row?.at ? new Date(row.at) : null;
}

type SeatRow = { seat_id: string; section: string; row: string; number: number; tier: string; price_cents: number };

export async function ensureEventExists(db: Database, eventId: string): Promise<void> {
  const [event] = await db.select({ id: t.events.id }).from(t.events).where(eq(t.events.id, eventId));
  if (!event) throw notFound(`Event ${eventId}`);
}

export async function getAvailableTickets(db: Database, eventId: string, section?: string) {
  await ensureEventExists(db, eventId);
  const rows = await queryRows<SeatRow>(
    db,
    sql`SELECT es.seat_id, vs.section, vs.row, vs.number, vs.tier, et.price_cents
        FROM event_seats es
        JOIN venue_seats vs ON vs.id = es.seat_id
        JOIN event_tiers et ON et.event_id = es.event_id AND et.tier = vs.tier
        WHERE es.event_id = ${eventId} AND ${isAvailable}
          ${section ? sql`AND vs.section = ${section}` : sql``}
        ORDER BY vs.section, length(vs.row), vs.row, vs.number`,
  );
  return {
    eventId,
    seats: rows.map((r) => ({
      seatId: r.seat_id,
      section: r.section,
      row: r.row,
      number: r.number,
      tier: r.tier,
      priceCents: r.price_cents,
    })),
  };
}

export async function getSeatMap(db: Database, eventId: string, section?: string) {
  await ensureEventExists(db, eventId);
  // Read before the seats: they reflect at least every change up to it, so a subscriber that
  // resumes after it misses nothing (a change it replays is one the seats already show).
  const lastChangeId = String(await latestSeatChange(db, eventId));
  const rows = await queryRows<SeatRow & { status: "available" | "held" | "sold" }>(
    db,
    sql`SELECT es.seat_id, vs.section, vs.row, vs.number, vs.tier, et.price_cents,
               CASE WHEN ${isAvailable} THEN 'available' ELSE es.status::text END AS status
        FROM event_seats es
        JOIN venue_seats vs ON vs.id = es.seat_id
        JOIN event_tiers et ON et.event_id = es.event_id AND et.tier = vs.tier
        WHERE es.event_id = ${eventId} ${section ? sql`AND vs.section = ${section}` : sql``}
        ORDER BY vs.section, length(vs.row), vs.row, vs.number`,
  );
  return {
    eventId,
    lastChangeId,
    seats: rows.map((r) => ({
      seatId: r.seat_id,
      section: r.section,
      row: r.row,
      number: r.number,
      tier: r.tier,
      priceCents: r.price_cents,
      status: r.status,
    })),
  };
}

/**
 * Creates or updates the event with this externalId: running the same import twice
 * changes nothing the second time. A new event gets its venue's seat map and default tiers.
 */
export async function upsertEvent(
  db: Database,
  viewer: Viewer,
  input: UpsertEventInput,
): Promise<{ event: EventSummary; created: boolean }> {
  return db.transaction(async (tx) => {
    const [venue] = await tx
      .select({ id: t.venues.id, timeZone: t.venues.timeZone })
      .from(t.venues)
      .where(sql`lower(${t.venues.name}) = lower(${input.venue})`);
    if (!venue) throw notFound(`Venue "${input.venue}"`);
    const startsAt = startInstant(input.startsAt, venue.timeZone);
    const organizerId = await resolveOrganizer(tx, viewer, input.organizerId);

    ensureAllowed(decideCreateEvent(viewer));
    const [inserted] = await tx
      .insert(t.events)
      .values({
        externalId: input.externalId,
        name: input.name,
        description: input.description ?? "",
        venueId: venue.id,
        startsAt,
        status: input.status ?? "scheduled",
        organizerId: organizerId ?? viewer.id,
      })
      .onConflictDoNothing({ target: t.events.externalId })
      .returning({ id: t.events.id });
    if (inserted) {
      await createEventInventory(tx, inserted.id, venue.id);
      return { event: await findSummary(tx, inserted.id), created: true };
    }

    const [existing] = await tx
      .select({ id: t.events.id, venueId: t.events.venueId, organizerId: t.events.organizerId })
      .from(t.events)
      .where(eq(t.events.externalId, input.externalId))
      .for("update");
    if (!existing) throw new DomainError("CONFLICT", `Event ${input.externalId} changed during the import; try again.`);
    ensureAllowed(decideUpsertExisting(viewer, { kind: "event", id: existing.id, organizerId: existing.organizerId }));
    if (existing.venueId !== venue.id) await moveToVenue(tx, existing.id, venue.id);
    await tx
      .update(t.events)
      .set({
        name: input.name,
        venueId: venue.id,
        startsAt,
        ...(input.description !== undefined && { description: input.description }),
        ...(input.status !== undefined && { status: input.status }),
        ...(organizerId !== undefined && { organizerId }),
        updatedAt: sql`now()`,
      })
      .where(eq(t.events.id, existing.id));
    return { event: await findSummary(tx, existing.id), created: false };
  });
}

/** `+05:30` / `-06:00`: the offset of a zone at an instant, as ISO 8601 writes it. */
function isoOffset(instant: Date, zone: string): string {
  const minutes = Math.round(zoneOffsetMs(instant, zone) / 60_000);
  const sign = minutes < 0 ? "-" : "+";
  const abs = Math.abs(minutes);
  return `${sign}${String(Math.floor(abs / 60)).padStart(2, "0")}:${String(abs % 60).padStart(2, "0")}`;
}

/**
 * The instant an event starts: given, or its local date-time read in the venue's zone. A
 * local time the clocks skip (spring forward) names no instant and one they pass twice
 * (fall back) names two: both are refused with the way out, never guessed.
 */
function startInstant(start: Date | LocalDateTime, zone: string): Date {
  if (start instanceof Date) return start;
  const resolved = resolveWallTime(start.wall, zone);
  if (resolved.kind === "instant") return resolved.instant;
  if (resolved.kind === "gap") {
    throw new DomainError(
      "BAD_REQUEST",
      `startsAt ${start.text} does not exist in ${zone}: the clocks skip it when daylight saving time begins. Give another time, or one with a UTC offset.`,
    );
  }
  const { year, month, day, hour, minute, second } = start.wall;
  const two = (n: number) => String(n).padStart(2, "0");
  const local = `${year}-${two(month)}-${two(day)}T${two(hour)}:${two(minute)}:${two(second)}`;
  const [earlier, later] = [resolved.earlier, resolved.later].map((at) => `${local}${isoOffset(at, zone)}`);
  throw new DomainError(
    "BAD_REQUEST",
    `startsAt ${start.text} happens twice in ${zone}: the clocks pass it again when daylight saving time ends. Give it with its UTC offset: ${earlier} (the first) or ${later} (the second).`,
  );
}

/** Organizers import for themselves; admins and the service may name any organizer. */
async function resolveOrganizer(
  db: Database,
  viewer: Viewer,
  organizerId: string | undefined,
): Promise<string | undefined> {
  if (organizerId === undefined) return undefined;
  if (viewer.role === "organizer" && organizerId !== viewer.id) {
    throw new DomainError("FORBIDDEN", "Organizers can only create events they organize themselves.");
  }
  const [user] = await db.select({ role: t.users.role }).from(t.users).where(eq(t.users.id, organizerId));
  if (!user) throw notFound(`User ${organizerId}`);
  if (user.role !== "organizer" && user.role !== "admin") {
    throw new DomainError("BAD_REQUEST", `User ${organizerId} is not an organizer.`);
  }
  return organizerId;
}

async function moveToVenue(tx: Database, eventId: string, venueId: string): Promise<void> {
  const [booked] = await tx
    .select({ id: t.bookings.id })
    .from(t.bookings)
    .where(eq(t.bookings.eventId, eventId))
    .limit(1);
  if (booked) {
    throw new DomainError("CONFLICT", "This event already has bookings, so it cannot move to another venue.");
  }
  await tx.delete(t.eventSeats).where(eq(t.eventSeats.eventId, eventId));
  await tx.delete(t.eventTiers).where(eq(t.eventTiers.eventId, eventId));
  await createEventInventory(tx, eventId, venueId);
}

export async function getSalesSummary(db: Database, eventId: string) {
  const [event] = await db.select({ name: t.events.name }).from(t.events).where(eq(t.events.id, eventId));
  if (!event) throw notFound(`Event ${eventId}`);
  const sections = await queryRows<{
    section: string;
    sold: number;
    held: number;
    available: number;
    revenue_cents: string | number;
  }>(
    db,
    // Counts as getEvent reads them; revenue from the confirmed bookings, whose seats are
    // exactly the sold ones (confirming sells them, cancelling frees them, in one transaction).
    sql`SELECT k.section, k.sold, coalesce(h.held, 0)::int AS held,
               (k.total - k.sold - coalesce(h.held, 0))::int AS available,
               coalesce(r.revenue_cents, 0)::bigint AS revenue_cents
        FROM (SELECT section, sum(total)::int AS total, sum(sold)::int AS sold FROM event_seat_counts
              WHERE event_id = ${eventId} GROUP BY section HAVING sum(total) > 0) k
        LEFT JOIN (SELECT vs.section, count(*)::int AS held
                   FROM event_seats es JOIN venue_seats vs ON vs.id = es.seat_id
                   WHERE es.event_id = ${eventId} AND es.status = 'held' AND es.hold_expires_at > now()
                   GROUP BY vs.section) h ON h.section = k.section
        LEFT JOIN (SELECT vs.section, sum(bs.price_cents) AS revenue_cents
                   FROM bookings b JOIN booking_seats bs ON bs.booking_id = b.id JOIN venue_seats vs ON vs.id = bs.seat_id
                   WHERE b.event_id = ${eventId} AND b.status = 'confirmed'
                   GROUP BY vs.section) r ON r.section = k.section
        ORDER BY k.section`,
  );
  const [bookings] = await db
    .select({ confirmed: sql<number>`count(*)::int` })
    .from(t.bookings)
    .where(and(eq(t.bookings.eventId, eventId), eq(t.bookings.status, "confirmed")));
  const rows = sections.map((s) => ({
    section: s.section,
    sold: s.sold,
    held: s.held,
    available: s.available,
    revenueCents: Number(s.revenue_cents),
  }));
  const totals = rows.reduce(
    (sum, s) => ({
      sold: sum.sold + s.sold,
      held: sum.held + s.held,
      available: sum.available + s.available,
      revenueCents: sum.revenueCents + s.revenueCents,
    }),
    { sold: 0, held: 0, available: 0, revenueCents: 0 },
  );
  return { eventId, name: event.name, confirmedBookings: bookings?.confirmed ?? 0, totals, sections: rows };
}
