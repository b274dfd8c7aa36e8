import { randomUUID } from "node:crypto";
import { createEventInventory, type Database, type DatabaseHandle, NO_PASSWORD, schema as t } from "@ticketing/db";
import { createSeededMemoryDatabase } from "@ticketing/db/testing";
import { eq, sql } from "drizzle-orm";
import { openSession } from "./domain/auth";
import type { Role, Viewer } from "./domain/viewer";
import type { AvailabilityFeed } from "./live/availability-feed";
import { type Credentials, createContextFactory } from "./trpc/context";
import { createCaller } from "./trpc/root";

export const TEST_SERVICE_TOKEN = "test-service-token-0123456789";

export type Caller = ReturnType<typeof createCaller>;

/**
 * Procedures called in-process (createCaller) against a seeded database: the fast way to
 * test the router, with a caller per person.
 */
export async function createTestApi(database?: DatabaseHandle, options: { availability?: AvailabilityFeed } = {}) {
  const handle = database ?? (await createSeededMemoryDatabase());
  const db = handle.db;
  const contextFor = createContextFactory({
    db,
    serviceToken: TEST_SERVICE_TOKEN,
    ...(options.availability && { availability: options.availability }),
  });
  const callerWith = (credentials: Credentials | null, idempotencyKey?: string) =>
    createCaller(contextFor({ requestId: randomUUID(), credentials, idempotencyKey }));

  async function userByEmail(email: string): Promise<Viewer> {
    const [user] = await db
      .select({ id: t.users.id, email: t.users.email, name: t.users.name, role: t.users.role })
      .from(t.users)
      .where(eq(t.users.email, email));
    if (!user) throw new Error(`No user ${email} in the test database`);
    return user;
  }

  /** A session for a user, made directly (skipping the deliberately slow password hash). */
  async function tokenFor(email: string): Promise<string> {
    return (await openSession(db, await userByEmail(email))).token;
  }

  return {
    handle,
    db,
    anonymous: callerWith(null),
    service: callerWith({ token: TEST_SERVICE_TOKEN, source: "bearer" }),
    /** The service account, its calls carrying an Idempotency-Key header. */
    serviceWithKey: (idempotencyKey: string) =>
      callerWith({ token: TEST_SERVICE_TOKEN, source: "bearer" }, idempotencyKey),
    userByEmail,
    tokenFor,
    async as(email: string, idempotencyKey?: string): Promise<Caller> {
      return callerWith({ token: await tokenFor(email), source: "bearer" }, idempotencyKey);
    },
    /** A brand-new person with a session, for tests that must not share state. */
    async newUser(role: Role = "customer") {
      const email = `${role}-${randomUUID()}@example.test`;
      await createUsers(db, [email], role);
      const user = await userByEmail(email);
      const token = await tokenFor(email);
      return { user, token, caller: callerWith({ token, source: "bearer" }) };
    },
    close: () => handle.close(),
  };
}

export type TestApi = Awaited<ReturnType<typeof createTestApi>>;

/** Many users at once (load tests), none of whom can sign in with a password. */
export async function createUsers(db: Database, emails: string[], role: Role = "customer"): Promise<void> {
  await db
    .insert(t.users)
    .values(emails.map((email) => ({ email, name: email.split("@")[0] ?? email, role, passwordHash: NO_PASSWORD })));
}

/** Makes a hold look as if its ten minutes had passed. */
export async function expireHold(db: Database, bookingId: string): Promise<void> {
  await db.execute(sql`UPDATE bookings SET expires_at = now() - interval '1 minute' WHERE id = ${bookingId}`);
  await db.execute(sql`UPDATE event_seats SET hold_expires_at = now() - interval '1 minute'
                       WHERE booking_id = ${bookingId} AND status = 'held'`);
}

/**
 * A venue of `seats` seats in one section and an on-sale event there, organized by
 * `organizerId`: small, fresh inventory for tests that sell out.
 */
export async function createSmallEvent(
  db: Database,
  options: {
    seats: number;
    organizerId: string;
    status?: "on_sale" | "scheduled";
    eventId?: string;
    /** The venue's zone (America/Chicago unless given). */
    timeZone?: string;
    /** When the show starts (a week from now unless given). */
    startsAt?: Date;
  },
) {
  const suffix = randomUUID().slice(0, 8);
  const venueId = randomUUID();
  await db.insert(t.venues).values({
    id: venueId,
    name: `Test Hall ${suffix}`,
    city: "Testville",
    timeZone: options.timeZone ?? "America/Chicago",
  });
  await db.insert(t.venueTiers).values({ venueId, tier: "standard", name: "Standard", priceCents: 2500 });
  await db.insert(t.venueSeats).values(
    Array.from({ length: options.seats }, (_, i) => ({
      venueId,
      section: "Main",
      row: String.fromCharCode(65 + Math.floor(i / 25)),
      number: (i % 25) + 1,
      tier: "standard",
    })),
  );
  const eventId = options.eventId ?? randomUUID();
  await db.insert(t.events).values({
    id: eventId,
    name: `Test Show ${suffix}`,
    venueId,
    startsAt: options.startsAt ?? new Date(Date.now() + 7 * 86_400_000),
    status: options.status ?? "on_sale",
    organizerId: options.organizerId,
  });
  await createEventInventory(db, eventId, venueId);
  return { eventId, venueId, venueName: `Test Hall ${suffix}` };
}
