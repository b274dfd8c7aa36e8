import { findSeatCountMismatches, queryRows } from "@ticketing/db";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getEvent, listEvents } from "../domain/events";
import { createSmallEvent, createTestApi, expireHold, type TestApi } from "../testing";

// getEvent, listEvents and the sales summary read the counts the triggers keep, not the
// seats: every writer must move them, and a lapsed hold must read as available at once.

let api: TestApi;
beforeAll(async () => {
  api = await createTestApi();
});
afterAll(() => api.close());

const countsOf = async (eventId: string) => (await api.anonymous.getEvent({ eventId })).counts;
/** The kept rows of an event, every stripe, with the transaction that last wrote each (xmin). */
const keptRows = (eventId: string) =>
  queryRows<{ section: string; stripe: number; total: number; sold: number; written_by: string }>(
    api.db,
    sql`SELECT section, stripe, total, sold, xmin::text AS written_by FROM event_seat_counts
        WHERE event_id = ${eventId} ORDER BY section, stripe`,
  );

describe("kept seat counts", () => {
  it("follow claims, confirmations, cancellations, a lapsed hold and the sweep, equal to a recount", async () => {
    const organizer = await api.userByEmail("olivia@example.com");
    const { eventId } = await createSmallEvent(api.db, { seats: 30, organizerId: organizer.id });
    expect(await countsOf(eventId)).toEqual({ total: 30, available: 30, held: 0, sold: 0 });

    const buyer = await api.newUser();
    const before = await keptRows(eventId);
    const first = await buyer.caller.createBooking({ eventId, quantity: 4 });
    const second = await buyer.caller.createBooking({ eventId, quantity: 3 });
    const third = await buyer.caller.createBooking({ eventId, quantity: 2 });
    expect(await countsOf(eventId)).toEqual({ total: 30, available: 21, held: 9, sold: 0 });
    // A claim changes no kept count, so it writes (and locks) no counts row, not even with
    // the same values: holds are read from the held seats' index.
    expect(await keptRows(eventId)).toEqual(before);
    expect(before.length).toBeGreaterThan(0);
    // A cached page of the list lapses when its earliest live hold does (read with the page).
    const { name } = await api.anonymous.getEvent({ eventId });
    const listed = await listEvents(api.db, { query: name, limit: 5 });
    expect(listed.items.map((item) => item.id)).toEqual([eventId]);
    expect(listed.changesAt).toEqual(first.expiresAt);
    // So does a cached event, read in the same statement as its counts.
    expect((await getEvent(api.db, eventId)).changesAt).toEqual(first.expiresAt);

    await buyer.caller.confirmBooking({ bookingId: first.id, paymentToken: "tok_visa" });
    await buyer.caller.cancelBooking({ bookingId: second.id });
    expect(await countsOf(eventId)).toEqual({ total: 30, available: 24, held: 2, sold: 4 });

    // Lapsed: available before any sweep, in the event, its section, the list and the sales summary.
    await expireHold(api.db, third.id);
    expect(await countsOf(eventId)).toEqual({ total: 30, available: 26, held: 0, sold: 4 });
    // With no live hold left, nothing changes the event by itself.
    expect((await getEvent(api.db, eventId)).changesAt).toBeNull();
    const event = await api.anonymous.getEvent({ eventId });
    expect(event.sections).toEqual([{ name: "Main", total: 30, available: 26, held: 0, sold: 4 }]);
    const summary = await (await api.as("olivia@example.com")).getSalesSummary({ eventId });
    expect(summary.totals).toMatchObject({ sold: 4, held: 0, available: 26, revenueCents: 4 * 2500 });
    expect(await findSeatCountMismatches(api.db)).toEqual([]);

    await api.service.releaseExpiredHolds({ limit: 100 });
    expect(await countsOf(eventId)).toEqual({ total: 30, available: 26, held: 0, sold: 4 });
    expect(await findSeatCountMismatches(api.db)).toEqual([]);
  });

  it("follow an event's move to another venue (its seats replaced) and new events of an import", async () => {
    const created = await api.service.upsertEvent({
      externalId: `counts-${Date.now()}`,
      name: "Counts on the move",
      venue: "Harbor Hall",
      startsAt: new Date(Date.now() + 30 * 86_400_000).toISOString(),
    });
    const atHarbor = await countsOf(created.event.id);
    expect(atHarbor.total).toBeGreaterThan(0);
    const moved = await api.service.upsertEvent({
      externalId: created.event.externalId ?? "",
      name: "Counts on the move",
      venue: "Northgate Arena",
      startsAt: new Date(Date.now() + 30 * 86_400_000).toISOString(),
    });
    const atArena = await countsOf(moved.event.id);
    expect(atArena.total).not.toBe(atHarbor.total);
    expect(atArena).toEqual({ total: atArena.total, available: atArena.total, held: 0, sold: 0 });
    expect(moved.event.counts).toEqual(atArena);
    expect(await findSeatCountMismatches(api.db)).toEqual([]);
  });
});
