import type { Runtime } from "../runtime";

/**
 * Returns lapsed holds' seats to sale. Calls releaseExpiredHolds until a call releases
 * fewer than its limit, so a backlog clears in one run. Concurrent workers never release a
 * hold twice: the server claims each lapsed booking under SKIP LOCKED.
 */
export async function releaseExpiredHolds(runtime: Runtime): Promise<number> {
  const { limit } = runtime.config.holdSweep;
  let total = 0;
  for (;;) {
    const { released } = await runtime.call((api) => api.releaseExpiredHolds.mutate({ limit }));
    total += released;
    if (released < limit || runtime.stop.aborted) break;
  }
  if (total > 0) runtime.logger.info({ job: "holds", released: total }, "expired holds released");
  else runtime.logger.debug({ job: "holds" }, "no expired holds");
  return total;
}
