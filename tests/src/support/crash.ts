import { randomUUID } from "node:crypto";
import { createSmallEvent, createTestApi, createUsers } from "@ticketing/api/testing";
import {
  type Database,
  type DatabaseHandle,
  findSeatCountMismatches,
  migrateDatabase,
  openDatabase,
  queryRows,
} from "@ticketing/db";
import { sql } from "drizzle-orm";
import { expect } from "vitest";
import { clientFor } from "./client";
import { createBuyers } from "./concurrency";
import { type ServerProcess, startServerProcess } from "./process";

const BUYERS = 30;
/** The kill comes once this many bookings have been acknowledged. */
const KILL_AFTER = 120;
const WORKER_TOKEN = "crash-test-worker-token";

/** What a client was told, and so may rely on: the booking, its seats, its last acknowledged status. */
interface Acknowledged {
  id: string;
  owner: string;
  seatIds: string[];
  status: "held" | "confirmed";
  /** The createBooking input and key, to replay after the restart. */
  request: { eventId: string; quantity: number; idempotencyKey: string };
  /** A confirmBooking whose answer never came: the booking may be held or confirmed. */
  confirmInFlight: boolean;
}

export interface CrashReport {
  acknowledged: number;
  inFlightAtKill: number;
  unanswered: number;
  lost: number;
}

/** Opens the store from the test, applies the migrations, and gives a fresh event and buyers. */
async function prepare(databaseUrl: string) {
  const database = await openDatabase(databaseUrl, { poolSize: 4 });
  try {
    await migrateDatabase(database);
    const organizer = `crash-organizer-${randomUUID()}@example.test`;
    await createUsers(database.db, [organizer], "organizer");
    const api = await createTestApi(database);
    const { eventId } = await createSmallEvent(database.db, {
      seats: 600,
      organizerId: (await api.userByEmail(organizer)).id,
    });
    const tokens = await createBuyers(api, BUYERS, "crash");
    return { eventId, tokens };
  } finally {
    await database.close();
  }
}

/**
 * Buyers book (and confirm every other booking) against a server process, which is killed
 * with SIGKILL mid-load. Every booking a client was told about is recorded, with whether a
 * call about it was still unanswered at the kill.
 */
async function loadUntilKilled(server: ServerProcess, eventId: string, tokens: string[]) {
  const acknowledged = new Map<string, Acknowledged>();
  let inFlight = 0;
  let inFlightAtKill = -1;
  let unanswered = 0;
  let killed: Promise<number | null> | undefined;
  const kill = () => {
    if (killed) return;
    inFlightAtKill = inFlight;
    killed = server.stop("SIGKILL");
  };
  const call = async <T>(run: () => Promise<T>): Promise<T | undefined> => {
    inFlight++;
    try {
      return await run();
    } catch {
      // Only the kill may break a call; anything else is a failure of the run, reported below.
      if (!killed) throw new Error(`a call failed before the kill:\n${server.output().slice(-2_000)}`);
      unanswered++;
      return undefined;
    } finally {
      inFlight--;
    }
  };
  const timeLimit = setTimeout(kill, 60_000);
  await Promise.all(
    tokens.map(async (token, buyer) => {
      const client = clientFor(server.url, token);
      for (let i = 0; !killed; i++) {
        const request = { eventId, quantity: 1 + ((buyer + i) % 2), idempotencyKey: `crash-${randomUUID()}` };
        const booking = await call(() => client.createBooking.mutate(request));
        if (!booking) return;
        const record: Acknowledged = {
          id: booking.id,
          owner: token,
          seatIds: booking.seats.map((seat) => seat.seatId).sort(),
          status: "held",
          request,
          confirmInFlight: false,
        };
        acknowledged.set(booking.id, record);
        if (acknowledged.size >= KILL_AFTER) kill();
        if (killed || i % 2 === 1) continue;
        record.confirmInFlight = true;
        const confirmed = await call(() =>
          client.confirmBooking.mutate({ bookingId: booking.id, paymentToken: "tok_visa" }),
        );
        if (!confirmed) return;
        record.confirmInFlight = false;
        record.status = "confirmed";
      }
    }),
  );
  clearTimeout(timeLimit);
  const exitCode = await killed;
  return { acknowledged: [...acknowledged.values()], inFlightAtKill, unanswered, exitCode };
}

/** No seat is in two live bookings, and every held or sold seat belongs to a live booking that lists it. */
async function expectNoSeatTwice(db: Database, eventId: string) {
  const [counts] = await queryRows<{ doubled: number; orphaned: number; taken: number; claimed: number }>(
    db,
    sql`SELECT
          (SELECT count(*)::int FROM (
             SELECT bs.seat_id FROM booking_seats bs JOIN bookings b ON b.id = bs.booking_id
             WHERE bs.event_id = ${eventId} AND b.status IN ('held', 'confirmed')
             GROUP BY bs.seat_id HAVING count(*) > 1) d) AS doubled,
          (SELECT count(*)::int FROM event_seats es
             LEFT JOIN bookings b ON b.id = es.booking_id
             LEFT JOIN booking_seats bs ON bs.booking_id = es.booking_id AND bs.seat_id = es.seat_id
             WHERE es.event_id = ${eventId} AND es.status <> 'available'
               AND (bs.seat_id IS NULL OR b.status NOT IN ('held', 'confirmed')
                    OR (es.status = 'sold') <> (b.status = 'confirmed'))) AS orphaned,
          (SELECT count(*)::int FROM event_seats WHERE event_id = ${eventId} AND status <> 'available') AS taken,
          (SELECT count(*)::int FROM booking_seats bs JOIN bookings b ON b.id = bs.booking_id
             WHERE bs.event_id = ${eventId} AND b.status IN ('held', 'confirmed')) AS claimed`,
  );
  expect(counts).toMatchObject({ doubled: 0, orphaned: 0 });
  expect(counts?.taken).toBe(counts?.claimed);
}

/**
 * Kill -9 a server process during a booking load, restart it on the same store, and
 * check that every acknowledged booking survived as the client was told it (id, seats,
 * status), replays by its idempotency key, and that no seat is held or sold twice.
 * `beforeRestart` sees the store between the kill and the restart (the PGlite lock file).
 */
export async function crashAndRecover(options: {
  databaseUrl: string;
  beforeRestart?: (killed: ServerProcess) => void | Promise<void>;
  whileRestarted?: (restarted: ServerProcess) => void | Promise<void>;
  /** Opens the store for the final checks (after the restarted server has stopped, for PGlite). */
  open?: () => Promise<DatabaseHandle>;
}): Promise<CrashReport> {
  const { eventId, tokens } = await prepare(options.databaseUrl);
  const env = { DATABASE_URL: options.databaseUrl, WORKER_TOKEN };
  const first = await startServerProcess(env);
  const run = await loadUntilKilled(first, eventId, tokens);
  expect(run.exitCode).toBeNull();
  expect(first.child.signalCode).toBe("SIGKILL");
  expect(run.acknowledged.length).toBeGreaterThanOrEqual(KILL_AFTER);
  await options.beforeRestart?.(first);

  const restarted = await startServerProcess(env);
  let lost = 0;
  try {
    for (const booking of run.acknowledged) {
      const client = clientFor(restarted.url, booking.owner);
      const found = await client.getBooking.query({ bookingId: booking.id }).catch(() => undefined);
      if (!found) {
        lost++;
        continue;
      }
      expect(found.id).toBe(booking.id);
      expect(found.seats.map((seat) => seat.seatId).sort()).toEqual(booking.seatIds);
      if (booking.confirmInFlight) expect(["held", "confirmed"]).toContain(found.status);
      else expect(found.status).toBe(booking.status);
    }
    // The idempotency records survived with their bookings: a retry after the crash is a replay.
    for (const booking of run.acknowledged.slice(0, 10)) {
      const replay = await clientFor(restarted.url, booking.owner).createBooking.mutate(booking.request);
      expect(replay.id).toBe(booking.id);
    }
    await options.whileRestarted?.(restarted);
  } finally {
    expect(await restarted.stop("SIGTERM")).toBe(0);
  }
  const database = await (options.open?.() ?? openDatabase(options.databaseUrl));
  try {
    await expectNoSeatTwice(database.db, eventId);
    // Work cut off by the kill left the kept seat counts as it left the seats.
    expect(await findSeatCountMismatches(database.db)).toEqual([]);
  } finally {
    await database.close();
  }
  const report = {
    acknowledged: run.acknowledged.length,
    inFlightAtKill: run.inFlightAtKill,
    unanswered: run.unanswered,
    lost,
  };
  console.log(`crash on ${options.databaseUrl.split(":")[0]}:`, JSON.stringify(report));
  return report;
}
