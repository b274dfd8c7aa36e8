import http from "node:http";
import {
  type AvailabilityFeed,
  appRouter,
  createContextFactory,
  createEventCache,
  type RequestInfo,
} from "@ticketing/api";
import { checkReadiness, type DatabaseHandle } from "@ticketing/db";
import {
  answerClientError,
  clientAddressOf,
  createRateLimiter,
  createRpcMetrics,
  createTrpcHandler,
  IDEMPOTENCY_KEY_HEADER,
  isLoopback,
  type RateLimiter,
  requestIdOf,
} from "@ticketing/rpc/server";
import { collectDefaultMetrics, Registry } from "prom-client";
import type { Config } from "./config";
import { credentialsOf, sessionCookieJar } from "./cookies";
import type { Logger } from "./logger";
import { createRestHandler, errorBody as restErrorBody } from "./rest";

const isRestPath = (path: string | undefined) => path === "/api/v1" || path?.startsWith("/api/v1/") === true;

export interface App {
  server: http.Server;
  /** Stops accepting, lets in-flight calls finish (up to the grace period), then closes the database. */
  close(): Promise<void>;
  /** What `close()` is still waiting for, for the log line of a shutdown that ran out of time. */
  pendingWork(): string[];
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
    "cache-control": "no-store",
  });
  res.end(text);
}

/** A token bucket that allows `perSecond` on average and bursts of twice that; none for 0. */
function limiterOf(perSecond: number): RateLimiter | undefined {
  return perSecond > 0 ? createRateLimiter({ burst: Math.max(1, perSecond * 2), perSecond }) : undefined;
}

export function createApp({
  config,
  database,
  logger,
  availability,
}: {
  config: Config;
  database: DatabaseHandle;
  logger: Logger;
  /** Live seat availability; closed with the app, which ends its subscriptions. */
  availability?: AvailabilityFeed;
}): App {
  // One registry per app, so several apps in one process (tests) keep separate counts.
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const metrics = createRpcMetrics(registry);
  const limits = config.rateLimits;
  const signInPerSecond = limits.signInPerMinute / 60;
  const createContext = createContextFactory({
    db: database.db,
    serviceToken: config.workerToken,
    holdMinutes: config.holdMinutes,
    statementTimeouts: database.kind === "postgres",
    logger,
    metrics,
    availability,
    // PGlite is this process's alone (a lock file keeps others out): every write passes through
    // here, so a cache of getEvent invalidated by each mutation is exact. Not on PostgreSQL.
    eventCache: database.kind === "pglite" && config.eventCache ? createEventCache() : undefined,
    limits: {
      perUser: limiterOf(limits.userPerSecond),
      signIn:
        signInPerSecond > 0
          ? createRateLimiter({ burst: Math.max(1, limits.signInPerMinute), perSecond: signInPerSecond })
          : undefined,
    },
  });
  const addressLimiter = limiterOf(limits.addressPerSecond);
  // Programs on this machine (the worker, server components, a proxy that forwarded no
  // address) are not limited by address; remote clients and forwarded ones are.
  const addressLimit = addressLimiter && {
    limiter: addressLimiter,
    key: (req: http.IncomingMessage) => {
      const address = clientAddressOf(req);
      return isLoopback(address) ? undefined : address;
    },
  };
  /** What every transport (tRPC, REST) tells the context about a request. */
  const requestInfo = (nodeReq: http.IncomingMessage, requestId: string): RequestInfo => {
    const idempotencyKey = nodeReq.headers[IDEMPOTENCY_KEY_HEADER];
    return {
      requestId,
      credentials: credentialsOf(nodeReq),
      idempotencyKey: typeof idempotencyKey === "string" ? idempotencyKey : undefined,
      clientAddress: clientAddressOf(nodeReq),
    };
  };
  const rest = createRestHandler({
    createContext,
    requestInfo,
    allowedOrigins: config.webOrigins,
    ...(addressLimit && { rateLimit: addressLimit }),
  });
  const trpc = createTrpcHandler({
    router: appRouter,
    endpoint: "/trpc",
    allowedOrigins: config.webOrigins,
    directPath: config.directPath,
    ...(addressLimit && { rateLimit: addressLimit }),
    onRejected: (reason) => metrics.rejected.inc({ reason }),
    createContext: ({ nodeReq, resHeaders, requestId, deadline, traceContext }) =>
      createContext({
        ...requestInfo(nodeReq, requestId),
        cookies: sessionCookieJar(resHeaders, config.secureCookies),
        deadline,
        traceContext,
      }),
  });

  let draining = false;
  let inFlight = 0;
  const server = http.createServer(async (req, res) => {
    inFlight++;
    res.once("close", () => {
      inFlight--;
    });
    const requestId = requestIdOf(req);
    res.setHeader("x-request-id", requestId);
    // Every answer is data, never a page to sniff into HTML; and none may be stored by a
    // shared cache (sessions, bookings). A response that sets its own cache-control (an
    // event stream) replaces this one.
    res.setHeader("x-content-type-options", "nosniff");
    res.setHeader("cache-control", "no-store");
    // While draining, a connection is closed as soon as its last response is out.
    res.once("finish", () => {
      if (draining) setImmediate(() => server.closeIdleConnections());
    });
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    try {
      if (path === "/health") return sendJson(res, 200, { status: "ok" });
      if (path === "/ready") {
        if (draining) return sendJson(res, 503, { status: "draining" });
        const readiness = await checkReadiness(database);
        return readiness.ready
          ? sendJson(res, 200, { status: "ready" })
          : sendJson(res, 503, { status: "not ready", reason: readiness.reason });
      }
      if (path === "/metrics") {
        const text = await registry.metrics();
        res.writeHead(200, { "content-type": registry.contentType, "cache-control": "no-store" });
        res.end(text);
        return;
      }
      if (path === "/trpc" || path.startsWith("/trpc/")) {
        if (draining) res.setHeader("connection", "close");
        return await trpc(req, res, requestId);
      }
      if (isRestPath(path)) return await rest(req, res, requestId);
      return sendJson(res, 404, {
        error: { code: "NOT_FOUND", message: `No route ${path}. Procedures live under /trpc/<name>.` },
      });
    } catch (error) {
      logger.error({ err: error, requestId, path }, "request failed");
      if (!res.headersSent)
        sendJson(res, 500, { error: { code: "INTERNAL_SERVER_ERROR", message: "Internal server error" } });
      else res.destroy();
    }
  });
  // Idle keep-alive connections outlive the clients' own idle timers (undici closes its idle
  // sockets after ~4 s; load balancers after 60 s), so the client always lets go first and
  // never sends a request down a socket the server is closing at that moment.
  server.on(
    "clientError",
    answerClientError(appRouter, {
      // REST clients read REST's error shape, even for what node:http refuses.
      bodyFor: (path, code, message) => (isRestPath(path) ? JSON.stringify(restErrorBody(code, message)) : undefined),
    }),
  );
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;

  let connections = 0;
  server.on("connection", (socket) => {
    connections++;
    socket.once("close", () => {
      connections--;
    });
  });

  let closing: Promise<void> | undefined;
  let stage = "serving";
  return {
    server,
    close() {
      closing ??= (async () => {
        draining = true;
        // Open subscriptions end here (clients resume on another instance), so the
        // connections they held can close.
        stage = "the availability feed to close";
        await availability?.close();
        stage = "open connections to finish";
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        const grace = setTimeout(() => {
          logger.warn({ connections, requests: inFlight }, "grace period over: closing the connections still open");
          server.closeAllConnections();
        }, config.shutdownGraceMs);
        await stopped;
        clearTimeout(grace);
        stage = "the database to close";
        await database.close();
        stage = "nothing";
      })();
      return closing;
    },
    pendingWork: () => [stage, `${connections} open connections`, `${inFlight} requests in flight`],
  };
}
