import { sql } from "drizzle-orm";
import {
  bigint,
  bigserial,
  check,
  foreignKey,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
  unique,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";

const createdAt = () => timestamp("created_at", { withTimezone: true }).notNull().defaultNow();
const instant = (name: string) => timestamp(name, { withTimezone: true });

export const userRole = pgEnum("user_role", ["customer", "organizer", "admin", "service"]);
export const eventStatus = pgEnum("event_status", ["scheduled", "on_sale", "sold_out", "cancelled"]);
export const seatStatus = pgEnum("seat_status", ["available", "held", "sold"]);
export const bookingStatus = pgEnum("booking_status", ["held", "confirmed", "expired", "cancelled"]);
export const notificationKind = pgEnum("notification_kind", ["booking_confirmed", "booking_cancelled", "hold_expired"]);

export const users = pgTable(
  "users",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    email: text("email").notNull().unique(),
    name: text("name").notNull(),
    // Accounts that must never sign in (seeded patrons) hold a value that no hash matches.
    passwordHash: text("password_hash").notNull(),
    role: userRole("role").notNull().default("customer"),
    createdAt: createdAt(),
  },
  (t) => [check("users_email_lowercase", sql`${t.email} = lower(${t.email})`)],
);

export const sessions = pgTable(
  "sessions",
  {
    // Only a SHA-256 of the bearer token is stored: a leaked table opens no session.
    tokenHash: text("token_hash").primaryKey(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    createdAt: createdAt(),
    expiresAt: instant("expires_at").notNull(),
  },
  (t) => [index("sessions_user_idx").on(t.userId)],
);

export const venues = pgTable("venues", {
  id: uuid("id").primaryKey().defaultRandom(),
  name: text("name").notNull().unique(),
  city: text("city").notNull(),
  /** IANA zone (America/Chicago): tickets, pages and emails read the start in it. */
  timeZone: text("time_zone").notNull(),
  createdAt: createdAt(),
});

/** The default price of each tier at a venue; a new event copies them. */
export const venueTiers = pgTable(
  "venue_tiers",
  {
    venueId: uuid("venue_id")
      .notNull()
      .references(() => venues.id, { onDelete: "cascade" }),
    tier: text("tier").notNull(),
    name: text("name").notNull(),
    priceCents: integer("price_cents").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.venueId, t.tier] }),
    check("venue_tiers_price_nonnegative", sql`${t.priceCents} >= 0`),
  ],
);

/** The seat map: sections → rows → seats, each seat in a price tier. */
export const venueSeats = pgTable(
  "venue_seats",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    venueId: uuid("venue_id")
      .notNull()
      .references(() => venues.id, { onDelete: "cascade" }),
    section: text("section").notNull(),
    row: text("row").notNull(),
    number: integer("number").notNull(),
    tier: text("tier").notNull(),
  },
  (t) => [
    unique("venue_seats_position_key").on(t.venueId, t.section, t.row, t.number),
    foreignKey({
      name: "venue_seats_tier_fk",
      columns: [t.venueId, t.tier],
      foreignColumns: [venueTiers.venueId, venueTiers.tier],
    }),
  ],
);

export const events = pgTable(
  "events",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    externalId: text("external_id").unique(),
    name: text("name").notNull(),
    description: text("description").notNull().default(""),
    venueId: uuid("venue_id")
      .notNull()
      .references(() => venues.id),
    startsAt: instant("starts_at").notNull(),
    status: eventStatus("status").notNull().default("scheduled"),
    organizerId: uuid("organizer_id")
      .notNull()
      .references(() => users.id),
    createdAt: createdAt(),
    updatedAt: instant("updated_at").notNull().defaultNow(),
  },
  (t) => [index("events_starts_at_idx").on(t.startsAt, t.id), index("events_organizer_idx").on(t.organizerId)],
);

export const eventTiers = pgTable(
  "event_tiers",
  {
    eventId: uuid("event_id")
      .notNull()
      .references(() => events.id, { onDelete: "cascade" }),
    tier: text("tier").notNull(),
    name: text("name").notNull(),
    priceCents: integer("price_cents").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.eventId, t.tier] }),
    check("event_tiers_price_nonnegative", sql`${t.priceCents} >= 0`),
  ],
);

export const bookings = pgTable(
  "bookings",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    eventId: uuid("event_id")
      .notNull()
      .references(() => events.id),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id),
    status: bookingStatus("status").notNull().default("held"),
    totalCents: integer("total_cents").notNull().default(0),
    expiresAt: instant("expires_at").notNull(),
    paymentRef: text("payment_ref"),
    createdAt: createdAt(),
    confirmedAt: instant("confirmed_at"),
    cancelledAt: instant("cancelled_at"),
  },
  (t) => [
    index("bookings_user_idx").on(t.userId, t.createdAt),
    index("bookings_event_idx").on(t.eventId),
    index("bookings_held_expiry_idx").on(t.expiresAt).where(sql`${t.status} = 'held'`),
    check("bookings_total_nonnegative", sql`${t.totalCents} >= 0`),
  ],
);

/**
 * Seat inventory: one row per seat per event. The row is the seat's single source of
 * truth, so a seat can belong to at most one booking at a time; the checks keep its
 * status, owner and hold expiry consistent with each other.
 */
export const eventSeats = pgTable(
  "event_seats",
  {
    eventId: uuid("event_id")
      .notNull()
      .references(() => events.id, { onDelete: "cascade" }),
    seatId: uuid("seat_id")
      .notNull()
      .references(() => venueSeats.id),
    status: seatStatus("status").notNull().default("available"),
    bookingId: uuid("booking_id").references(() => bookings.id),
    holdExpiresAt: instant("hold_expires_at"),
  },
  (t) => [
    primaryKey({ columns: [t.eventId, t.seatId] }),
    index("event_seats_status_idx").on(t.eventId, t.status),
    // The held seats alone, by expiry: a read counts an event's live holds (and finds the
    // next one to lapse) without touching its other seats.
    index("event_seats_holds_idx").on(t.eventId, t.holdExpiresAt).where(sql`${t.status} = 'held'`),
    index("event_seats_booking_idx").on(t.bookingId),
    check("event_seats_owner_matches_status", sql`(${t.status} = 'available') = (${t.bookingId} IS NULL)`),
    check("event_seats_expiry_matches_status", sql`(${t.status} = 'held') = (${t.holdExpiresAt} IS NOT NULL)`),
  ],
);

/**
 * Seat counts per event and section, kept by statement-level triggers on `event_seats`
 * (migrations 0003 and 0005) in the transaction of every seat change, whoever writes it:
 * every seat (`total`) and the sold ones. A section's counts are the sum of its stripes:
 * each database session adds its changes to its own stripe (backend pid modulo 16), so
 * concurrent confirmations of one section rarely queue on one row lock until they commit.
 * Holds are not kept here: a read counts the live ones from `event_seats_holds_idx`, so a
 * claim (available → held) changes no count and takes no lock on this table (see
 * docs/decisions/016).
 */
export const eventSeatCounts = pgTable(
  "event_seat_counts",
  {
    eventId: uuid("event_id")
      .notNull()
      .references(() => events.id, { onDelete: "cascade" }),
    section: text("section").notNull(),
    stripe: smallint("stripe").notNull(),
    total: integer("total").notNull().default(0),
    sold: integer("sold").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.eventId, t.section, t.stripe] })],
);

/** The seats a booking asked for and the price each had at the time: its history. */
export const bookingSeats = pgTable(
  "booking_seats",
  {
    bookingId: uuid("booking_id")
      .notNull()
      .references(() => bookings.id, { onDelete: "cascade" }),
    eventId: uuid("event_id").notNull(),
    seatId: uuid("seat_id").notNull(),
    tier: text("tier").notNull(),
    priceCents: integer("price_cents").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.bookingId, t.seatId] }),
    foreignKey({
      name: "booking_seats_inventory_fk",
      columns: [t.eventId, t.seatId],
      foreignColumns: [eventSeats.eventId, eventSeats.seatId],
    }),
  ],
);

/**
 * Exactly-once mutations: the outcome of a call, stored under the caller's key in the
 * same transaction as its effect, and replayed for a duplicate.
 */
export const idempotencyRecords = pgTable(
  "idempotency_records",
  {
    scope: text("scope").notNull(),
    procedure: text("procedure").notNull(),
    key: text("key").notNull(),
    inputHash: text("input_hash").notNull(),
    /** NULL while the first call runs (and so never visible to another transaction). */
    outcome: jsonb("outcome"),
    createdAt: createdAt(),
    expiresAt: instant("expires_at").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.scope, t.procedure, t.key] }),
    index("idempotency_records_expiry_idx").on(t.expiresAt),
  ],
);

/** The notification outbox, written in the transaction of the change it announces. */
export const notifications = pgTable(
  "notifications",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    kind: notificationKind("kind").notNull(),
    bookingId: uuid("booking_id")
      .notNull()
      .references(() => bookings.id, { onDelete: "cascade" }),
    recipient: text("recipient").notNull(),
    subject: text("subject").notNull(),
    bodyText: text("body_text").notNull(),
    bodyHtml: text("body_html").notNull(),
    createdAt: createdAt(),
    leaseId: uuid("lease_id"),
    leaseExpiresAt: instant("lease_expires_at"),
    attempts: integer("attempts").notNull().default(0),
    deliveredAt: instant("delivered_at"),
    /** Not claimed again before this: the backoff after a transient failure. */
    nextAttemptAt: instant("next_attempt_at"),
    /** Given up: a permanent refusal (or too many transient ones). Never claimed again. */
    failedAt: instant("failed_at"),
    /** The mail server's reply (or the connection error) of the last failed attempt. */
    lastError: text("last_error"),
  },
  (t) => [
    index("notifications_pending_idx").on(t.createdAt).where(sql`${t.deliveredAt} IS NULL AND ${t.failedAt} IS NULL`),
    index("notifications_lease_idx").on(t.leaseId),
  ],
);

/**
 * The change log of seat availability: one row per seat change, written in the transaction
 * that made it, so a subscriber that reconnects (to any server instance) resumes from its
 * last position without missing one. `id` is insertion order; `position` is commit order,
 * assigned after commit by one sequencer at a time (sequence numbers are taken before
 * commit and commit out of order, so they could not be resumed from). Rows are kept for a
 * retention period and then purged by the worker.
 */
export const seatChanges = pgTable(
  "seat_changes",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    position: bigint("position", { mode: "number" }),
    // No foreign key: events are never deleted, and the check would cost every booking.
    eventId: uuid("event_id").notNull(),
    status: seatStatus("status").notNull(),
    seatIds: uuid("seat_ids").array().notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("seat_changes_position_key").on(t.position),
    index("seat_changes_event_idx").on(t.eventId, t.position).where(sql`${t.position} IS NOT NULL`),
    index("seat_changes_unsequenced_idx").on(t.id).where(sql`${t.position} IS NULL`),
  ],
);

export const importStatus = pgEnum("import_status", ["running", "done", "failed"]);

/**
 * One bulk import of events (an uploaded feed) and its progress, written as rows go in, so
 * any server instance can report it while the upload is still streaming. The client picks
 * the id, so it can follow the progress before its upload has been answered.
 */
export const importRuns = pgTable(
  "import_runs",
  {
    id: uuid("id").primaryKey(),
    ownerId: uuid("owner_id")
      .notNull()
      .references(() => users.id),
    status: importStatus("status").notNull().default("running"),
    /** Rows read so far, good and bad. */
    rows: integer("rows").notNull().default(0),
    created: integer("created").notNull().default(0),
    updated: integer("updated").notNull().default(0),
    failedCount: integer("failed_count").notNull().default(0),
    /** The first failed rows (row, line, externalId, reason); the count above has them all. */
    failures: jsonb("failures").notNull().default(sql`'[]'::jsonb`),
    /** Why the import stopped before its end (status failed). */
    error: text("error"),
    /** Bumped on every write: the tracked id of a progress update. */
    version: integer("version").notNull().default(1),
    createdAt: createdAt(),
    updatedAt: instant("updated_at").notNull().defaultNow(),
    finishedAt: instant("finished_at"),
  },
  (t) => [index("import_runs_owner_idx").on(t.ownerId, t.createdAt)],
);
