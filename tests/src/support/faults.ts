import { randomUUID } from "node:crypto";
import type { AppRouter } from "@ticketing/api";
import { createSmallEvent, createTestApi, createUsers } from "@ticketing/api/testing";
import { queryRows } from "@ticketing/db";
import { createRpcClient } from "@ticketing/rpc/client";
import type { TestServer } from "@ticketing/server/testing";
import { sql } from "drizzle-orm";
import superjson from "superjson";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFaultProxy } from "./fault-proxy";

const CALLS = 500;
const BUYERS = 50;

/**
 * 500 createBooking calls from 50 buyers through a proxy that loses responses, resets
 * connections and delays traffic: the client's retries (same key each time) and the
 * server's idempotency records must yield exactly 500 bookings, and every caller its own.
 */
export function defineFaultSuite(store: string, start: () => Promise<TestServer>) {
  describe(`${CALLS} bookings through a faulty network on ${store}`, () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await start();
    });
    afterAll(() => server?.close());

    // Generous: the run takes 15 s on a quiet machine, and must not fail on a busy one.
    it("books each exactly once and answers every caller", { timeout: 240_000 }, async () => {
      const api = await createTestApi(server.database);
      const organizerId = (await api.userByEmail("olivia@example.com")).id;
      const { eventId } = await createSmallEvent(server.database.db, { seats: CALLS + 20, organizerId });
      const emails = Array.from({ length: BUYERS }, (_, i) => `fault-${i}-${randomUUID()}@example.test`);
      await createUsers(server.database.db, emails);
      const tokens = await Promise.all(emails.map((email) => api.tokenFor(email)));

      const proxy = await startFaultProxy(server.url, {
        dropResponse: 0.12,
        resetConnection: 0.08,
        delay: 0.15,
        maxDelayMs: 150,
        maxFaults: 600,
        seed: 20_261_123,
      });
      let retries = 0;
      try {
        const results = await Promise.all(
          tokens.map(async (token) => {
            const client = createRpcClient<AppRouter>({
              servers: proxy.url,
              transformer: superjson,
              headers: () => ({ authorization: `Bearer ${token}` }),
              timeoutMs: 30_000,
              retry: {
                maxAttempts: 12,
                baseDelayMs: 20,
                maxDelayMs: 400,
                onRetry: () => {
                  retries++;
                },
              },
            });
            const mine: string[] = [];
            for (let i = 0; i < CALLS / BUYERS; i++) {
              mine.push((await client.createBooking.mutate({ eventId, quantity: 1 })).id);
            }
            return mine;
          }),
        );
        const ids = results.flat();
        expect(ids).toHaveLength(CALLS);
        expect(new Set(ids).size).toBe(CALLS);

        const [counts] = await queryRows<{ bookings: number; seats: number; held: number }>(
          server.database.db,
          sql`SELECT (SELECT count(*)::int FROM bookings WHERE event_id = ${eventId}) AS bookings,
                     (SELECT count(DISTINCT seat_id)::int FROM booking_seats WHERE event_id = ${eventId}) AS seats,
                     (SELECT count(*)::int FROM event_seats WHERE event_id = ${eventId} AND status = 'held') AS held`,
        );
        expect(counts).toEqual({ bookings: CALLS, seats: CALLS, held: CALLS });
        const stored = await queryRows<{ id: string }>(
          server.database.db,
          sql`SELECT id::text FROM bookings WHERE event_id = ${eventId}`,
        );
        expect(new Set(stored.map((row) => row.id))).toEqual(new Set(ids));

        // The network really was faulty, in every way, and calls really were repeated: each
        // lost response (its booking made) was followed by a repeat that got the replay.
        expect(proxy.stats.droppedResponses).toBeGreaterThan(10);
        expect(proxy.stats.resets).toBeGreaterThan(0);
        expect(proxy.stats.delays).toBeGreaterThan(10);
        expect(proxy.stats.requests).toBeGreaterThanOrEqual(CALLS + proxy.stats.droppedResponses);
        expect(retries).toBeGreaterThan(0);
        console.log(`faults on ${store}:`, JSON.stringify({ ...proxy.stats, retries }));
      } finally {
        await proxy.close();
      }
    });
  });
}
