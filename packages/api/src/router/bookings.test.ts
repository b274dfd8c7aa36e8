import { eventId, queryRows } from "@ticketing/db";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSmallEvent, createTestApi, expireHold, type TestApi } from "../testing";

let api: TestApi;
let organizerId: string;
beforeAll(async () => {
  api = await createTestApi();
  organizerId = (await api.userByEmail("olivia@example.com")).id;
});
afterAll(() => api.close());

async function freshEvent(seats = 20) {
  const event = await createSmallEvent(api.db, { seats, organizerId });
  const { seats: free } = await api.anonymous.getAvailableTickets({ eventId: event.eventId });
  return { ...event, seatIds: free.map((seat) => seat.seatId) };
}

async function seatStatuses(eventIdValue: string) {
  return queryRows<{ status: string; n: number }>(
    api.db,
    sql`SELECT status::text, count(*)::int AS n FROM event_seats WHERE event_id = ${eventIdValue} GROUP BY status ORDER BY status`,
  );
}

describe("createBooking", () => {
  it("holds the chosen seats for ten minutes and prices them", async () => {
    const { eventId: id, seatIds } = await freshEvent();
    const { caller, user } = await api.newUser();
    const before = Date.now();
    const booking = await caller.createBooking({ eventId: id, seatIds: seatIds.slice(0, 3) });
    expect(booking).toMatchObject({ status: "held", userId: user.id, totalCents: 7500, confirmedAt: null });
    expect(booking.seats.map((s) => s.seatId).sort()).toEqual(seatIds.slice(0, 3).sort());
    const holdMs = booking.expiresAt.getTime() - before;
    expect(holdMs).toBeGreaterThan(9 * 60_000);
    expect(holdMs).toBeLessThanOrEqual(10 * 60_000 + 5_000);
    expect(await seatStatuses(id)).toEqual([
      { status: "available", n: 17 },
      { status: "held", n: 3 },
    ]);
  });

  it("picks the best available seats when asked for a quantity", async () => {
    const { eventId: id } = await freshEvent(5);
    const { caller } = await api.newUser();
    const booking = await caller.createBooking({ eventId: id, quantity: 4 });
    expect(booking.seats).toHaveLength(4);
    await expect(caller.createBooking({ eventId: id, quantity: 2 })).rejects.toMatchObject({
      code: "CONFLICT",
      message: "Only 1 seats are left; you asked for 2.",
    });
    await caller.createBooking({ eventId: id, quantity: 1 });
    await expect(caller.createBooking({ eventId: id, quantity: 1 })).rejects.toMatchObject({
      code: "CONFLICT",
      message: "Sold out: no seats are left for this event.",
    });
  });

  it("answers CONFLICT naming the seat someone else holds, and takes nothing", async () => {
    const { eventId: id, seatIds } = await freshEvent();
    const first = await api.newUser();
    const second = await api.newUser();
    await first.caller.createBooking({ eventId: id, seatIds: [seatIds[0] as string] });
    await expect(
      second.caller.createBooking({ eventId: id, seatIds: [seatIds[1] as string, seatIds[0] as string] }),
    ).rejects.toMatchObject({
      code: "CONFLICT",
      message: "Seat Main A-1 was just taken. Pick another seat.",
    });
    expect(await seatStatuses(id)).toEqual([
      { status: "available", n: 19 },
      { status: "held", n: 1 },
    ]);
    expect((await second.caller.listMyBookings()).items).toEqual([]);
  });

  it("treats a lapsed hold as free, even before the sweep", async () => {
    const { eventId: id, seatIds } = await freshEvent();
    const first = await api.newUser();
    const second = await api.newUser();
    const lapsed = await first.caller.createBooking({ eventId: id, seatIds: seatIds.slice(0, 2) });
    await expireHold(api.db, lapsed.id);
    expect((await api.anonymous.getEvent({ eventId: id })).counts).toMatchObject({ available: 20, held: 0 });
    const taken = await second.caller.createBooking({ eventId: id, seatIds: seatIds.slice(0, 2) });
    expect(taken.status).toBe("held");
    expect((await first.caller.getBooking({ bookingId: lapsed.id })).status).toBe("expired");
  });

  it("rejects seats of another event, too many seats, and ambiguous requests with BAD_REQUEST", async () => {
    const mine = await freshEvent();
    const other = await freshEvent();
    const { caller } = await api.newUser();
    await expect(
      caller.createBooking({ eventId: mine.eventId, seatIds: [other.seatIds[0] as string] }),
    ).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: `These seats are not part of this event: ${other.seatIds[0]}.`,
    });
    await expect(
      caller.createBooking({ eventId: mine.eventId, seatIds: mine.seatIds.slice(0, 11) }),
    ).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
    await expect(caller.createBooking({ eventId: mine.eventId, quantity: 11 })).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
    await expect(caller.createBooking({ eventId: mine.eventId })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(
      caller.createBooking({ eventId: mine.eventId, quantity: 1, seatIds: mine.seatIds.slice(0, 1) }),
    ).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
    const first = mine.seatIds[0] as string;
    await expect(caller.createBooking({ eventId: mine.eventId, seatIds: [first, first] })).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
  });

  it("refuses events that are not on sale with PRECONDITION_FAILED and unknown events with NOT_FOUND", async () => {
    const alice = await api.as("alice@example.com");
    await expect(alice.createBooking({ eventId: eventId("aurora-ballet"), quantity: 2 })).rejects.toMatchObject({
      code: "PRECONDITION_FAILED",
      message: "Aurora Ballet: The Firebird is not on sale yet; it cannot be booked.",
    });
    await expect(alice.createBooking({ eventId: eventId("winter-gala"), quantity: 2 })).rejects.toMatchObject({
      code: "PRECONDITION_FAILED",
    });
    await expect(
      alice.createBooking({ eventId: "11111111-1111-4111-8111-111111111111", quantity: 1 }),
    ).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
  });

  it("answers CONFLICT for a sold-out event", async () => {
    const bob = await api.as("bob@example.com");
    await expect(bob.createBooking({ eventId: eventId("lantern-comedy"), quantity: 1 })).rejects.toMatchObject({
      code: "CONFLICT",
    });
  });

  it("needs a signed-in person; the service account may not book", async () => {
    const { eventId: id } = await freshEvent();
    await expect(api.anonymous.createBooking({ eventId: id, quantity: 1 })).rejects.toMatchObject({
      code: "UNAUTHORIZED",
    });
    await expect(api.service.createBooking({ eventId: id, quantity: 1 })).rejects.toMatchObject({
      code: "FORBIDDEN",
      message: "The service account cannot book seats.",
    });
    for (const email of ["olivia@example.com", "admin@example.com"]) {
      const caller = await api.as(email);
      await expect(caller.createBooking({ eventId: id, quantity: 1 })).resolves.toMatchObject({ status: "held" });
    }
  });
});

describe("confirmBooking", () => {
  it("keeps the hold when the card is declined, then confirms, sells the seats and queues the email", async () => {
    const { eventId: id, seatIds } = await freshEvent();
    const { caller } = await api.newUser();
    const held = await caller.createBooking({ eventId: id, seatIds: seatIds.slice(0, 2) });
    await expect(caller.confirmBooking({ bookingId: held.id, paymentToken: "tok_decline" })).rejects.toMatchObject({
      code: "PAYMENT_REQUIRED",
      message: expect.stringContaining("The card was declined. Your seats stay held until"),
    });
    expect((await caller.getBooking({ bookingId: held.id })).status).toBe("held");
    const confirmed = await caller.confirmBooking({ bookingId: held.id, paymentToken: "tok_visa" });
    expect(confirmed).toMatchObject({ status: "confirmed", totalCents: 5000 });
    expect(confirmed.confirmedAt).toBeInstanceOf(Date);
    expect(await seatStatuses(id)).toEqual([
      { status: "available", n: 18 },
      { status: "sold", n: 2 },
    ]);
    const [mail] = await queryRows<{ kind: string; subject: string }>(
      api.db,
      sql`SELECT kind::text, subject FROM notifications WHERE booking_id = ${held.id}`,
    );
    expect(mail).toEqual({
      kind: "booking_confirmed",
      subject: expect.stringMatching(/^Booking confirmed — Test Show /),
    });
    await expect(caller.confirmBooking({ bookingId: held.id, paymentToken: "tok_visa" })).rejects.toMatchObject({
      code: "PRECONDITION_FAILED",
      message: "This booking is confirmed, not held; only a held booking can be confirmed.",
    });
  });

  it("refuses a lapsed hold", async () => {
    const { eventId: id } = await freshEvent();
    const { caller } = await api.newUser();
    const held = await caller.createBooking({ eventId: id, quantity: 1 });
    await expireHold(api.db, held.id);
    await expect(caller.confirmBooking({ bookingId: held.id, paymentToken: "tok_visa" })).rejects.toMatchObject({
      code: "PRECONDITION_FAILED",
      message: expect.stringContaining("This hold expired at"),
    });
  });

  it("is the owner's alone", async () => {
    const { eventId: id } = await freshEvent();
    const owner = await api.newUser();
    const held = await owner.caller.createBooking({ eventId: id, quantity: 1 });
    for (const email of ["bob@example.com", "olivia@example.com", "admin@example.com"]) {
      const caller = await api.as(email);
      await expect(caller.confirmBooking({ bookingId: held.id, paymentToken: "tok_visa" })).rejects.toMatchObject({
        code: "FORBIDDEN",
        message: "Only the booking's owner can pay for and confirm it.",
      });
    }
    await expect(
      owner.caller.confirmBooking({ bookingId: "22222222-2222-4222-8222-222222222222", paymentToken: "tok_visa" }),
    ).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
  });

  it("marks the event sold out when its last seat sells, and back on sale when one frees up", async () => {
    const { eventId: id } = await freshEvent(2);
    const { caller } = await api.newUser();
    const booking = await caller.createBooking({ eventId: id, quantity: 2 });
    await caller.confirmBooking({ bookingId: booking.id, paymentToken: "tok_visa" });
    expect((await api.anonymous.getEvent({ eventId: id })).status).toBe("sold_out");
    await caller.cancelBooking({ bookingId: booking.id });
    expect((await api.anonymous.getEvent({ eventId: id })).status).toBe("on_sale");
  });
});

describe("cancelBooking", () => {
  it("frees the seats and queues the cancellation email", async () => {
    const { eventId: id } = await freshEvent();
    const { caller } = await api.newUser();
    const booking = await caller.createBooking({ eventId: id, quantity: 3 });
    await caller.confirmBooking({ bookingId: booking.id, paymentToken: "tok_visa" });
    const cancelled = await caller.cancelBooking({ bookingId: booking.id });
    expect(cancelled.status).toBe("cancelled");
    expect(cancelled.cancelledAt).toBeInstanceOf(Date);
    expect(await seatStatuses(id)).toEqual([{ status: "available", n: 20 }]);
    const kinds = await queryRows<{ kind: string }>(
      api.db,
      sql`SELECT kind::text FROM notifications WHERE booking_id = ${booking.id} ORDER BY created_at`,
    );
    expect(kinds.map((k) => k.kind)).toEqual(["booking_confirmed", "booking_cancelled"]);
    await expect(caller.cancelBooking({ bookingId: booking.id })).rejects.toMatchObject({
      code: "PRECONDITION_FAILED",
      message: "This booking is already cancelled.",
    });
  });

  it("is allowed to the owner, the event's organizer and admins, and no one else", async () => {
    const { eventId: id } = await freshEvent();
    const owner = await api.newUser();
    const book = () => owner.caller.createBooking({ eventId: id, quantity: 1 });
    const denied = "Only the booking's owner, the event's organizer or an admin can cancel this booking.";
    for (const email of ["bob@example.com", "omar@example.com"]) {
      const caller = await api.as(email);
      const booking = await book();
      await expect(caller.cancelBooking({ bookingId: booking.id })).rejects.toMatchObject({
        code: "FORBIDDEN",
        message: denied,
      });
    }
    await expect(api.service.cancelBooking({ bookingId: (await book()).id })).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    for (const email of ["olivia@example.com", "admin@example.com"]) {
      const caller = await api.as(email);
      await expect(caller.cancelBooking({ bookingId: (await book()).id })).resolves.toMatchObject({
        status: "cancelled",
      });
    }
  });
});

describe("getBooking and listMyBookings", () => {
  it("show a person their own bookings, newest first, page by page", async () => {
    const { eventId: id } = await freshEvent();
    const { caller } = await api.newUser();
    const made = [];
    for (let i = 0; i < 3; i++) made.push(await caller.createBooking({ eventId: id, quantity: 1 }));
    const first = await caller.listMyBookings({ limit: 2 });
    expect(first.items.map((b) => b.id)).toEqual([made[2]?.id, made[1]?.id]);
    const second = await caller.listMyBookings({ limit: 2, cursor: first.nextCursor ?? undefined });
    expect(second).toMatchObject({ items: [{ id: made[0]?.id }], nextCursor: null });
    await expect(caller.getBooking({ bookingId: made[0]?.id as string })).resolves.toMatchObject({ event: { id } });
  });

  it("refuse other people's bookings with the reason checkPermission gives", async () => {
    const { eventId: id } = await freshEvent();
    const owner = await api.newUser();
    const booking = await owner.caller.createBooking({ eventId: id, quantity: 1 });
    const bob = await api.as("bob@example.com");
    const bobUser = await api.userByEmail("bob@example.com");
    const decision = await bob.checkPermission({
      userId: bobUser.id,
      resource: `booking:${booking.id}`,
      action: "read",
    });
    expect(decision.allowed).toBe(false);
    await expect(bob.getBooking({ bookingId: booking.id })).rejects.toMatchObject({
      code: "FORBIDDEN",
      message: decision.reason,
    });
    await expect(api.anonymous.listMyBookings()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
  });
});

describe("releaseExpiredHolds", () => {
  it("expires lapsed holds once, frees their seats and announces each", async () => {
    const { eventId: id } = await freshEvent();
    const { caller } = await api.newUser();
    const lapsed = await caller.createBooking({ eventId: id, quantity: 2 });
    const live = await caller.createBooking({ eventId: id, quantity: 1 });
    await expireHold(api.db, lapsed.id);
    const { released } = await api.service.releaseExpiredHolds({ limit: 1000 });
    expect(released).toBeGreaterThanOrEqual(1);
    expect((await caller.getBooking({ bookingId: lapsed.id })).status).toBe("expired");
    expect((await caller.getBooking({ bookingId: live.id })).status).toBe("held");
    expect(await seatStatuses(id)).toEqual([
      { status: "available", n: 19 },
      { status: "held", n: 1 },
    ]);
    const mails = await queryRows<{ kind: string }>(
      api.db,
      sql`SELECT kind::text FROM notifications WHERE booking_id = ${lapsed.id}`,
    );
    expect(mails).toEqual([{ kind: "hold_expired" }]);
    expect((await api.service.releaseExpiredHolds({})).released).toBe(0);
  });

  it("is for the service and admins only", async () => {
    const admin = await api.as("admin@example.com");
    await expect(admin.releaseExpiredHolds({})).resolves.toEqual({ released: 0 });
    for (const email of ["alice@example.com", "olivia@example.com"]) {
      const caller = await api.as(email);
      await expect(caller.releaseExpiredHolds({})).rejects.toMatchObject({ code: "FORBIDDEN" });
    }
  });
});
