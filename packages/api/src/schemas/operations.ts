import { z } from "zod";
import { id } from "./common";

export const releaseExpiredHoldsInput = z
  .object({ limit: z.number().int().min(1).max(1000).default(100) })
  .prefault({});
export const releaseExpiredHoldsOutput = z.object({ released: z.number().int() });

export const claimNotificationsInput = z
  .object({
    limit: z.number().int().min(1).max(100).default(10),
    leaseSeconds: z.number().int().min(5).max(3600).default(60),
  })
  .prefault({});

export const notificationOutput = z.object({
  id: z.uuid(),
  kind: z.enum(["booking_confirmed", "booking_cancelled", "hold_expired"]),
  bookingId: z.uuid(),
  recipient: z.string(),
  subject: z.string(),
  bodyText: z.string(),
  bodyHtml: z.string(),
  createdAt: z.date(),
  attempts: z.number().int(),
});

export const claimNotificationsOutput = z.object({
  leaseId: z.uuid().nullable(),
  leaseExpiresAt: z.date().nullable(),
  notifications: z.array(notificationOutput),
});

const deliveryFailure = z.object({
  id: id("Each notification id"),
  /** The mail server's reply, or the connection error: kept on the row for whoever looks into it. */
  error: z.string().trim().min(1).max(2000),
});

/**
 * What became of each leased notification: delivered (`ids`), to be tried again after a
 * pause (`retry`: a transient failure), or given up (`failed`: a permanent refusal).
 */
export const ackNotificationsInput = z
  .object({
    leaseId: id("leaseId"),
    ids: z.array(id("Each notification id")).max(100).default([]),
    retry: z
      .array(deliveryFailure.extend({ retryInSeconds: z.number().int().min(1).max(86_400) }))
      .max(100)
      .default([]),
    failed: z.array(deliveryFailure).max(100).default([]),
  })
  .refine((outcome) => outcome.ids.length + outcome.retry.length + outcome.failed.length > 0, {
    error: "Name at least one notification in ids, retry or failed",
    path: ["ids"],
  });

export const ackNotificationsOutput = z.object({
  /** Recorded as delivered by this call. */
  acknowledged: z.array(z.uuid()),
  /** Back in the outbox, claimable again after their pause. */
  retrying: z.array(z.uuid()),
  /** Recorded as failed, with the reply: never claimed again. */
  failed: z.array(z.uuid()),
  /** Not ours any more: settled already, or the lease ran out and another worker holds it. */
  rejected: z.array(z.uuid()),
});

export type AckNotificationsInput = z.infer<typeof ackNotificationsInput>;
export type Notification = z.infer<typeof notificationOutput>;

export const purgeIdempotencyRecordsInput = z
  .object({ limit: z.number().int().min(1).max(10_000).default(1000) })
  .prefault({});
/** Fewer than `limit` purged means none are left past their retention. */
export const purgeIdempotencyRecordsOutput = z.object({ purged: z.number().int() });

/** How long subscribers can resume from (a reconnect after longer reloads everything). */
export const SEAT_CHANGE_RETENTION_MINUTES = 60;

export const purgeSeatChangesInput = z
  .object({
    retentionMinutes: z.number().int().min(1).max(10_080).default(SEAT_CHANGE_RETENTION_MINUTES),
    limit: z.number().int().min(1).max(10_000).default(1000),
  })
  .prefault({});
/** Fewer than `limit` purged means none are left past the retention. */
export const purgeSeatChangesOutput = z.object({ purged: z.number().int() });
