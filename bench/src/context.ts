// The product's context factory as the benchmarks run it outside apps/server: the getEvent
// cache and a quiet logger, so comparisons are of hosts and callers, not of set-ups.
import { createContextFactory, createEventCache } from "@ticketing/api";
import type { Database } from "@ticketing/db";
import type { RpcMetrics } from "@ticketing/rpc/server";
import { createLogger } from "@ticketing/server";

export const BENCH_SERVICE_TOKEN = "bench-worker-token-0123456789";

export function benchContextFactory(db: Database, metrics?: RpcMetrics) {
  return createContextFactory({
    db,
    serviceToken: BENCH_SERVICE_TOKEN,
    eventCache: createEventCache(),
    logger: createLogger("warn", false),
    ...(metrics && { metrics }),
  });
}
