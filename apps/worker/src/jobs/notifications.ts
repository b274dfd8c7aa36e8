import type { RouterInputs } from "@ticketing/api";
import { DeliveryError } from "../mail";
import { composeMessage, type Notification } from "../outbox";
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

type Outcome = Omit<RouterInputs["ackNotifications"], "leaseId">;

/**
 * The pause before the next attempt after a transient failure: doubling from the base with
 * each attempt, capped, with its upper half jittered so that a relay that came back is not
 * hit by every waiting message at once. Never shorter than half the doubling step: a relay
 * that greylists (451) wants a real wait, not an immediate retry.
 */
export function retryDelaySeconds(
  attempt: number,
  policy: { baseSeconds: number; maxSeconds: number },
  random = Math.random,
): number {
  const ceiling = Math.min(policy.maxSeconds, policy.baseSeconds * 2 ** Math.min(Math.max(attempt - 1, 0), 30));
  return Math.max(1, Math.round(ceiling / 2 + (random() * ceiling) / 2));
}

/** What to report for a delivery that was not accepted: try again later, or give up. */
export function failureOutcome(
  notification: Pick<Notification, "id" | "attempts">,
  error: DeliveryError,
  policy: { baseSeconds: number; maxSeconds: number; maxAttempts: number },
  random = Math.random,
): Outcome {
  if (error.permanent) return { failed: [{ id: notification.id, error: error.message }] };
  if (notification.attempts >= policy.maxAttempts) {
    return {
      failed: [{ id: notification.id, error: `gave up after ${notification.attempts} attempts: ${error.message}` }],
    };
  }
  return {
    retry: [
      {
        id: notification.id,
        error: error.message,
        retryInSeconds: retryDelaySeconds(notification.attempts, policy, random),
      },
    ],
  };
}

/**
 * Claims one batch from the outbox under a lease and delivers it one message at a time,
 * reporting each outcome as soon as it is known: delivered (acknowledged only after the
 * transport accepted the message), back to the outbox with a backoff (a transient
 * failure), or failed with the server's reply (a permanent one). A worker that dies
 * between a message's acceptance and its acknowledgement leaves that one message to be
 * sent again once the lease runs out — at most one duplicate, with the same Message-ID.
 */
export async function deliverNotificationBatch(runtime: Runtime): Promise<BatchResult> {
  const { batchSize, leaseSeconds, mailFrom, deliveryDelayMs, retry } = runtime.config.notifications;
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

  const result: BatchResult = { claimed: notifications.length, delivered: 0, acknowledged: [], rejected: [] };
  for (const [index, notification] of notifications.entries()) {
    if (runtime.stop.aborted) break;
    if (Date.now() >= leaseEndsAt) {
      log.warn({ leaseId, left: notifications.length - index }, "lease ending: leaving the rest to the next claim");
      break;
    }
    const context = { notificationId: notification.id, kind: notification.kind, attempt: notification.attempts };
    let outcome: Outcome;
    try {
      if (deliveryDelayMs > 0) await sleep(deliveryDelayMs);
      const message = await composeMessage(notification, mailFrom);
      const accepted = await runtime.mail.send(
        notification.id,
        { from: mailFrom, to: notification.recipient },
        message,
      );
      result.delivered += 1;
      log.info({ ...context, accepted }, "notification delivered");
      outcome = { ids: [notification.id] };
    } catch (error) {
      if (!(error instanceof DeliveryError)) {
        // Not the mail server's answer (a bug composing it): left to the lease, like a crash.
        log.error({ err: error, ...context }, "delivery failed");
        continue;
      }
      outcome = failureOutcome(notification, error, retry);
      if (outcome.failed) log.error({ ...context, reply: error.message }, "notification failed: not retried");
      else
        log.warn(
          { ...context, reply: error.message, retryInSeconds: outcome.retry?.[0]?.retryInSeconds },
          "delivery deferred",
        );
    }
    const settled = await runtime.call((api) => api.ackNotifications.mutate({ leaseId, ...outcome }));
    result.acknowledged.push(...settled.acknowledged);
    result.rejected.push(...settled.rejected);
    if (settled.acknowledged.length > 0)
      log.info({ leaseId, acknowledged: settled.acknowledged }, "notifications acknowledged");
    if (settled.rejected.length > 0) {
      // Another worker took the lease over and delivers it again, with the same Message-ID.
      log.warn({ leaseId, rejected: settled.rejected }, "notification no longer ours: its lease was taken over");
    }
  }
  return result;
}
