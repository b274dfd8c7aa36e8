import { randomUUID } from "node:crypto";
import { createSmallEvent, createTestApi, createUsers, type TestApi } from "@ticketing/api/testing";
import { type Database, findSeatCountMismatches, queryRows } from "@ticketing/db";
import type { TestServer } from "@ticketing/server/testing";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientFor, codeOf } from "./client";

export const BUYERS = 300;
export const SEATS = 100;

/** Distinct signed-in buyers, their sessions opened directly (no password hash, no sign-in limit). */
export async function createBuyers(api: TestApi, count: number, prefix: string): Promise<string[]> {
  const emails = Array.from({ length: count }, (_, i) => `${prefix}-${i}-${randomUUID()}@example.test`);
  await createUsers(api.db, emails);
  return Promise.all(emails.map((email) => api.tokenFor(email)));
}

export type RaceMode = "any seat" | "named seats";

/**
 * Every buyer at once asks for one seat, buyer i on server i mod n: "any seat" by
 * quantity, "named seats" with (buyers / seats) buyers contending for each named seat.
 * Resolves with each buyer's outcome: "ok" or the error code.
 */
export async function raceForSeats(urls: string[], tokens: string[], eventId: string, mode: RaceMode) {
  const seats =
    mode === "named seats" ? (await clientFor(urls[0] as string).getAvailableTickets.query({ eventId })).seats : [];
  return Promise.all(
    tokens.map((token, i) => {
      const buyer = clientFor(urls[i % urls.length] as string, token);
      const input =
        mode === "any seat"
          ? { eventId, quantity: 1 }
          : { eventId, seatIds: [seats[i % seats.length]?.seatId as string] };
      return codeOf(buyer.createBooking.mutate(input));
    }),
  );
}

/**
 * Exactly `seats` buyers got a seat, every other one a clean CONFLICT, and the database
 * agrees: as many held seats as bookings, no seat in two bookings.
 */
export async function expectSoldOnce(db: Database, eventId: string, outcomes: string[], seats: number) {
  const tally: Record<string, number> = {};
  for (const code of outcomes) tally[code] = (tally[code] ?? 0) + 1;
  expect(tally).toEqual({ ok: seats, CONFLICT: outcomes.length - seats });
  const [inventory] = await queryRows<{ held: number; distinct_bookings: number }>(
    db,
    sql`SELECT (count(*) FILTER (WHERE status = 'held'))::int AS held, count(DISTINCT booking_id)::int AS distinct_bookings
        FROM event_seats WHERE event_id = ${eventId}`,
  );
  expect(inventory).toEqual({ held: seats, distinct_bookings: seats });
  const [bookings] = await queryRows<{ bookings: number; claims: number; seats: number }>(
    db,
    sql`SELECT count(DISTINCT b.id)::int AS bookings, count(*)::int AS claims, count(DISTINCT bs.seat_id)::int AS seats
        FROM bookings b JOIN booking_seats bs ON bs.booking_id = b.id WHERE b.event_id = ${eventId}`,
  );
  expect(bookings).toEqual({ bookings: seats, claims: seats, seats });
  // The kept seat counts moved with every claim: a recount from the seats finds them equal.
  expect(await findSeatCountMismatches(db)).toEqual([]);
}

/** 300 buyers at once for 100 seats: exactly 100 sold, none twice, everyone else told CONFLICT. */
export function defineOnSaleRace(store: string, start: () => Promise<TestServer>) {
  describe(`${BUYERS} concurrent buyers for ${SEATS} seats on ${store}`, () => {
    let server: TestServer;
    let tokens: string[];
    let organizerId: string;

    beforeAll(async () => {
      server = await start();
      const api = await createTestApi(server.database);
      organizerId = (await api.userByEmail("olivia@example.com")).id;
      tokens = await createBuyers(api, BUYERS, "race");
    });
    afterAll(() => server?.close());

    for (const mode of ["any seat", "named seats"] as const) {
      it(`each asking for ${mode === "any seat" ? "any one seat" : "a named seat, three buyers per seat"}`, async () => {
        const { eventId } = await createSmallEvent(server.database.db, { seats: SEATS, organizerId });
        const outcomes = await raceForSeats([server.url], tokens, eventId, mode);
        await expectSoldOnce(server.database.db, eventId, outcomes, SEATS);
      });
    }
  });
}
