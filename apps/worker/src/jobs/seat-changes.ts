import type { Runtime } from "../runtime";

/**
 * Deletes seat changes past their retention (an hour: live subscribers resume within it;
 * one gone longer reloads the seat map), in batches until one comes back short. It runs
 * with the idempotency sweep.
 */
export async function purgeSeatChanges(runtime: Runtime): Promise<number> {
  const { limit } = runtime.config.idempotencySweep;
  let total = 0;
  for (;;) {
    const { purged } = await runtime.call((api) => api.purgeSeatChanges.mutate({ limit }));
    total += purged;
    if (purged < limit || runtime.stop.aborted) break;
  }
  if (total > 0) runtime.logger.info({ job: "seat-changes", purged: total }, "old seat changes purged");
  return total;
}
