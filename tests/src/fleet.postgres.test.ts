// The fleet as the README's "Running a fleet" section draws it: three stateless server
// processes on one PostgreSQL, sharing their rate limits through Redis. Three promises are
// checked across instances: a write shows on every other instance within the staleness
// bound, one user's limit is one budget for the whole fleet, and no seat is sold twice.
import { randomUUID } from "node:crypto";
import { createSmallEvent, createTestApi, type TestApi } from "@ticketing/api/testing";
import { type DatabaseHandle, migrateDatabase, openDatabase, seedDemo } from "@ticketing/db";
import { createScratchPostgres, type ScratchDatabase } from "@ticketing/db/testing";
import { postgresAvailable } from "@ticketing/server/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientFor, codeOf } from "./support/client";
import { createBuyers, expectSoldOnce, raceForSeats } from "./support/concurrency";
import { type ServerProcess, startServerProcess } from "./support/process";

const INSTANCES = 3;
const REDIS_URL = process.env.TEST_REDIS_URL || "redis://127.0.0.1:6379";
const available = await postgresAvailable();
// The bench measures the p99 against its 100 ms goal on a quiet machine. A test on a loaded
// 2-core machine checks the bound that makes a cache safe at all: every change shows
// everywhere within a second, never "whenever the entry happens to be evicted".
const STALENESS_BOUND_MS = 1_000;
const USER_PER_SECOND = 2;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.runIf(available)("PostgreSQL", () => {
  describe(`a fleet of ${INSTANCES} server processes on one PostgreSQL and Redis`, () => {
    let scratch: ScratchDatabase;
    let database: DatabaseHandle;
    let api: TestApi;
    let servers: ServerProcess[] = [];
    let organizerId: string;

    beforeAll(async () => {
      scratch = await createScratchPostgres();
      database = await openDatabase(scratch.url, { poolSize: 4 });
      await migrateDatabase(database);
      await seedDemo(database.db);
      api = await createTestApi(database);
      organizerId = (await api.userByEmail("olivia@example.com")).id;
      const env = {
        DATABASE_URL: scratch.url,
        REDIS_URL,
        // A key space of this run's own, so runs sharing the Redis never share budgets.
        RATE_LIMIT_KEY_PREFIX: `fleet-test-${randomUUID()}`,
        RATE_LIMIT_USER_PER_SECOND: String(USER_PER_SECOND),
        // Every test client is this one loopback address: its limit is not what is tested.
        RATE_LIMIT_ADDRESS_PER_SECOND: "0",
        WORKER_TOKEN: "fleet-test-worker-token",
      };
      servers = await Promise.all(Array.from({ length: INSTANCES }, () => startServerProcess(env)));
      // Until an instance has reached Redis its limits are its own: wait (bounded) for each to say so.
      for (let waited = 0; waited < 10_000; waited += 50) {
        if (servers.every((server) => server.output().includes("rate limits: shared through Redis"))) break;
        await sleep(50);
      }
      for (const server of servers) expect(server.output()).toContain("rate limits: shared through Redis");
    });
    afterAll(async () => {
      await Promise.all(servers.map((server) => server.stop()));
      await database?.close();
      await scratch?.drop();
    });

    it("shows each booking at once on the instance that took it, and on every other within the bound", async () => {
      const { eventId } = await createSmallEvent(database.db, { seats: 40, organizerId });
      const [writer, ...readers] = servers.map((server) => clientFor(server.url));
      const staleness: number[] = [];
      for (let booking = 1; booking <= 10; booking++) {
        // Every reader has the event cached before the write, so a missed invalidation would
        // keep showing the old counts.
        for (const reader of readers)
          expect((await reader?.getEvent.query({ eventId }))?.counts.held).toBe(booking - 1);
        const [token] = await createBuyers(api, 1, `fleet-${booking}`);
        await clientFor(servers[0]?.url as string, token).createBooking.mutate({ eventId, quantity: 1 });
        const acknowledged = Date.now();
        expect((await writer?.getEvent.query({ eventId }))?.counts.held).toBe(booking);
        for (const reader of readers) {
          while ((await reader?.getEvent.query({ eventId }))?.counts.held !== booking) {
            expect(Date.now() - acknowledged).toBeLessThan(STALENESS_BOUND_MS);
            await sleep(5);
          }
          staleness.push(Date.now() - acknowledged);
        }
      }
      expect(staleness).toHaveLength(20);
    });

    it("gives one user one budget across the fleet", async () => {
      const [token] = await createBuyers(api, 1, "fleet-limit");
      const clients = servers.map((server) => clientFor(server.url, token));
      // The limit allows bursts of twice the rate: 4 calls per 2 s window. Each instance
      // counting alone would let 3 × 4 = 12 of these 30 calls through; one shared count lets
      // 4 through, or at most 8 if the calls straddle the edge of a window.
      const burst = USER_PER_SECOND * 2;
      const outcomes = await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          codeOf((clients[i % INSTANCES] as (typeof clients)[0]).listMyBookings.query()),
        ),
      );
      const allowed = outcomes.filter((code) => code === "ok").length;
      expect(outcomes.filter((code) => code !== "ok").every((code) => code === "TOO_MANY_REQUESTS")).toBe(true);
      expect(allowed).toBeGreaterThanOrEqual(burst);
      expect(allowed).toBeLessThanOrEqual(2 * burst);
    });

    it("never sells a seat twice with buyers spread over the instances", async () => {
      const seats = 30;
      const { eventId } = await createSmallEvent(database.db, { seats, organizerId });
      const tokens = await createBuyers(api, 90, "fleet-race");
      const outcomes = await raceForSeats(
        servers.map((server) => server.url),
        tokens,
        eventId,
        "named seats",
      );
      await expectSoldOnce(database.db, eventId, outcomes, seats);
    });
  });
});
