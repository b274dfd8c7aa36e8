import { randomUUID } from "node:crypto";
import { queryRows } from "@ticketing/db";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSmallEvent, createTestApi, type TestApi } from "../testing";

let api: TestApi;
let organizerId: string;
beforeAll(async () => {
  api = await createTestApi();
  organizerId = (await api.userByEmail("olivia@example.com")).id;
});
afterAll(() => api.close());

const key = () => `key-${randomUUID()}`;
const bookingsOf = async (userId: string) =>
  (await queryRows<{ n: number }>(api.db, sql`SELECT count(*)::int AS n FROM bookings WHERE user_id = ${userId}`))[0]
    ?.n;

describe("exactly-once mutations", () => {
  it("replays the original result for a repeated key, with no second booking", async () => {
    const { eventId } = await createSmallEvent(api.db, { seats: 10, organizerId });
    const { caller, user } = await api.newUser();
    const idempotencyKey = key();
    const first = await caller.createBooking({ eventId, quantity: 2, idempotencyKey });
    const again = await caller.createBooking({ eventId, quantity: 2, idempotencyKey });
    expect(again).toEqual(first);
    expect(again.expiresAt).toBeInstanceOf(Date);
    expect(await bookingsOf(user.id)).toBe(1);
  });

  it("runs concurrent duplicates once", async () => {
    const { eventId } = await createSmallEvent(api.db, { seats: 10, organizerId });
    const { caller, user } = await api.newUser();
    const idempotencyKey = key();
    const results = await Promise.all(
      Array.from({ length: 5 }, () => caller.createBooking({ eventId, quantity: 1, idempotencyKey })),
    );
    expect(new Set(results.map((booking) => booking.id)).size).toBe(1);
    expect(await bookingsOf(user.id)).toBe(1);
  });

  it("refuses a key reused with a different input: UNPROCESSABLE_CONTENT", async () => {
    const { eventId } = await createSmallEvent(api.db, { seats: 10, organizerId });
    const { caller, user } = await api.newUser();
    const idempotencyKey = key();
    await caller.createBooking({ eventId, quantity: 1, idempotencyKey });
    await expect(caller.createBooking({ eventId, quantity: 2, idempotencyKey })).rejects.toMatchObject({
      code: "UNPROCESSABLE_CONTENT",
      message: `Idempotency key "${idempotencyKey}" was already used for createBooking with a different input. Use a new key for a new request.`,
    });
    expect(await bookingsOf(user.id)).toBe(1);
  });

  it("scopes keys to the caller and the procedure", async () => {
    const { eventId } = await createSmallEvent(api.db, { seats: 10, organizerId });
    const one = await api.newUser();
    const two = await api.newUser();
    const shared = key();
    const a = await one.caller.createBooking({ eventId, quantity: 1, idempotencyKey: shared });
    const b = await two.caller.createBooking({ eventId, quantity: 1, idempotencyKey: shared });
    expect(a.id).not.toBe(b.id);
    const confirmed = await one.caller.confirmBooking({
      bookingId: a.id,
      paymentToken: "tok_visa",
      idempotencyKey: shared,
    });
    expect(confirmed.status).toBe("confirmed");
  });

  it("replays a final domain error instead of running again", async () => {
    const { eventId } = await createSmallEvent(api.db, { seats: 10, organizerId });
    const { seats } = await api.anonymous.getAvailableTickets({ eventId });
    const seatIds = [seats[0]?.seatId as string];
    const holder = await api.newUser();
    const buyer = await api.newUser();
    const held = await holder.caller.createBooking({ eventId, seatIds });
    const idempotencyKey = key();
    const taken = { code: "CONFLICT", message: "Seat Main A-1 was just taken. Pick another seat." };
    await expect(buyer.caller.createBooking({ eventId, seatIds, idempotencyKey })).rejects.toMatchObject(taken);
    await holder.caller.cancelBooking({ bookingId: held.id });
    await expect(buyer.caller.createBooking({ eventId, seatIds, idempotencyKey })).rejects.toMatchObject(taken);
    await expect(buyer.caller.createBooking({ eventId, seatIds, idempotencyKey: key() })).resolves.toMatchObject({
      status: "held",
    });
  });

  it("stores nothing for an error that is not final, so the retry runs", async () => {
    const eventId = randomUUID();
    const { caller } = await api.newUser();
    const idempotencyKey = key();
    await expect(caller.createBooking({ eventId, quantity: 1, idempotencyKey })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    await createSmallEvent(api.db, { seats: 5, organizerId, eventId });
    await expect(caller.createBooking({ eventId, quantity: 1, idempotencyKey })).resolves.toMatchObject({
      status: "held",
    });
  });

  it("runs again once the record has expired", async () => {
    const { eventId } = await createSmallEvent(api.db, { seats: 10, organizerId });
    const { caller, user } = await api.newUser();
    const idempotencyKey = key();
    const first = await caller.createBooking({ eventId, quantity: 1, idempotencyKey });
    await api.db.execute(
      sql`UPDATE idempotency_records SET expires_at = now() - interval '1 second' WHERE key = ${idempotencyKey}`,
    );
    const second = await caller.createBooking({ eventId, quantity: 1, idempotencyKey });
    expect(second.id).not.toBe(first.id);
    expect(await bookingsOf(user.id)).toBe(2);
  });

  it("keeps records for 24 hours", async () => {
    const { eventId } = await createSmallEvent(api.db, { seats: 10, organizerId });
    const { caller } = await api.newUser();
    const idempotencyKey = key();
    await caller.createBooking({ eventId, quantity: 1, idempotencyKey });
    const [record] = await queryRows<{ hours: number }>(
      api.db,
      sql`SELECT extract(epoch FROM expires_at - created_at) / 3600 AS hours FROM idempotency_records WHERE key = ${idempotencyKey}`,
    );
    expect(Number(record?.hours)).toBeCloseTo(24, 1);
  });

  it("takes the key from the Idempotency-Key header when the input has none", async () => {
    const { eventId } = await createSmallEvent(api.db, { seats: 10, organizerId });
    const { token, user } = await api.newUser();
    const headerKey = key();
    const withHeader = await api.as(user.email, headerKey);
    const booking = await withHeader.createBooking({ eventId, quantity: 1 });
    const cancelled = await withHeader.cancelBooking({ bookingId: booking.id });
    const replayed = await (await api.as(user.email, headerKey)).cancelBooking({ bookingId: booking.id });
    expect(replayed).toEqual(cancelled);
    expect(token).toBeTruthy();
  });

  it("rejects a malformed key with BAD_REQUEST", async () => {
    const { caller } = await api.newUser();
    await expect(
      caller.createBooking({ eventId: randomUUID(), quantity: 1, idempotencyKey: "short" }),
    ).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
  });
});
