import { randomUUID } from "node:crypto";
import { createSmallEvent, createTestApi } from "@ticketing/api/testing";
import { queryRows } from "@ticketing/db";
import type { TestServer } from "@ticketing/server/testing";
import { postgresAvailable, startPostgresServer } from "@ticketing/server/testing";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const available = await postgresAvailable();

describe.runIf(available)("PostgreSQL", () => {
  describe("deadlines on the real router", () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startPostgresServer();
    });
    afterAll(() => server?.close());

    it("cancel a createBooking stuck on seat locks in the database, and leave nothing behind", async () => {
      const api = await createTestApi(server.database);
      const organizerId = (await api.userByEmail("olivia@example.com")).id;
      const { eventId } = await createSmallEvent(server.database.db, { seats: 10, organizerId });
      const seats = await queryRows<{ seat_id: string }>(
        server.database.db,
        sql`SELECT seat_id::text FROM event_seats WHERE event_id = ${eventId} LIMIT 2`,
      );
      const seatIds = seats.map((seat) => seat.seat_id);
      const { token } = await api.newUser();

      // Another transaction holds the seats' row locks, as a slow competing booking would.
      if (server.database.kind !== "postgres") throw new Error("this suite needs PostgreSQL");
      const locker = await server.database.pool.connect();
      const { rows: before } = await locker.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
      await locker.query("BEGIN");
      await locker.query("SELECT 1 FROM event_seats WHERE event_id = $1 AND seat_id = ANY($2::uuid[]) FOR UPDATE", [
        eventId,
        seatIds,
      ]);
      const { pool } = server.database;
      const waitingOnLocker = async () => {
        const { rows } = await pool.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))",
          [before[0]?.pid],
        );
        return rows[0]?.n ?? 0;
      };

      const key = `deadline-${randomUUID()}`;
      const book = (timeoutMs: number) =>
        fetch(`${server.url}/trpc/createBooking`, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            authorization: `Bearer ${token}`,
            "idempotency-key": key,
            "rpc-timeout-ms": String(timeoutMs),
          },
          body: JSON.stringify({ json: { eventId, seatIds } }),
        });
      try {
        const pending = book(4_000);
        // The call reaches its seat claim and waits there on the locker's row locks…
        await expect.poll(waitingOnLocker, { timeout: 10_000 }).toBe(1);
        const late = await pending;
        expect(late.status).toBe(408);
        expect(await late.json()).toMatchObject({ error: { json: { data: { code: "TIMEOUT" } } } });
        // The locks are still held, yet nothing waits on them any more: PostgreSQL itself
        // cancelled the statement at the deadline (a client giving up would leave it waiting).
        await expect.poll(waitingOnLocker, { timeout: 10_000 }).toBe(0);
      } finally {
        await locker.query("ROLLBACK");
        locker.release();
      }
      const [held] = await queryRows<{ n: number }>(
        server.database.db,
        sql`SELECT count(*)::int AS n FROM event_seats WHERE event_id = ${eventId} AND status <> 'available'`,
      );
      expect(held?.n).toBe(0);
      // TIMEOUT is not an outcome the key remembers: the same request, retried, now books.
      const retried = await book(10_000);
      expect(retried.status).toBe(200);
      expect(await retried.json()).toMatchObject({ result: { data: { json: { status: "held" } } } });
    });
  });
});
