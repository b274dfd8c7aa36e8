// In-process cost of one cached getEvent call as the direct path makes it: the procedure with
// its middleware chain (observation with metrics and a logger at warn, the deadline, input and
// output checks), then its response item through the transformer and JSON.stringify. No HTTP.
// Measured twice: through the direct path's caller (invokeProcedure) and through tRPC's own
// procedure caller (what the fetch adapter uses), in alternating rounds.
//   node --import tsx bench/src/call-cost.ts    prints µs per call, best of three rounds each
import { appRouter } from "@ticketing/api";
import { createSeededMemoryDatabase } from "@ticketing/db/testing";
import { invokeProcedure } from "@ticketing/host";
import { createRpcMetrics } from "@ticketing/rpc/server";
import { transformTRPCResponse } from "@trpc/server";
import { getProcedureAtPath } from "@trpc/server/unstable-core-do-not-import";
import { Registry } from "prom-client";
import { benchContextFactory } from "./context";

const CALLS = 30_000;
const database = await createSeededMemoryDatabase();
const createContext = benchContextFactory(database.db, createRpcMetrics(new Registry()));
const list = await appRouter
  .createCaller(createContext({ requestId: "setup", credentials: null }))
  .listEvents({ query: "Harbor Jazz" });
const eventId = list.items[0]?.id;
const procedure = await getProcedureAtPath(appRouter, "getEvent");
if (!eventId || !procedure) throw new Error("the seeded event or getEvent is missing");
const config = appRouter._def._config;

const callers = {
  direct: (opts: Parameters<typeof procedure>[0]) => invokeProcedure(procedure, opts),
  stock: procedure,
};
const rounds: Record<keyof typeof callers, number[]> = { direct: [], stock: [] };
for (let round = 0; round < 8; round++) {
  const which = round % 2 === 0 ? "direct" : "stock";
  const call = callers[which];
  const started = performance.now();
  for (let i = 0; i < CALLS; i++) {
    const ctx = createContext({ requestId: "bench", credentials: null });
    const data: unknown = await call({
      path: "getEvent",
      getRawInput: async () => ({ eventId }),
      ctx,
      type: "query",
      signal: undefined,
      batchIndex: 0,
    });
    JSON.stringify(transformTRPCResponse(config, { result: { data } }));
  }
  // The first round of each warms up.
  if (round > 1) rounds[which].push(((performance.now() - started) * 1000) / CALLS);
}
const best = (list: number[]) => Math.round(Math.min(...list) * 10) / 10;
console.log(
  JSON.stringify({
    microsecondsPerCall: best(rounds.direct),
    withTrpcCaller: best(rounds.stock),
    calls: CALLS,
  }),
);
process.exit(0);
