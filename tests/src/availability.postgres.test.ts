import { randomUUID } from "node:crypto";
import { createSmallEvent, createTestApi, createUsers } from "@ticketing/api/testing";
import { createScratchPostgres } from "@ticketing/db/testing";
import { postgresAvailable, startPostgresServer, startTestServer } from "@ticketing/server/testing";
import { describe, expect, it } from "vitest";
import { watchAvailability } from "./support/availability";
import { defineAvailabilitySuite } from "./support/availability-suite";
import { clientFor } from "./support/client";

const available = await postgresAvailable();

describe.runIf(available)("PostgreSQL", () => {
  defineAvailabilitySuite("PostgreSQL", () => startPostgresServer());

  it("fans changes out across two server instances: a subscriber on one sees a booking made on the other within 1 s", {
    timeout: 120_000,
  }, async () => {
    const scratch = await createScratchPostgres();
    const [one, two] = await Promise.all([
      startTestServer({ databaseUrl: scratch.url }),
      startTestServer({ databaseUrl: scratch.url }),
    ]);
    try {
      const api = await createTestApi(one.database);
      const organizerId = (await api.userByEmail("olivia@example.com")).id;
      const { eventId } = await createSmallEvent(one.database.db, { seats: 10, organizerId });
      const email = `fanout-${randomUUID()}@example.test`;
      await createUsers(one.database.db, [email]);
      const buyer = clientFor(two.url, await api.tokenFor(email));

      const watcher = watchAvailability(one.url, eventId);
      await watcher.started();
      const latencies: number[] = [];
      const bookings = [];
      for (let i = 0; i < 5; i++) {
        const booking = await buyer.createBooking.mutate({ eventId, quantity: 1 });
        const answered = Date.now();
        const [change] = (await watcher.waitFor(i + 1, 5_000)).slice(i);
        expect(change?.update).toEqual({
          kind: "seats",
          status: "held",
          seatIds: booking.seats.map((seat) => seat.seatId),
        });
        latencies.push((change?.at ?? Number.POSITIVE_INFINITY) - answered);
        bookings.push(booking);
      }
      console.log(`cross-instance delivery after the booking's answer (ms): ${latencies.join(", ")}`);
      for (const latency of latencies) expect(latency).toBeLessThan(1_000);
      watcher.stop();

      // Resuming works against any instance: the log is in the database, not in one process.
      const firstId = watcher.received[0]?.id ?? "";
      const resumed = watchAvailability(two.url, eventId, firstId);
      try {
        const replayed = await resumed.waitFor(4);
        expect(replayed.map((change) => change.id)).toEqual(watcher.received.slice(1).map((change) => change.id));
      } finally {
        resumed.stop();
      }
    } finally {
      await Promise.all([one.close(), two.close()]);
      await scratch.drop();
    }
  });
});
