import { randomUUID } from "node:crypto";
import type { AppRouter } from "@ticketing/api";
import { createSmallEvent, createTestApi, createUsers } from "@ticketing/api/testing";
import { migrateDatabase, openDatabase, queryRows, seedDemo, eventId as seededEvent } from "@ticketing/db";
import { createScratchPostgres } from "@ticketing/db/testing";
import { createRpcClient } from "@ticketing/rpc/client";
import { postgresAvailable } from "@ticketing/server/testing";
import { sql } from "drizzle-orm";
import superjson from "superjson";
import { describe, expect, it } from "vitest";
import { type ServerProcess, startServerProcess } from "./support/process";

const available = await postgresAvailable();
const WORKER_TOKEN = "failover-test-worker-token";
const BUYERS = 20;
const BOOKINGS_EACH = 15;

describe.runIf(available)("PostgreSQL", () => {
  it("fails over when one of two server instances is killed mid-run: no idempotent call fails, nothing is duplicated", {
    timeout: 240_000,
  }, async () => {
    const scratch = await createScratchPostgres();
    const database = await openDatabase(scratch.url, { poolSize: 4 });
    const servers: ServerProcess[] = [];
    try {
      await migrateDatabase(database);
      await seedDemo(database.db);
      const api = await createTestApi(database);
      const organizerId = (await api.userByEmail("olivia@example.com")).id;
      const { eventId } = await createSmallEvent(database.db, { seats: BUYERS * BOOKINGS_EACH + 10, organizerId });
      const emails = Array.from({ length: BUYERS }, (_, i) => `failover-${i}-${randomUUID()}@example.test`);
      await createUsers(database.db, emails);
      const tokens = await Promise.all(emails.map((email) => api.tokenFor(email)));

      const env = { DATABASE_URL: scratch.url, WORKER_TOKEN };
      servers.push(...(await Promise.all([startServerProcess(env), startServerProcess(env)])));
      const [doomed, survivor] = servers as [ServerProcess, ServerProcess];
      const urls = [doomed.url, survivor.url];
      const changes: string[] = [];
      const clientFor = (token: string) =>
        createRpcClient<AppRouter>({
          servers: urls,
          transformer: superjson,
          headers: () => ({ authorization: `Bearer ${token}` }),
          timeoutMs: 20_000,
          probeIntervalMs: 200,
          onServerChange: (server, healthy) =>
            changes.push(`${server === doomed.url ? "doomed" : "survivor"}:${healthy}`),
        });

      let calls = 0;
      let killed: Promise<number | null> | undefined;
      const queries: string[] = [];
      const results = await Promise.all(
        tokens.map(async (token) => {
          const client = clientFor(token);
          const booked: string[] = [];
          for (let i = 0; i < BOOKINGS_EACH; i++) {
            // Kill one instance once the run is well under way, with calls in flight on it.
            if (++calls === (BUYERS * BOOKINGS_EACH) / 3) killed = doomed.stop("SIGKILL");
            const [event, booking] = await Promise.all([
              client.getEvent.query({ eventId: seededEvent("harbor-jazz") }),
              client.createBooking.mutate({ eventId, quantity: 1 }),
            ]);
            queries.push(event.name);
            booked.push(booking.id);
          }
          return booked;
        }),
      );
      await killed;

      const ids = results.flat();
      expect(ids).toHaveLength(BUYERS * BOOKINGS_EACH);
      expect(new Set(ids).size).toBe(ids.length);
      expect(queries).toHaveLength(BUYERS * BOOKINGS_EACH);
      expect(new Set(queries)).toEqual(new Set(["Harbor Jazz Sessions"]));
      const [counts] = await queryRows<{ bookings: number; seats: number }>(
        database.db,
        sql`SELECT count(DISTINCT b.id)::int AS bookings, count(DISTINCT bs.seat_id)::int AS seats
            FROM bookings b JOIN booking_seats bs ON bs.booking_id = b.id WHERE b.event_id = ${eventId}`,
      );
      expect(counts).toEqual({ bookings: ids.length, seats: ids.length });
      expect(changes).toContain("doomed:false");
      expect(changes).not.toContain("survivor:false");
      // Both served calls, and the survivor carried the run after the kill.
      const served = (server: ServerProcess) => server.output().split('"msg":"call"').length - 1;
      expect(served(doomed)).toBeGreaterThan(0);
      expect(served(survivor)).toBeGreaterThan(served(doomed));
      console.log("failover:", JSON.stringify({ doomed: served(doomed), survivor: served(survivor), changes }));
    } finally {
      await Promise.all(servers.map((server) => server.stop("SIGKILL")));
      await database.close();
      await scratch.drop();
    }
  });
});
