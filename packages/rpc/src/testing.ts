// @ticketing/rpc/testing: a small app served through this package's own HTTP handler, for the
// package's tests: it knows nothing of tickets, like the package (no @ticketing/* import).
import http from "node:http";
import type { AddressInfo } from "node:net";
import { initTRPC, TRPCError } from "@trpc/server";
import { Registry } from "prom-client";
import superjson from "superjson";
import { z } from "zod";
import {
  type CallLogger,
  createMemoryIdempotencyStore,
  createRateLimiter,
  createRpcMetrics,
  createTrpcHandler,
  deadline,
  idempotency,
  observe,
  rateLimit,
  requestIdOf,
} from "./server";
import { type TraceContext, traceIdOf } from "./trace";
import { IDEMPOTENCY_KEY_HEADER } from "./wire";

export interface TestCtx {
  db: unknown;
  requestId: string;
  deadline: number | undefined;
  traceContext: TraceContext;
  idempotencyKey: string | undefined;
  signal?: AbortSignal | undefined;
}

export interface LogLine {
  [field: string]: unknown;
}

/** Per-server knobs a test turns to make the next requests fail in a chosen way. */
export interface Faults {
  /** Answer this many next requests with this status before they reach a procedure. */
  status?: { code: number; count: number; retryAfter?: string };
  /** Run the next mutations, then cut the connection instead of answering. */
  dropMutationResponses?: number;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(timer);
      reject(new TRPCError({ code: "TIMEOUT", message: "stopped at the deadline" }));
    });
  });

export function createTestApp(options: { limitPerSecond?: number } = {}) {
  const t = initTRPC.context<TestCtx>().create({ transformer: superjson });
  const logs: LogLine[] = [];
  const logger: CallLogger = {
    info: (fields) => logs.push({ level: "info", ...fields }),
    warn: (fields) => logs.push({ level: "warn", ...fields }),
    error: (fields) => logs.push({ level: "error", ...fields }),
  };
  const registry = new Registry();
  const metrics = createRpcMetrics(registry);
  const store = createMemoryIdempotencyStore();
  const limiter = options.limitPerSecond
    ? createRateLimiter({ burst: options.limitPerSecond, perSecond: options.limitPerSecond })
    : undefined;
  const counts = { ping: 0, charge: 0, keys: [] as string[] };
  // Calls that wait until the test opens their gate: slowness without timing.
  const gates = new Map<string, { opened: Promise<void>; open(): void }>();
  const gate = (name: string) => {
    let entry = gates.get(name);
    if (!entry) {
      let open = () => {};
      const opened = new Promise<void>((resolve) => {
        open = resolve;
      });
      entry = { opened, open };
      gates.set(name, entry);
    }
    return entry;
  };

  const base = t.procedure
    .concat(
      observe<TestCtx>({
        logger: () => logger,
        metrics: () => metrics,
        fields: (ctx) => ({ requestId: ctx.requestId, traceId: traceIdOf(ctx.traceContext) }),
        traceContext: (ctx) => ctx.traceContext,
      }),
    )
    .concat(deadline<TestCtx>());
  const router = t.router({
    ping: base.input(z.object({ tag: z.string() }).optional()).query(({ input }) => {
      counts.ping++;
      return { pong: input?.tag ?? "pong", at: new Date() };
    }),
    remaining: base.query(({ ctx }) => ({
      remainingMs: ctx.deadline === undefined ? null : ctx.deadline - Date.now(),
    })),
    /** Sleeps, stopping early when its signal fires (cooperative work). */
    sleep: base.input(z.object({ ms: z.number() })).query(async ({ ctx, input }) => {
      await sleep(input.ms, ctx.signal);
      return { slept: input.ms };
    }),
    /** Sleeps and ignores its deadline (work that cannot be stopped). */
    stubborn: base.input(z.object({ ms: z.number() })).query(async ({ input }) => {
      await sleep(input.ms);
      return { slept: input.ms };
    }),
    /** Answers once the test opens the named gate (`app.open(name)`). */
    gated: base.input(z.object({ gate: z.string() })).query(async ({ input }) => {
      await gate(input.gate).opened;
      return { opened: input.gate };
    }),
    limited: base
      .concat(rateLimit<TestCtx>({ limiter: () => limiter, key: () => "everyone", what: "test calls" }))
      .query(() => "ok"),
    charge: base
      .input(z.object({ amount: z.number() }))
      .concat(
        idempotency<TestCtx, unknown>({
          store,
          scope: () => "tester",
          key: ({ ctx }) => ctx.idempotencyKey,
          serialize: (data) => superjson.serialize(data),
          deserialize: (stored) => superjson.deserialize(stored as ReturnType<typeof superjson.serialize>),
        }),
      )
      .mutation(({ ctx, input }) => {
        counts.charge++;
        if (ctx.idempotencyKey) counts.keys.push(ctx.idempotencyKey);
        return { charged: input.amount, run: counts.charge };
      }),
    /** A mutation the server does not make idempotent. */
    note: base.input(z.object({ text: z.string() })).mutation(({ input }) => {
      counts.charge++;
      return { noted: input.text };
    }),
    fail: base.query((): string => {
      throw new TRPCError({ code: "INTERNAL_SERVER_ERROR", message: "always fails" });
    }),
  });
  return { t, router, logs, registry, metrics, counts, limiter, open: (name: string) => gate(name).open() };
}

export type TestRouter = ReturnType<typeof createTestApp>["router"];

export interface TestServer {
  url: string;
  port: number;
  app: ReturnType<typeof createTestApp>;
  faults: Faults;
  /** Requests that reached the server, with the headers the tests look at. */
  seen: { path: string; timeout?: string; key?: string; traceparent?: string }[];
  close(): Promise<void>;
}

/** The test app on node:http, on the given port or an ephemeral one. */
export async function startTestServer(
  options: { port?: number; app?: ReturnType<typeof createTestApp>; ipLimitPerSecond?: number } = {},
): Promise<TestServer> {
  const app = options.app ?? createTestApp();
  const faults: Faults = {};
  const seen: TestServer["seen"] = [];
  const ipLimiter = options.ipLimitPerSecond
    ? createRateLimiter({ burst: options.ipLimitPerSecond, perSecond: options.ipLimitPerSecond })
    : undefined;
  const handler = createTrpcHandler({
    router: app.router,
    endpoint: "/trpc",
    ...(ipLimiter && { rateLimit: { limiter: ipLimiter, key: (req) => req.socket.remoteAddress } }),
    onRejected: (reason) => app.metrics.rejected.inc({ reason }),
    createContext: ({ requestId, deadline, traceContext, nodeReq }) => {
      const key = nodeReq.headers[IDEMPOTENCY_KEY_HEADER];
      return {
        db: null,
        requestId,
        deadline,
        traceContext,
        idempotencyKey: typeof key === "string" ? key : undefined,
      };
    },
  });
  const server = http.createServer(async (req, res) => {
    const requestId = requestIdOf(req);
    res.setHeader("x-request-id", requestId);
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    if (path === "/ready") {
      res.writeHead(200).end("ready");
      return;
    }
    if (path === "/metrics") {
      res.writeHead(200, { "content-type": app.registry.contentType }).end(await app.registry.metrics());
      return;
    }
    const header = (name: string) => {
      const value = req.headers[name];
      return typeof value === "string" ? value : undefined;
    };
    seen.push({
      path,
      timeout: header("rpc-timeout-ms"),
      key: header(IDEMPOTENCY_KEY_HEADER),
      traceparent: header("traceparent"),
    });
    if (faults.status && faults.status.count > 0) {
      faults.status.count--;
      req.resume();
      const headers: Record<string, string> = { "content-type": "text/plain" };
      if (faults.status.retryAfter) headers["retry-after"] = faults.status.retryAfter;
      res.writeHead(faults.status.code, headers).end("injected");
      return;
    }
    if (req.method === "POST" && faults.dropMutationResponses && faults.dropMutationResponses > 0) {
      faults.dropMutationResponses--;
      // Let the call run to its end, then cut the connection instead of answering.
      const write = res.writeHead.bind(res);
      res.writeHead = ((...args: Parameters<typeof write>) => {
        req.socket.destroy();
        return write(...args);
      }) as typeof res.writeHead;
    }
    await handler(req, res, requestId);
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    app,
    faults,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A loopback port with nothing listening on it: bound, then released (a server that is down). */
export async function closedPort(): Promise<number> {
  const probe = http.createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}
