import { randomUUID } from "node:crypto";
import { createSmallEvent, createTestApi, createUsers } from "@ticketing/api/testing";
import { queryRows } from "@ticketing/db";
import type { TestServer } from "@ticketing/server/testing";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientFor, codeOf } from "./client";

const BUYERS = 200;
const SEATS = 50;

/** 200 buyers at once for 50 seats: exactly 50 sold, none twice, everyone else told CONFLICT. */
export function defineOnSaleRace(store: string, start: () => Promise<TestServer>) {
  describe(`${BUYERS} concurrent buyers for ${SEATS} seats on ${store}`, () => {
    let server: TestServer;
    let tokens: string[];
    let organizerId: string;

    beforeAll(async () => {
      server = await start();
      const api = await createTestApi(server.database);
      organizerId = (await api.userByEmail("olivia@example.com")).id;
      const emails = Array.from({ length: BUYERS }, (_, i) => `race-${i}-${randomUUID()}@example.test`);
      await createUsers(server.database.db, emails);
      tokens = await Promise.all(emails.map((email) => api.tokenFor(email)));
    });
    afterAll(() => server?.close());

    async function verify(eventId: string, outcomes: string[]) {
      expect(outcomes.filter((code) => code === "ok")).toHaveLength(SEATS);
      expect(outcomes.filter((code) => code === "CONFLICT")).toHaveLength(BUYERS - SEATS);
      const [seats] = await queryRows<{ held: number; distinct_bookings: number }>(
        server.database.db,
        sql`SELECT (count(*) FILTER (WHERE status = 'held'))::int AS held, count(DISTINCT booking_id)::int AS distinct_bookings
            FROM event_seats WHERE event_id = ${eventId}`,
      );
      expect(seats).toEqual({ held: SEATS, distinct_bookings: SEATS });
      const [bookings] = await queryRows<{ bookings: number; claims: number; seats: number }>(
        server.database.db,
        sql`SELECT count(DISTINCT b.id)::int AS bookings, count(*)::int AS claims, count(DISTINCT bs.seat_id)::int AS seats
            FROM bookings b JOIN booking_seats bs ON bs.booking_id = b.id WHERE b.event_id = ${eventId}`,
      );
      expect(bookings).toEqual({ bookings: SEATS, claims: SEATS, seats: SEATS });
    }

    it("asking for any one seat", async () => {
      const { eventId } = await createSmallEvent(server.database.db, { seats: SEATS, organizerId });
      const outcomes = await Promise.all(
        tokens.map((token) => codeOf(clientFor(server.url, token).createBooking.mutate({ eventId, quantity: 1 }))),
      );
      await verify(eventId, outcomes);
    });

    it("four buyers contending for each named seat", async () => {
      const { eventId } = await createSmallEvent(server.database.db, { seats: SEATS, organizerId });
      const { seats } = await clientFor(server.url).getAvailableTickets.query({ eventId });
      const outcomes = await Promise.all(
        tokens.map((token, i) =>
          codeOf(
            clientFor(server.url, token).createBooking.mutate({
              eventId,
              seatIds: [seats[i % SEATS]?.seatId as string],
            }),
          ),
        ),
      );
      await verify(eventId, outcomes);
    });
  });
}
