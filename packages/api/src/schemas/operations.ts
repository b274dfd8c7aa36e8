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

export const ackNotificationsInput = z.object({
  leaseId: id("leaseId"),
  ids: z.array(id("Each notification id")).min(1).max(100),
});

export const ackNotificationsOutput = z.object({
  /** Recorded as delivered by this call. */
  acknowledged: z.array(z.uuid()),
  /** Not ours any more: delivered already, or the lease ran out and another worker holds it. */
  rejected: z.array(z.uuid()),
});

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
