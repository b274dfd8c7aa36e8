import { randomUUID } from "node:crypto";
import { eventId } from "@ticketing/db";
import type { TestServer } from "@ticketing/server/testing";
import { TEST_WORKER_TOKEN } from "@ticketing/server/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Client, clientFor, codeOf, signIn } from "./client";

/**
 * Every procedure over real HTTP through a tRPC client: success, the error codes it can
 * return, and who may call it. Run once per store, so both behave the same.
 */
export function defineHttpSuite(store: string, start: () => Promise<TestServer>) {
  describe(`every procedure over HTTP on ${store}`, () => {
    let server: TestServer;
    let anonymous: Client;
    let alice: Client;
    let bob: Client;
    let olivia: Client;
    let omar: Client;
    let admin: Client;
    let service: Client;
    let aliceId: string;

    beforeAll(async () => {
      server = await start();
      anonymous = clientFor(server.url);
      const a = await signIn(server.url, "alice@example.com");
      alice = a.client;
      aliceId = a.session.user.id;
      bob = (await signIn(server.url, "bob@example.com")).client;
      olivia = (await signIn(server.url, "olivia@example.com")).client;
      omar = (await signIn(server.url, "omar@example.com")).client;
      admin = (await signIn(server.url, "admin@example.com")).client;
      service = clientFor(server.url, TEST_WORKER_TOKEN);
    });
    afterAll(() => server?.close());

    it("lists, reads and searches events", async () => {
      const list = await anonymous.listEvents.query({ limit: 3 });
      expect(list.items).toHaveLength(3);
      expect(list.nextCursor).toEqual(expect.any(String));
      const next = await anonymous.listEvents.query({ limit: 3, cursor: list.nextCursor ?? undefined });
      expect(next.items.map((e) => e.id)).not.toContain(list.items[0]?.id);
      const event = await anonymous.getEvent.query({ eventId: eventId("harbor-jazz") });
      expect(event.startsAt).toBeInstanceOf(Date);
      expect(event.counts.total).toBe(652);
      const tickets = await anonymous.getAvailableTickets.query({ eventId: eventId("lena-park"), section: "Gallery" });
      expect(tickets.seats).toHaveLength(48);
      expect(await codeOf(anonymous.getEvent.query({ eventId: randomUUID() }))).toBe("NOT_FOUND");
      expect(await codeOf(anonymous.listEvents.query({ limit: 0 }))).toBe("BAD_REQUEST");
    });

    it("books, declines, confirms and cancels, with the right error at each wrong step", async () => {
      const lena = eventId("lena-park");
      const { seats } = await anonymous.getAvailableTickets.query({ eventId: lena, section: "Stalls" });
      const seatIds = seats.slice(0, 2).map((seat) => seat.seatId);
      const held = await alice.createBooking.mutate({ eventId: lena, seatIds, idempotencyKey: `http-${randomUUID()}` });
      expect(held).toMatchObject({ status: "held", totalCents: 9000 });
      expect(await codeOf(bob.createBooking.mutate({ eventId: lena, seatIds }))).toBe("CONFLICT");
      expect(await codeOf(bob.confirmBooking.mutate({ bookingId: held.id, paymentToken: "tok_visa" }))).toBe(
        "FORBIDDEN",
      );
      expect(await codeOf(alice.confirmBooking.mutate({ bookingId: held.id, paymentToken: "tok_decline" }))).toBe(
        "PAYMENT_REQUIRED",
      );
      const confirmed = await alice.confirmBooking.mutate({ bookingId: held.id, paymentToken: "tok_visa" });
      expect(confirmed.status).toBe("confirmed");
      expect(await codeOf(alice.confirmBooking.mutate({ bookingId: held.id, paymentToken: "tok_visa" }))).toBe(
        "PRECONDITION_FAILED",
      );
      expect(await codeOf(bob.getBooking.query({ bookingId: held.id }))).toBe("FORBIDDEN");
      expect(await codeOf(omar.cancelBooking.mutate({ bookingId: held.id }))).toBe("FORBIDDEN");
      expect((await olivia.getBooking.query({ bookingId: held.id })).id).toBe(held.id);
      expect((await alice.listMyBookings.query()).items.map((b) => b.id)).toContain(held.id);
      expect((await alice.cancelBooking.mutate({ bookingId: held.id })).status).toBe("cancelled");
      expect(await codeOf(alice.cancelBooking.mutate({ bookingId: held.id }))).toBe("PRECONDITION_FAILED");
      expect(await codeOf(anonymous.createBooking.mutate({ eventId: lena, quantity: 1 }))).toBe("UNAUTHORIZED");
      expect(await codeOf(service.createBooking.mutate({ eventId: lena, quantity: 1 }))).toBe("FORBIDDEN");
      expect(await codeOf(alice.createBooking.mutate({ eventId: eventId("aurora-ballet"), quantity: 1 }))).toBe(
        "PRECONDITION_FAILED",
      );
      expect(await codeOf(alice.createBooking.mutate({ eventId: lena, quantity: 11 }))).toBe("BAD_REQUEST");
      expect(await codeOf(alice.getBooking.query({ bookingId: randomUUID() }))).toBe("NOT_FOUND");
    });

    it("replays a keyed mutation and refuses the key with another input", async () => {
      const idempotencyKey = `http-${randomUUID()}`;
      const first = await bob.createBooking.mutate({ eventId: eventId("city-lights"), quantity: 2, idempotencyKey });
      const again = await bob.createBooking.mutate({ eventId: eventId("city-lights"), quantity: 2, idempotencyKey });
      expect(again.id).toBe(first.id);
      expect(
        await codeOf(bob.createBooking.mutate({ eventId: eventId("city-lights"), quantity: 3, idempotencyKey })),
      ).toBe("UNPROCESSABLE_CONTENT");
    });

    it("answers checkPermission from the same policy the procedures use", async () => {
      const booking = (await alice.listMyBookings.query()).items.find((b) => b.status === "confirmed");
      expect(booking).toBeDefined();
      const resource = `booking:${booking?.id}`;
      expect(await alice.checkPermission.query({ userId: aliceId, resource, action: "cancel" })).toMatchObject({
        allowed: true,
      });
      expect(await codeOf(bob.checkPermission.query({ userId: aliceId, resource, action: "read" }))).toBe("FORBIDDEN");
      expect(await admin.checkPermission.query({ userId: aliceId, resource, action: "read" })).toMatchObject({
        allowed: true,
      });
      expect(await codeOf(anonymous.checkPermission.query({ userId: aliceId, resource, action: "read" }))).toBe(
        "UNAUTHORIZED",
      );
      expect(
        await codeOf(alice.checkPermission.query({ userId: aliceId, resource: "booking:x", action: "read" })),
      ).toBe("BAD_REQUEST");
    });

    it("signs up, signs in, answers me and signs out", async () => {
      const email = `http-${randomUUID()}@example.test`;
      const session = await anonymous.signUp.mutate({ email, password: "a good password", name: "Http Tester" });
      const me = clientFor(server.url, session.token);
      expect((await me.me.query())?.email).toBe(email);
      expect(await codeOf(anonymous.signUp.mutate({ email, password: "a good password", name: "Again" }))).toBe(
        "CONFLICT",
      );
      expect(await codeOf(anonymous.signIn.mutate({ email, password: "wrong password" }))).toBe("UNAUTHORIZED");
      expect(await me.signOut.mutate()).toEqual({ signedOut: true });
      expect(await me.me.query()).toBeNull();
      expect(await codeOf(anonymous.signUp.mutate({ email: "x@example.test", password: "short", name: "X" }))).toBe(
        "BAD_REQUEST",
      );
    });

    it("imports events and reports sales to the people allowed to see them", async () => {
      const externalId = `http-${randomUUID()}`;
      const row = {
        externalId,
        name: "Import Night",
        venue: "Harbor Hall",
        startsAt: "2031-06-01T20:00:00Z",
        status: "on_sale" as const,
      };
      expect((await service.upsertEvent.mutate(row)).created).toBe(true);
      expect((await service.upsertEvent.mutate(row)).created).toBe(false);
      expect(await codeOf(alice.upsertEvent.mutate(row))).toBe("FORBIDDEN");
      expect(await codeOf(service.upsertEvent.mutate({ ...row, startsAt: "2031-06-01 20:00" }))).toBe("BAD_REQUEST");
      const summary = await olivia.getSalesSummary.query({ eventId: eventId("harbor-jazz") });
      expect(summary.totals.sold).toBeGreaterThanOrEqual(642);
      expect(await codeOf(omar.getSalesSummary.query({ eventId: eventId("harbor-jazz") }))).toBe("FORBIDDEN");
      expect(await codeOf(service.getSalesSummary.query({ eventId: eventId("harbor-jazz") }))).toBe("FORBIDDEN");
    });

    it("runs the worker's operations for the service account only", async () => {
      expect(await service.releaseExpiredHolds.mutate({})).toEqual({ released: expect.any(Number) });
      expect(await codeOf(alice.releaseExpiredHolds.mutate({}))).toBe("FORBIDDEN");
      const batch = await service.claimNotifications.mutate({ limit: 50 });
      if (batch.leaseId) {
        const ack = await service.ackNotifications.mutate({
          leaseId: batch.leaseId,
          ids: batch.notifications.map((n) => n.id),
        });
        expect(ack.rejected).toEqual([]);
      }
      expect(await codeOf(admin.claimNotifications.mutate({}))).toBe("FORBIDDEN");
      expect(await codeOf(anonymous.ackNotifications.mutate({ leaseId: randomUUID(), ids: [randomUUID()] }))).toBe(
        "UNAUTHORIZED",
      );
    });
  });
}
