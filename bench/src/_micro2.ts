import { appRouter, createContextFactory, createEventCache } from "@ticketing/api";
import { createSeededMemoryDatabase } from "@ticketing/db/testing";
import { createRpcMetrics } from "@ticketing/rpc/server";
import { createLogger } from "@ticketing/server";
import { initTRPC } from "@trpc/server";
import { Registry } from "prom-client";
import superjson from "superjson";
import { z } from "zod";
const database = await createSeededMemoryDatabase();
const createContext = createContextFactory({ db: database.db, serviceToken: "x".repeat(30), eventCache: createEventCache(), logger: createLogger("warn", false), metrics: createRpcMetrics(new Registry()) });
const caller = appRouter.createCaller(createContext({ requestId: "r", credentials: null }));
const list = await caller.listEvents({ query: "Harbor Jazz" });
const eventId = list.items[0]!.id;
const ctx = createContext({ requestId: "r", credentials: null });
// biome-ignore lint: scratch
const proc = (appRouter as any)._def.procedures.getEvent;
const raw = { eventId };
const t = initTRPC.create({ transformer: superjson });
const value = await proc({ path: "getEvent", getRawInput: async () => raw, ctx, type: "query", signal: undefined, batchIndex: 0 });
const bare = t.procedure.input(z.object({ eventId: z.string() })).query(() => value);
const bareOut = t.procedure.input(z.object({ eventId: z.string() })).output((v: unknown) => v as typeof value).query(() => value);
const bareMw = t.procedure.use(({ next }) => next()).input(z.object({ eventId: z.string() })).output((v: unknown) => v as typeof value).query(() => value);
async function time(name: string, f: () => Promise<unknown>) {
  for (let round = 0; round < 2; round++) {
    const n = 30_000; const t0 = performance.now();
    for (let i = 0; i < n; i++) await f();
    if (round) console.log(name, ((performance.now() - t0) * 1000 / n).toFixed(2), "µs/call");
  }
}
const opts = () => ({ path: "getEvent", getRawInput: async () => raw, ctx, type: "query" as const, signal: undefined, batchIndex: 0 });
await time("getEvent (product)", () => proc(opts()));
await time("bare input+query", () => (bare as any)(opts()));
await time("bare input+output+query", () => (bareOut as any)(opts()));
await time("bare mw+input+output+query", () => (bareMw as any)(opts()));
await time("createContext", async () => createContext({ requestId: "r", credentials: null }));
process.exit(0);
