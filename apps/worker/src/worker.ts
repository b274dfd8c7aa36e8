import { backoffDelay } from "@ticketing/rpc/client";
import { StopRequested } from "./api-status";
import { releaseExpiredHolds } from "./jobs/holds";
import { purgeIdempotencyRecords } from "./jobs/idempotency";
import { deliverNotificationBatch } from "./jobs/notifications";
import { purgeSeatChanges } from "./jobs/seat-changes";
import { credentialsRefusal, type Runtime, traceJob } from "./runtime";
import { sleep } from "./sleep";

/** Delivers until the outbox has nothing due (a batch comes back short) or a stop is asked. */
async function drainOutbox(runtime: Runtime): Promise<number> {
  let delivered = 0;
  while (!runtime.stop.aborted) {
    const batch = await deliverNotificationBatch(runtime);
    delivered += batch.delivered;
    if (batch.claimed < runtime.config.notifications.batchSize) break;
  }
  return delivered;
}

/**
 * `--once`: each job a single time, holds first so that the emails their expiry writes go
 * out in the same run. Throws when a job could not run (the API stayed down, the token
 * was refused…); a stop request ends it early, and that is not a failure.
 */
export async function runJobsOnce(runtime: Runtime): Promise<void> {
  try {
    const released = await traceJob("holds", () => releaseExpiredHolds(runtime));
    const delivered = await traceJob("notifications", () => drainOutbox(runtime));
    const purged = await traceJob("idempotency", () => purgeIdempotencyRecords(runtime));
    const seatChangesPurged = await traceJob("seat-changes", () => purgeSeatChanges(runtime));
    runtime.logger.info({ released, delivered, purged, seatChangesPurged }, "each job ran once");
  } catch (error) {
    if (error instanceof StopRequested) return;
    throw credentialsRefusal(error) ?? error;
  }
}

/**
 * The long-running worker: each job on its own interval, until a stop is asked. Only a
 * refused token ends it early (no job could ever succeed); an unavailable API is waited
 * out, and any other failure is logged and retried with backoff.
 */
export async function runJobsForever(runtime: Runtime): Promise<void> {
  const { holdSweep, notifications, idempotencySweep } = runtime.config;
  runtime.logger.info(
    {
      api: runtime.config.apiUrls,
      holdSweepEveryMs: holdSweep.intervalMs,
      outboxPollEveryMs: notifications.pollIntervalMs,
      idempotencySweepEveryMs: idempotencySweep.intervalMs,
      mail: runtime.mail.target,
    },
    "worker started",
  );
  await Promise.all([
    repeat(runtime, "holds", holdSweep.intervalMs, async () => {
      await releaseExpiredHolds(runtime);
      return false;
    }),
    repeat(runtime, "notifications", notifications.pollIntervalMs, async () => {
      const { claimed } = await deliverNotificationBatch(runtime);
      return claimed === notifications.batchSize;
    }),
    repeat(runtime, "idempotency", idempotencySweep.intervalMs, async () => {
      await purgeIdempotencyRecords(runtime);
      await purgeSeatChanges(runtime);
      return false;
    }),
  ]);
}

/** Runs `job` every `intervalMs`, straight away again when it says more work is waiting. */
async function repeat(runtime: Runtime, job: string, intervalMs: number, run: () => Promise<boolean>): Promise<void> {
  let failures = 0;
  while (!runtime.stop.aborted) {
    let moreWaiting = false;
    try {
      moreWaiting = await traceJob(job, run);
      failures = 0;
    } catch (error) {
      if (error instanceof StopRequested) return;
      const refused = credentialsRefusal(error);
      if (refused) throw refused;
      runtime.logger.error({ err: error, job, failures }, "job failed; trying again after a pause");
      await sleep(Math.max(intervalMs, backoffDelay(failures, runtime.config.backoff)), runtime.stop);
      failures += 1;
      continue;
    }
    if (!moreWaiting) await sleep(intervalMs, runtime.stop);
  }
}
