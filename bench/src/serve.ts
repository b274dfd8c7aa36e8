// One server for scripts/bench.mjs, in its own process so the load generator never shares
// its event loop: prints one JSON line `{"ready":true,"port":n,"pid":n}` and serves until
// killed.
//   product      apps/server as `npm run server` runs it (seeded in-memory PGlite; DATABASE_URL
//                for PostgreSQL), call logs at warn; RPC_DIRECT_PATH=false for the fetch adapter,
//                EVENT_CACHE=false for event reads from the database on every call
//   standalone   tRPC's stock standalone adapter serving the same router and context factory
//                (with the getEvent cache; without the product's metrics)
//   bare         node:http answering every request with the bytes in BENCH_BODY_FILE
//   otlp-sink    an OTLP/HTTP endpoint that reads every export and answers success, as a
//                collector does; GET /stats → {"exports":n,"bytes":n}
// The product server starts tracing as `npm run server` does: only when OTEL_* asks for it.
import { readFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { appRouter, startAvailabilityFeed } from "@ticketing/api";
import { migrateDatabase, openDatabase } from "@ticketing/db";
import { createSeededMemoryDatabase } from "@ticketing/db/testing";
import { createApp, createLogger, loadConfig, startServerTracing } from "@ticketing/server";
import { createHTTPHandler } from "@trpc/server/adapters/standalone";
import { BENCH_SERVICE_TOKEN, benchContextFactory } from "./context";

const mode = process.argv[2] ?? "product";

async function product(): Promise<http.Server> {
  const config = loadConfig({
    NODE_ENV: "production",
    WORKER_TOKEN: BENCH_SERVICE_TOKEN,
    LOG_LEVEL: "warn",
    RPC_DIRECT_PATH: process.env.RPC_DIRECT_PATH ?? "true",
    EVENT_CACHE: process.env.EVENT_CACHE ?? "true",
    DATABASE_POOL_SIZE: process.env.DATABASE_POOL_SIZE ?? "20",
  });
  const tracing = await startServerTracing();
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

function otlpSink(): http.Server {
  const stats = { exports: 0, bytes: 0 };
  return http.createServer((req, res) => {
    if (req.method === "GET" && req.url === "/stats") {
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(stats));
      return;
    }
    req.on("data", (chunk: Buffer) => {
      stats.bytes += chunk.length;
    });
    req.on("end", () => {
      stats.exports++;
      // An empty ExportTraceServiceResponse: everything accepted.
      res.writeHead(200, { "content-type": "application/x-protobuf" }).end();
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

// A clean exit on a signal, so `node --cpu-prof` writes its profile.
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => process.exit(0));
