import { randomUUID } from "node:crypto";
import { createSmallEvent, createTestApi, createUsers } from "@ticketing/api/testing";
import type { TestServer } from "@ticketing/server/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCable, watchAvailability } from "./availability";
import { clientFor } from "./client";

/** Live availability over server-sent events against one server; run once per store. */
export function defineAvailabilitySuite(store: string, start: () => Promise<TestServer>) {
  describe(`onAvailabilityChange on ${store}`, () => {
    let server: TestServer;
    let organizerId: string;
    let buyerToken: string;

    beforeAll(async () => {
      server = await start();
      const api = await createTestApi(server.database);
      organizerId = (await api.userByEmail("olivia@example.com")).id;
      const email = `live-${randomUUID()}@example.test`;
      await createUsers(server.database.db, [email]);
      buyerToken = await api.tokenFor(email);
    });
    afterAll(() => server?.close());

    it("streams each change of the event's seats: held, sold, available again", async () => {
      const { eventId } = await createSmallEvent(server.database.db, { seats: 5, organizerId });
      const watcher = watchAvailability(server.url, eventId);
      try {
        await watcher.started();
        const buyer = clientFor(server.url, buyerToken);
        const booking = await buyer.createBooking.mutate({ eventId, quantity: 2 });
        await buyer.confirmBooking.mutate({ bookingId: booking.id, paymentToken: "tok_visa" });
        await buyer.cancelBooking.mutate({ bookingId: booking.id });
        const seatIds = booking.seats.map((seat) => seat.seatId).sort();
        const changes = await watcher.waitFor(3);
        expect(changes.map((change) => change.update)).toEqual([
          { kind: "seats", status: "held", seatIds },
          { kind: "seats", status: "sold", seatIds },
          { kind: "seats", status: "available", seatIds },
        ]);
        const ids = changes.map((change) => Number(change.id));
        expect(ids).toEqual([...ids].sort((a, b) => a - b));
      } finally {
        watcher.stop();
      }
    });

    it("gives a client that was disconnected during 20 changes all 20 after it reconnects, in order, once each", async () => {
      const { eventId } = await createSmallEvent(server.database.db, { seats: 30, organizerId });
      const cable = await startCable(server.url);
      const watcher = watchAvailability(cable.url, eventId);
      try {
        await watcher.started();
        const buyer = clientFor(server.url, buyerToken);
        const first = await buyer.createBooking.mutate({ eventId, quantity: 1 });
        await watcher.waitFor(1);

        cable.cut();
        const bookings = [];
        for (let i = 0; i < 20; i++) bookings.push(await buyer.createBooking.mutate({ eventId, quantity: 1 }));
        // Nothing can have arrived while the cable was out.
        expect(watcher.received).toHaveLength(1);
        cable.reconnect();

        const changes = await watcher.waitFor(21, 30_000);
        expect(watcher.starts()).toBeGreaterThanOrEqual(2);
        expect(changes.map((change) => change.update)).toEqual(
          [first, ...bookings].map((booking) => ({
            kind: "seats",
            status: "held",
            seatIds: booking.seats.map((seat) => seat.seatId),
          })),
        );
        const ids = watcher.received.map((change) => change.id);
        expect(new Set(ids).size).toBe(ids.length);
        expect(ids.map(Number)).toEqual(ids.map(Number).sort((a, b) => a - b));
        expect(watcher.received).toHaveLength(21);
      } finally {
        watcher.stop();
        await cable.close();
      }
    });

    it("refuses an unknown event and a malformed lastEventId with their codes", async () => {
      const unknown = watchAvailability(server.url, randomUUID());
      await expect(unknown.waitFor(1)).rejects.toMatchObject({
        data: { code: "NOT_FOUND" },
        message: expect.stringMatching(/^Event .+ was not found\.$/),
      });
      unknown.stop();
      const { eventId } = await createSmallEvent(server.database.db, { seats: 1, organizerId });
      const malformed = watchAvailability(server.url, eventId, "yesterday");
      await expect(malformed.waitFor(1)).rejects.toMatchObject({
        data: { code: "BAD_REQUEST" },
        message: expect.stringContaining("lastEventId is the id of a change this subscription sent"),
      });
      malformed.stop();
    });
  });
}
