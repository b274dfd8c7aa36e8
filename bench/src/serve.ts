// One server for scripts/bench.mjs, in its own process so the load generator never shares
// its event loop: prints one JSON line `{"ready":true,"port":n,"pid":n}` and serves until
// killed.
//   product      apps/server as `npm run server` runs it (seeded in-memory PGlite; DATABASE_URL
//                for PostgreSQL), call logs at warn; RPC_DIRECT_PATH=false for the fetch adapter,
//                EVENT_CACHE=false for event reads from the database on every call
//   standalone   tRPC's stock standalone adapter serving the same router and context factory
//                (with the getEvent cache; without the product's metrics)
//   bare         node:http answering every request with the bytes in BENCH_BODY_FILE
//   otlp-sink    an OTLP/HTTP endpoint that takes every export and answers success, as a
//                collector's receiver does; GET /stats decodes what it kept (see otlpSink)
// The product server starts tracing as `npm run server` does: only when OTEL_* asks for it,
// and exports what is still buffered when it is stopped.
import { readFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { appRouter, startAvailabilityFeed } from "@ticketing/api";
import { migrateDatabase, openDatabase } from "@ticketing/db";
import { createSeededMemoryDatabase } from "@ticketing/db/testing";
import { decodeTraceExport, encodingOf, type OtlpEncoding } from "@ticketing/rpc/otlp-receiver";
import type { Tracing } from "@ticketing/rpc/tracing";
import { createApp, createLogger, loadConfig, startServerTracing } from "@ticketing/server";
import { createHTTPHandler } from "@trpc/server/adapters/standalone";
import { BENCH_SERVICE_TOKEN, benchContextFactory } from "./context";

const mode = process.argv[2] ?? "product";
let tracing: Tracing | undefined;

async function product(): Promise<http.Server> {
  const config = loadConfig({
    NODE_ENV: "production",
    WORKER_TOKEN: BENCH_SERVICE_TOKEN,
    LOG_LEVEL: "warn",
    RPC_DIRECT_PATH: process.env.RPC_DIRECT_PATH ?? "true",
    EVENT_CACHE: process.env.EVENT_CACHE ?? "true",
    DATABASE_POOL_SIZE: process.env.DATABASE_POOL_SIZE ?? "20",
  });
  tracing = await startServerTracing();
  const database = process.env.DATABASE_URL
    ? await openDatabase(process.env.DATABASE_URL, {
        poolSize: config.databasePoolSize,
        traceStatements: tracing !== undefined,
      })
    : await createSeededMemoryDatabase({ traceStatements: tracing !== undefined });
  if (process.env.DATABASE_URL) await migrateDatabase(database);
  const availability = await startAvailabilityFeed(database);
  const logger = createLogger(config.logLevel, false);
  return createApp({ config, database, logger, availability, tracing: tracing !== undefined }).server;
}

async function standalone(): Promise<http.Server> {
  const database = await createSeededMemoryDatabase();
  // The product's context factory with its getEvent cache and logger, so the comparison is of HTTP hosts.
  const createContext = benchContextFactory(database.db);

  return http.createServer(
    createHTTPHandler({
      router: appRouter,
      basePath: "/trpc/",
      createContext: () => createContext({ requestId: "bench", credentials: null, idempotencyKey: undefined }),
    }),
  );
}

function bare(): http.Server {
  const file = process.env.BENCH_BODY_FILE;
  if (!file) throw new Error("bare needs BENCH_BODY_FILE");
  const body = readFileSync(file);
  return http.createServer((_req, res) => {
    res.writeHead(200, { "content-type": "application/json", "content-length": body.length });
    res.end(body);
  });
}

/**
 * What the sink received: export requests, bytes, and — decoded only when asked, after the
 * load — the spans and span events by name. `receiveCpuMs` is this process's CPU from the
 * first export to the question (reading sockets, answering); `decodeCpuMs` what decoding it
 * all then took, so a receiver that decoded as the exports arrived would have cost that more.
 */
interface SinkStats {
  exports: number;
  bytes: number;
  encodings: Record<OtlpEncoding, number>;
  spans: number;
  spansByName: Record<string, number>;
  eventsByName: Record<string, number>;
  receiveCpuMs: number;
  decodeCpuMs: number;
}

const cpuMs = (usage: NodeJS.CpuUsage) => Math.round((usage.user + usage.system) / 1000);

/**
 * A collector's receiver runs on another host: its CPU is no cost of the traced server. On
 * this machine the sink shares the cores with the server under load, so while the load runs
 * it only takes each export's bytes and answers success; the bytes are kept, and decoded
 * (with the tests' OTLP decoder) when GET /stats asks, to count what arrived.
 */
function otlpSink(): http.Server {
  const received: { body: Buffer; encoding: OtlpEncoding }[] = [];
  const encodings: Record<OtlpEncoding, number> = { json: 0, protobuf: 0 };
  let bytes = 0;
  let beforeFirst: NodeJS.CpuUsage | undefined;
  const stats = (): SinkStats => {
    const receiveCpuMs = beforeFirst ? cpuMs(process.cpuUsage(beforeFirst)) : 0;
    const decodeFrom = process.cpuUsage();
    const spansByName: Record<string, number> = {};
    const eventsByName: Record<string, number> = {};
    let spans = 0;
    for (const { body, encoding } of received) {
      for (const span of decodeTraceExport(body, encoding)) {
        spans++;
        spansByName[span.name] = (spansByName[span.name] ?? 0) + 1;
        for (const event of span.events) eventsByName[event.name] = (eventsByName[event.name] ?? 0) + 1;
      }
    }
    const decodeCpuMs = cpuMs(process.cpuUsage(decodeFrom));
    return { exports: received.length, bytes, encodings, spans, spansByName, eventsByName, receiveCpuMs, decodeCpuMs };
  };
  return http.createServer((req, res) => {
    if (req.method === "GET" && req.url === "/stats") {
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(stats()));
      return;
    }
    beforeFirst ??= process.cpuUsage();
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const encoding = encodingOf(req.headers["content-type"]);
      if (req.method !== "POST" || req.url !== "/v1/traces" || encoding === undefined) {
        res.writeHead(404).end();
        return;
      }
      const body = Buffer.concat(chunks);
      bytes += body.length;
      encodings[encoding]++;
      received.push({ body, encoding });
      // An empty ExportTraceServiceResponse, in the request's encoding: everything accepted.
      if (encoding === "json") res.writeHead(200, { "content-type": "application/json" }).end("{}");
      else res.writeHead(200, { "content-type": "application/x-protobuf" }).end();
    });
  });
}

const server =
  mode === "bare"
    ? bare()
    : mode === "standalone"
      ? await standalone()
      : mode === "otlp-sink"
        ? otlpSink()
        : await product();
server.listen(0, "127.0.0.1", () => {
  const { port } = server.address() as AddressInfo;
  console.log(JSON.stringify({ ready: true, port, pid: process.pid }));
});

// A clean exit on a signal, so `node --cpu-prof` writes its profile, once the spans still
// buffered are exported (the bench counts every call's span at the sink).
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    void Promise.resolve(tracing?.shutdown())
      .catch((error: unknown) => console.error(error))
      .finally(() => process.exit(0));
  });
}
