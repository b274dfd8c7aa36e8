import { composeMessage, writeMessage } from "../outbox";
import type { Runtime } from "../runtime";
import { sleep } from "../sleep";

export interface BatchResult {
  claimed: number;
  delivered: number;
  acknowledged: string[];
  rejected: string[];
}

/** A batch is left alone this long before its lease ends, so no delivery starts once another worker may own it. */
const LEASE_MARGIN_MS = 1_000;

/**
 * Claims one batch from the outbox under a lease, writes each message to disk, then
 * acknowledges what it delivered. A notification is delivered at least once (a worker that
 * dies before acknowledging leaves its batch to the next claim once the lease runs out)
 * and recorded once (the server accepts an acknowledgement only under the current lease).
 * Re-delivery overwrites the same file, so the disk holds one message per notification.
 */
export async function deliverNotificationBatch(runtime: Runtime): Promise<BatchResult> {
  const { batchSize, leaseSeconds, outboxDir, mailFrom, deliveryDelayMs } = runtime.config.notifications;
  const log = runtime.logger.child({ job: "notifications" });
  // Measured from before the claim, on this machine's clock: no reliance on the server's.
  const leaseEndsAt = Date.now() + leaseSeconds * 1000 - LEASE_MARGIN_MS;
  const batch = await runtime.call((api) => api.claimNotifications.mutate({ limit: batchSize, leaseSeconds }));
  const { leaseId, notifications } = batch;
  if (!leaseId || notifications.length === 0) {
    log.debug("outbox empty");
    return { claimed: 0, delivered: 0, acknowledged: [], rejected: [] };
  }
  log.info({ leaseId, count: notifications.length, leaseExpiresAt: batch.leaseExpiresAt }, "notifications claimed");

  const delivered: string[] = [];
  for (const notification of notifications) {
    if (runtime.stop.aborted) break;
    if (Date.now() >= leaseEndsAt) {
      log.warn(
        { leaseId, left: notifications.length - delivered.length },
        "lease ending: leaving the rest to the next claim",
      );
      break;
    }
    try {
      if (deliveryDelayMs > 0) await sleep(deliveryDelayMs);
      const message = await composeMessage(notification, mailFrom);
      const file = await writeMessage(outboxDir, notification.id, message);
      delivered.push(notification.id);
      log.info(
        { notificationId: notification.id, kind: notification.kind, attempt: notification.attempts, file },
        "notification delivered",
      );
    } catch (error) {
      // Left unacknowledged, it is claimed again once the lease runs out.
      log.error({ err: error, notificationId: notification.id }, "delivery failed");
    }
  }
  if (delivered.length === 0) return { claimed: notifications.length, delivered: 0, acknowledged: [], rejected: [] };

  const { acknowledged, rejected } = await runtime.call((api) =>
    api.ackNotifications.mutate({ leaseId, ids: delivered }),
  );
  if (rejected.length > 0) {
    // Another worker took the lease over and delivers these again, to the same files.
    log.warn({ leaseId, acknowledged, rejected }, "notifications acknowledged; some were no longer ours");
  } else {
    log.info({ leaseId, acknowledged }, "notifications acknowledged");
  }
  return { claimed: notifications.length, delivered: delivered.length, acknowledged, rejected };
}
