import type { Runtime } from "../runtime";

/**
 * Deletes idempotency records past their retention (24 hours), so the table holds only keys
 * a client may still retry with. Calls purgeIdempotencyRecords until a call purges fewer
 * than its limit, so a backlog clears in one run.
 */
export async function purgeIdempotencyRecords(runtime: Runtime): Promise<number> {
  const { limit } = runtime.config.idempotencySweep;
  let total = 0;
  for (;;) {
    const { purged } = await runtime.call((api) => api.purgeIdempotencyRecords.mutate({ limit }));
    total += purged;
    if (purged < limit || runtime.stop.aborted) break;
  }
  if (total > 0) runtime.logger.info({ job: "idempotency", purged: total }, "expired idempotency records purged");
  else runtime.logger.debug({ job: "idempotency" }, "no expired idempotency records");
  return total;
}
