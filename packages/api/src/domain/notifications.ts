import { randomUUID } from "node:crypto";
import { type Database, queryRows, schema as t } from "@ticketing/db";
import { and, eq, inArray, isNull, sql } from "drizzle-orm";
import type { AckNotificationsInput, Notification } from "../schemas/operations";
import { escapeHtml, formatMoney, seatLabel } from "./format";
import { formatEventTime } from "./time";

type Kind = Notification["kind"];

const wording: Record<Kind, { subject: string; headline: (event: string) => string; closing: string }> = {
  booking_confirmed: {
    subject: "Booking confirmed",
    headline: (event) => `Your booking for ${event} is confirmed.`,
    closing: "Show this email or your booking reference at the door.",
  },
  booking_cancelled: {
    subject: "Booking cancelled",
    headline: (event) => `Your booking for ${event} has been cancelled.`,
    closing: "The seats are released. If you paid, the refund follows within five working days.",
  },
  hold_expired: {
    subject: "Hold expired",
    headline: (event) => `Your hold on seats for ${event} has expired.`,
    closing: "The seats went back on sale. You are welcome to book again.",
  },
};

/**
 * Writes the email announcing a booking change into the outbox. Call it inside the
 * transaction that makes the change: the message exists exactly when the change does.
 */
export async function enqueueNotification(tx: Database, kind: Kind, bookingId: string): Promise<void> {
  const [booking] = await queryRows<{
    email: string;
    user_name: string;
    event_name: string;
    starts_at: Date;
    venue_name: string;
    city: string;
    time_zone: string;
    total_cents: number;
  }>(
    tx,
    sql`SELECT u.email, u.name AS user_name, e.name AS event_name, e.starts_at, v.name AS venue_name, v.city, v.time_zone, b.total_cents
        FROM bookings b JOIN users u ON u.id = b.user_id JOIN events e ON e.id = b.event_id JOIN venues v ON v.id = e.venue_id
        WHERE b.id = ${bookingId}`,
  );
  if (!booking) return;
  const seats = await queryRows<{ section: string; row: string; number: number }>(
    tx,
    sql`SELECT vs.section, vs.row, vs.number FROM booking_seats bs JOIN venue_seats vs ON vs.id = bs.seat_id
        WHERE bs.booking_id = ${bookingId} ORDER BY vs.section, vs.row, vs.number`,
  );
  const words = wording[kind];
  const facts: [string, string][] = [
    ["When", formatEventTime(new Date(booking.starts_at), booking.time_zone)],
    ["Where", `${booking.venue_name}, ${booking.city}`],
    ["Seats", seats.map(seatLabel).join(", ")],
    ["Total", formatMoney(booking.total_cents)],
    ["Booking reference", bookingId],
  ];
  const bodyText = [
    `Hi ${booking.user_name},`,
    "",
    words.headline(booking.event_name),
    "",
    ...facts.map(([label, value]) => `${label}: ${value}`),
    "",
    words.closing,
    "",
  ].join("\n");
  const bodyHtml = [
    "<!doctype html>",
    `<html><body style="font-family: system-ui, sans-serif; color: #1f2933">`,
    `<p>Hi ${escapeHtml(booking.user_name)},</p>`,
    `<p><strong>${escapeHtml(words.headline(booking.event_name))}</strong></p>`,
    "<table>",
    ...facts.map(
      ([label, value]) => `<tr><th align="left">${escapeHtml(label)}</th><td>${escapeHtml(value)}</td></tr>`,
    ),
    "</table>",
    `<p>${escapeHtml(words.closing)}</p>`,
    "</body></html>",
  ].join("\n");
  await tx.insert(t.notifications).values({
    kind,
    bookingId,
    recipient: booking.email,
    subject: `${words.subject} — ${booking.event_name}`,
    bodyText,
    bodyHtml,
  });
}

/**
 * Leases up to `limit` undelivered notifications to one worker. SKIP LOCKED lets workers
 * claim side by side without waiting on each other; a lease that runs out (its worker
 * died) makes the notifications claimable again.
 */
export async function claimNotifications(db: Database, limit: number, leaseSeconds: number) {
  const leaseId = randomUUID();
  const rows = await queryRows<{
    id: string;
    kind: Kind;
    booking_id: string;
    recipient: string;
    subject: string;
    body_text: string;
    body_html: string;
    created_at: Date;
    attempts: number;
    lease_expires_at: Date;
  }>(
    db,
    sql`WITH due AS MATERIALIZED (
          SELECT id FROM notifications
          WHERE delivered_at IS NULL AND failed_at IS NULL
            AND (lease_expires_at IS NULL OR lease_expires_at < clock_timestamp())
            AND (next_attempt_at IS NULL OR next_attempt_at <= clock_timestamp())
          ORDER BY created_at, id
          LIMIT ${limit}
          FOR UPDATE SKIP LOCKED)
        UPDATE notifications n
        SET lease_id = ${leaseId},
            lease_expires_at = clock_timestamp() + make_interval(secs => ${leaseSeconds}),
            attempts = n.attempts + 1
        FROM due WHERE n.id = due.id
        RETURNING n.id, n.kind, n.booking_id, n.recipient, n.subject, n.body_text, n.body_html,
                  n.created_at, n.attempts, n.lease_expires_at`,
  );
  rows.sort((a, b) => new Date(a.created_at).getTime() - new Date(b.created_at).getTime());
  return {
    leaseId: rows.length > 0 ? leaseId : null,
    leaseExpiresAt: rows[0] ? new Date(rows[0].lease_expires_at) : null,
    notifications: rows.map((r) => ({
      id: r.id,
      kind: r.kind,
      bookingId: r.booking_id,
      recipient: r.recipient,
      subject: r.subject,
      bodyText: r.body_text,
      bodyHtml: r.body_html,
      createdAt: new Date(r.created_at),
      attempts: r.attempts,
    })),
  };
}

/**
 * Records what became of leased notifications, once each: only under the lease that is
 * still current, and only while not yet delivered or failed. A worker whose lease was
 * taken over learns which ids are no longer its own.
 * - delivered: done;
 * - retry: the lease is dropped and the notification waits `retryInSeconds` before it can
 *   be claimed again (a transient failure: the mail server said 4xx, or was unreachable);
 * - failed: given up with the server's reply (a 5xx refusal); never claimed again.
 */
export async function ackNotifications(db: Database, leaseId: string, outcome: Omit<AckNotificationsInput, "leaseId">) {
  const ours = (ids: string[]) =>
    and(
      inArray(t.notifications.id, ids),
      eq(t.notifications.leaseId, leaseId),
      isNull(t.notifications.deliveredAt),
      isNull(t.notifications.failedAt),
    );
  const acknowledged: string[] = [];
  const retrying: string[] = [];
  const failed: string[] = [];
  if (outcome.ids.length > 0) {
    const rows = await db
      .update(t.notifications)
      .set({ deliveredAt: sql`now()`, nextAttemptAt: null })
      .where(ours(outcome.ids))
      .returning({ id: t.notifications.id });
    for (const row of rows) acknowledged.push(row.id);
  }
  for (const item of outcome.retry) {
    const rows = await db
      .update(t.notifications)
      .set({
        leaseId: null,
        leaseExpiresAt: null,
        nextAttemptAt: sql`clock_timestamp() + make_interval(secs => ${item.retryInSeconds})`,
        lastError: item.error,
      })
      .where(ours([item.id]))
      .returning({ id: t.notifications.id });
    for (const row of rows) retrying.push(row.id);
  }
  for (const item of outcome.failed) {
    const rows = await db
      .update(t.notifications)
      .set({ failedAt: sql`now()`, leaseId: null, leaseExpiresAt: null, lastError: item.error })
      .where(ours([item.id]))
      .returning({ id: t.notifications.id });
    for (const row of rows) failed.push(row.id);
  }
  const settled = new Set([...acknowledged, ...retrying, ...failed]);
  const named = [...outcome.ids, ...outcome.retry.map((item) => item.id), ...outcome.failed.map((item) => item.id)];
  return { acknowledged, retrying, failed, rejected: [...new Set(named)].filter((id) => !settled.has(id)) };
}
