import { queryRows } from "@ticketing/db";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seatChangeBounds, sequenceSeatChanges } from "../domain/availability";
import { createSmallEvent, createTestApi, type TestApi } from "../testing";

let api: TestApi;
beforeAll(async () => {
  api = await createTestApi();
});
afterAll(() => api.close());

/** Confirms `count` bookings, each of which queues one "Booking confirmed" email. */
async function queueConfirmations(count: number) {
  const organizerId = (await api.userByEmail("olivia@example.com")).id;
  const { eventId } = await createSmallEvent(api.db, { seats: count, organizerId });
  const { caller, user } = await api.newUser();
  for (let i = 0; i < count; i++) {
    const booking = await caller.createBooking({ eventId, quantity: 1 });
    await caller.confirmBooking({ bookingId: booking.id, paymentToken: "tok_visa" });
  }
  return user;
}

describe("the emails in the outbox", () => {
  it("give the show's time in its venue's zone, with the zone's abbreviation", async () => {
    const organizerId = (await api.userByEmail("olivia@example.com")).id;
    const { caller, user } = await api.newUser();
    // 7:30 PM in Austin in winter (UTC-6), and 7:30 PM in Manchester in summer (UTC+1).
    const shows = [
      { timeZone: "America/Chicago", startsAt: new Date("2031-12-19T01:30:00Z") },
      { timeZone: "Europe/London", startsAt: new Date("2031-07-18T18:30:00Z") },
    ];
    for (const show of shows) {
      const { eventId } = await createSmallEvent(api.db, { seats: 1, organizerId, ...show });
      const booking = await caller.createBooking({ eventId, quantity: 1 });
      await caller.confirmBooking({ bookingId: booking.id, paymentToken: "tok_visa" });
    }
    const emails = await queryRows<{ body_text: string; body_html: string }>(
      api.db,
      sql`SELECT body_text, body_html FROM notifications WHERE recipient = ${user.email} ORDER BY created_at`,
    );
    expect(emails.map((email) => /^When: (.*)$/m.exec(email.body_text)?.[1])).toEqual([
      "Thu, Dec 18, 2031, 7:30 PM CST",
      "Fri, Jul 18, 2031, 7:30 PM GMT+1",
    ]);
    expect(emails[0]?.body_html).toContain("<td>Thu, Dec 18, 2031, 7:30 PM CST</td>");
  });
});

describe("claimNotifications and ackNotifications", () => {
  it("leases a batch, hides it from other claims, and records delivery once", async () => {
    const user = await queueConfirmations(3);
    const first = await api.service.claimNotifications({ limit: 100, leaseSeconds: 60 });
    const mine = first.notifications.filter((n) => n.recipient === user.email);
    expect(mine).toHaveLength(3);
    expect(mine[0]).toMatchObject({
      kind: "booking_confirmed",
      subject: expect.stringMatching(/^Booking confirmed — Test Show/),
      bodyText: expect.stringContaining("Seats: Main A-"),
      bodyHtml: expect.stringContaining("<table>"),
      attempts: 1,
    });
    expect(first.leaseId).toEqual(expect.any(String));
    expect((await api.service.claimNotifications({ limit: 100 })).notifications).toEqual([]);

    const ids = first.notifications.map((n) => n.id);
    const ack = await api.service.ackNotifications({ leaseId: first.leaseId as string, ids });
    expect(ack).toEqual({ acknowledged: expect.arrayContaining(ids), retrying: [], failed: [], rejected: [] });
    const again = await api.service.ackNotifications({ leaseId: first.leaseId as string, ids });
    expect(again).toEqual({ acknowledged: [], retrying: [], failed: [], rejected: ids });
  });

  it("gives an expired lease to the next worker and refuses the late acknowledgement", async () => {
    await queueConfirmations(2);
    const dead = await api.service.claimNotifications({ limit: 100, leaseSeconds: 5 });
    expect(dead.notifications.length).toBeGreaterThanOrEqual(2);
    await api.db.execute(
      sql`UPDATE notifications SET lease_expires_at = now() - interval '1 second' WHERE lease_id = ${dead.leaseId}`,
    );
    const takeover = await api.service.claimNotifications({ limit: 100 });
    expect(takeover.notifications.map((n) => n.id).sort()).toEqual(dead.notifications.map((n) => n.id).sort());
    expect(takeover.notifications.every((n) => n.attempts === 2)).toBe(true);
    const late = await api.service.ackNotifications({
      leaseId: dead.leaseId as string,
      ids: dead.notifications.map((n) => n.id),
    });
    expect(late.acknowledged).toEqual([]);
    const current = await api.service.ackNotifications({
      leaseId: takeover.leaseId as string,
      ids: takeover.notifications.map((n) => n.id),
    });
    expect(current.rejected).toEqual([]);
  });

  it("puts a transient failure back after its pause, and never claims a failed one again", async () => {
    await api.service
      .claimNotifications({ limit: 100 })
      .then((batch) =>
        batch.leaseId
          ? api.service.ackNotifications({ leaseId: batch.leaseId, ids: batch.notifications.map((n) => n.id) })
          : null,
      );
    await queueConfirmations(2);
    const batch = await api.service.claimNotifications({ limit: 100 });
    const [deferred, refused] = batch.notifications;
    if (!batch.leaseId || !deferred || !refused) throw new Error("expected two notifications");
    const settled = await api.service.ackNotifications({
      leaseId: batch.leaseId,
      retry: [{ id: deferred.id, error: "451 4.7.1 Greylisted, try again later", retryInSeconds: 60 }],
      failed: [{ id: refused.id, error: "550 5.1.1 No such user" }],
    });
    expect(settled).toEqual({ acknowledged: [], retrying: [deferred.id], failed: [refused.id], rejected: [] });

    const stored = () =>
      queryRows<{ id: string; failed: boolean; last_error: string | null; waits: boolean }>(
        api.db,
        sql`SELECT id, failed_at IS NOT NULL AS failed, last_error, next_attempt_at > now() AS waits
            FROM notifications WHERE id IN (${deferred.id}, ${refused.id}) ORDER BY id = ${refused.id}`,
      );
    expect(await stored()).toEqual([
      { id: deferred.id, failed: false, last_error: "451 4.7.1 Greylisted, try again later", waits: true },
      { id: refused.id, failed: true, last_error: "550 5.1.1 No such user", waits: null },
    ]);
    // Neither is claimable now: one waits out its pause, the other is done for good.
    expect((await api.service.claimNotifications({ limit: 100 })).notifications).toEqual([]);
    await api.db.execute(sql`UPDATE notifications SET next_attempt_at = now() - interval '1 second'`);
    const again = await api.service.claimNotifications({ limit: 100 });
    expect(again.notifications.map((n) => [n.id, n.attempts])).toEqual([[deferred.id, 2]]);
    // A settled notification cannot be settled again under an old lease.
    const late = await api.service.ackNotifications({ leaseId: batch.leaseId, ids: [refused.id, deferred.id] });
    expect(late).toEqual({ acknowledged: [], retrying: [], failed: [], rejected: [refused.id, deferred.id] });
    const delivered = await api.service.ackNotifications({ leaseId: again.leaseId as string, ids: [deferred.id] });
    expect(delivered.acknowledged).toEqual([deferred.id]);
  });

  it("answers an empty claim with no lease", async () => {
    await api.service
      .claimNotifications({ limit: 100 })
      .then((batch) =>
        batch.leaseId
          ? api.service.ackNotifications({ leaseId: batch.leaseId, ids: batch.notifications.map((n) => n.id) })
          : null,
      );
    expect(await api.service.claimNotifications({})).toEqual({
      leaseId: null,
      leaseExpiresAt: null,
      notifications: [],
    });
  });

  it("belongs to the service account alone", async () => {
    for (const email of ["admin@example.com", "alice@example.com"]) {
      const caller = await api.as(email);
      await expect(caller.claimNotifications({})).rejects.toMatchObject({
        code: "FORBIDDEN",
        message: "Only the service account delivers notifications.",
      });
    }
    await expect(api.anonymous.claimNotifications({})).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    await expect(api.service.claimNotifications({ limit: 0 })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(api.service.ackNotifications({ leaseId: "nope", ids: [] })).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
    await expect(api.service.ackNotifications({ leaseId: crypto.randomUUID() })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringContaining("Name at least one notification in ids, retry or failed"),
    });
  });
});

describe("purgeIdempotencyRecords", () => {
  it("deletes records past their retention, in batches, and keeps the live ones", async () => {
    const { caller } = await api.newUser();
    const organizerId = (await api.userByEmail("olivia@example.com")).id;
    const { eventId } = await createSmallEvent(api.db, { seats: 5, organizerId });
    for (let i = 0; i < 3; i++)
      await caller.createBooking({ eventId, quantity: 1, idempotencyKey: `purge-me-${i}-xyz` });
    await caller.createBooking({ eventId, quantity: 1, idempotencyKey: "keep-me-live-1" });
    await api.db.execute(
      sql`UPDATE idempotency_records SET expires_at = now() - interval '1 second' WHERE key LIKE 'purge-me-%'`,
    );
    const [before] = await queryRows<{ n: number }>(
      api.db,
      sql`SELECT count(*)::int AS n FROM idempotency_records WHERE expires_at <= now()`,
    );
    const expired = before?.n ?? 0;
    expect(expired).toBeGreaterThanOrEqual(3);
    expect(await api.service.purgeIdempotencyRecords({ limit: 2 })).toEqual({ purged: 2 });
    const rest = await api.service.purgeIdempotencyRecords({});
    expect(rest.purged).toBe(expired - 2);
    expect(await api.service.purgeIdempotencyRecords({})).toEqual({ purged: 0 });
    expect(await queryRows(api.db, sql`SELECT key FROM idempotency_records WHERE key LIKE 'keep-me-%'`)).toEqual([
      { key: "keep-me-live-1" },
    ]);
  });

  it("is for the service account and admins only", async () => {
    const alice = await api.as("alice@example.com");
    await expect(alice.purgeIdempotencyRecords({})).rejects.toMatchObject({
      code: "FORBIDDEN",
      message: "Only admins can do that.",
    });
    await expect((await api.as("admin@example.com")).purgeIdempotencyRecords({})).resolves.toEqual({
      purged: expect.any(Number),
    });
  });
});

describe("purgeSeatChanges", () => {
  it("deletes changes past the retention, oldest first, never the newest, and is the service's or an admin's", async () => {
    const organizerId = (await api.userByEmail("olivia@example.com")).id;
    const { eventId: id } = await createSmallEvent(api.db, { seats: 5, organizerId });
    const { caller } = await api.newUser();
    for (let i = 0; i < 3; i++) await caller.createBooking({ eventId: id, quantity: 1 });
    await sequenceSeatChanges(api.db);
    await api.db.execute(sql`UPDATE seat_changes SET created_at = now() - interval '2 hours'`);
    const before = await seatChangeBounds(api.db);
    const { purged } = await api.service.purgeSeatChanges({});
    expect(purged).toBeGreaterThanOrEqual(2);
    const after = await seatChangeBounds(api.db);
    // Everything went but the newest, which marks where the log stands.
    expect(after).toMatchObject({ oldest: before.newest, newest: before.newest });
    expect(await api.service.purgeSeatChanges({})).toEqual({ purged: 0 });
    await expect(caller.purgeSeatChanges({})).rejects.toMatchObject({ code: "FORBIDDEN" });
  });
});
