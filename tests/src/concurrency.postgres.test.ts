import { createSmallEvent, createTestApi } from "@ticketing/api/testing";
import { type DatabaseHandle, migrateDatabase, openDatabase, seedDemo } from "@ticketing/db";
import { createScratchPostgres, type ScratchDatabase } from "@ticketing/db/testing";
import { postgresAvailable } from "@ticketing/server/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUYERS, createBuyers, expectSoldOnce, raceForSeats, SEATS } from "./support/concurrency";
import { type ServerProcess, startServerProcess } from "./support/process";

const available = await postgresAvailable();
const INSTANCES = 3;

describe.runIf(available)("PostgreSQL", () => {
  describe(`${BUYERS} concurrent buyers for ${SEATS} seats on ${INSTANCES} server processes sharing one PostgreSQL`, () => {
    let scratch: ScratchDatabase;
    let database: DatabaseHandle;
    let servers: ServerProcess[] = [];
    let tokens: string[];
    let organizerId: string;

    beforeAll(async () => {
      scratch = await createScratchPostgres();
      database = await openDatabase(scratch.url, { poolSize: 4 });
      await migrateDatabase(database);
      await seedDemo(database.db);
      const api = await createTestApi(database);
      organizerId = (await api.userByEmail("olivia@example.com")).id;
      tokens = await createBuyers(api, BUYERS, "race");
      const env = { DATABASE_URL: scratch.url, WORKER_TOKEN: "race-test-worker-token" };
      servers = await Promise.all(Array.from({ length: INSTANCES }, () => startServerProcess(env)));
    });
    afterAll(async () => {
      await Promise.all(servers.map((server) => server.stop()));
      await database?.close();
      await scratch?.drop();
    });

    for (const mode of ["any seat", "named seats"] as const) {
      it(`each asking for ${mode === "any seat" ? "any one seat" : "a named seat, three buyers per seat"}, spread round-robin`, async () => {
        const { eventId } = await createSmallEvent(database.db, { seats: SEATS, organizerId });
        const outcomes = await raceForSeats(
          servers.map((server) => server.url),
          tokens,
          eventId,
          mode,
        );
        await expectSoldOnce(database.db, eventId, outcomes, SEATS);
        // Every instance took its share of the buyers. A call's log line travels through the
        // server's stdout pipe, apart from its answer: wait for the lines (5 s at most).
        const logged = () => servers.map((server) => server.output().split('"procedure":"createBooking"').length - 1);
        for (let waited = 0; waited < 5_000 && logged().some((n) => n < BUYERS / INSTANCES); waited += 50) {
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        for (const lines of logged()) expect(lines).toBeGreaterThanOrEqual(BUYERS / INSTANCES);
      });
    }
  });
});
