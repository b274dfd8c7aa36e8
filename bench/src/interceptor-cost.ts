// What packages/rpc's interceptors cost per call: a trivial procedure called in-process
// with and without them (no HTTP, so the difference is theirs alone), then `me` (no
// database work for an anonymous caller) over HTTP on the real server, with call logs on
// and off, and with and without a deadline and trace context.
// Run: npx tsx bench/src/interceptor-cost.ts   (numbers go to docs/decisions/006-deadlines.md and 007)
import { spawn } from "node:child_process";
import type { AddressInfo } from "node:net";
import { createSeededMemoryDatabase } from "@ticketing/db/testing";
import { createRpcMetrics, deadline, observe } from "@ticketing/rpc/server";
import { createApp, createLogger, loadConfig } from "@ticketing/server";
import { initTRPC } from "@trpc/server";
import pino from "pino";
import { Registry } from "prom-client";
import superjson from "superjson";
import { z } from "zod";
import { BENCH_SERVICE_TOKEN } from "./context";

type Ctx = { deadline: number | undefined; requestId: string };

async function inProcess() {
  const t = initTRPC.context<Ctx>().create({ transformer: superjson });
  const logger = pino({ level: "info" }, pino.destination({ dest: "/dev/null", sync: true }));
  const metrics = createRpcMetrics(new Registry());
  const ping = (base: typeof t.procedure) =>
    base.input(z.object({ id: z.string() })).query(({ input }) => ({ id: input.id, at: new Date(0) }));
  const variants = {
    "no interceptors": t.procedure,
    "metrics + span": t.procedure.concat(observe<Ctx>({ metrics: () => metrics })),
    "metrics + span + log line": t.procedure.concat(
      observe<Ctx>({ metrics: () => metrics, logger: () => logger, fields: (ctx) => ({ requestId: ctx.requestId }) }),
    ),
    "all of the above + deadline": t.procedure
      .concat(
        observe<Ctx>({ metrics: () => metrics, logger: () => logger, fields: (ctx) => ({ requestId: ctx.requestId }) }),
      )
      .concat(deadline<Ctx>()),
  };
  const rows: string[] = [];
  let baseline = 0;
  for (const [name, base] of Object.entries(variants)) {
    const router = t.router({ ping: ping(base as typeof t.procedure) });
    const caller = t.createCallerFactory(router)({ deadline: Date.now() + 3_600_000, requestId: "bench" });
    const calls = 100_000;
    // The first pass warms the JIT; the second is measured.
    for (let i = 0; i < calls; i++) await caller.ping({ id: "x" });
    const started = process.hrtime.bigint();
    for (let i = 0; i < calls; i++) await caller.ping({ id: "x" });
    const micros = Number(process.hrtime.bigint() - started) / 1000 / calls;
    if (name === "no interceptors") baseline = micros;
    rows.push(`| ${name} | ${micros.toFixed(2)} µs | +${(micros - baseline).toFixed(2)} µs |`);
  }
  return ["| in-process call | per call | added |", "|---|---:|---:|", ...rows].join("\n");
}

async function overHttp() {
  const rows: string[] = [];
  for (const logLevel of ["silent", "info"] as const) {
    const config = loadConfig({
      NODE_ENV: "production",
      WORKER_TOKEN: BENCH_SERVICE_TOKEN,
      LOG_LEVEL: logLevel,
    });
    const logger =
      logLevel === "info"
        ? pino({ level: "info" }, pino.destination({ dest: "/dev/null", sync: false }))
        : createLogger("silent", false);
    const app = createApp({ config, database: await createSeededMemoryDatabase(), logger });
    await new Promise<void>((resolve) => app.server.listen(0, "127.0.0.1", resolve));
    const { port } = app.server.address() as AddressInfo;
    const url = `http://127.0.0.1:${port}/trpc/me`;
    for (const withDeadline of [false, true]) {
      const headers = withDeadline
        ? ["-H", "rpc-timeout-ms=5000", "-H", "traceparent=00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"]
        : [];
      // autocannon runs in its own process, as in docs/decisions/001, so it does not share our CPU.
      // Asynchronously: a synchronous spawn would block the server this process hosts.
      const stdout = await new Promise<string>((resolve, reject) => {
        const child = spawn("npx", ["autocannon", "-c", "50", "-d", "10", "-j", ...headers, url]);
        let out = "";
        child.stdout.on("data", (chunk) => {
          out += chunk;
        });
        child.on("error", reject);
        child.on("exit", () => resolve(out));
      });
      const result = JSON.parse(stdout) as {
        requests: { average: number };
        latency: { p99: number };
        non2xx: number;
      };
      rows.push(
        `| me, logs ${logLevel === "info" ? "on" : "off"}${withDeadline ? ", rpc-timeout-ms + traceparent" : ""} | ${Math.round(result.requests.average)} | ${result.latency.p99} ms | ${result.non2xx} |`,
      );
    }
    await app.close();
  }
  return [
    "| over HTTP (PGlite, 50 connections, 10 s) | requests/s | p99 | non-2xx |",
    "|---|---:|---:|---:|",
    ...rows,
  ].join("\n");
}

console.log(`${await inProcess()}\n\n${await overHttp()}`);
