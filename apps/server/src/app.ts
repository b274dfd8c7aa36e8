import { timingSafeEqual } from "node:crypto";
import http from "node:http";
import {
  type AvailabilityFeed,
  appRouter,
  type Credentials,
  checkedAnswerText,
  createContextFactory,
  createEventCache,
  type EventCache,
  type RequestInfo,
  traceEventCache,
} from "@ticketing/api";
import { checkReadiness, type DatabaseHandle } from "@ticketing/db";
import {
  type Admitted,
  answerClientError,
  type ClientAddress,
  clientAddressOf,
  createGuards,
  createTrpcHandler,
  isLoopback,
  requestIdOf,
  sendJson as sendJsonText,
} from "@ticketing/host";
import {
  createLimitStore,
  createRateLimiter,
  createRpcMetrics,
  IDEMPOTENCY_KEY_HEADER,
  type RateLimiter,
} from "@ticketing/rpc/server";
import type { Redis } from "ioredis";
import { collectDefaultMetrics, Registry } from "prom-client";
import type { Config } from "./config";
import { credentialsOf, sessionCookieJars } from "./cookies";
import type { Logger } from "./logger";
import { createRestHandler, REST_PREFIX, errorBody as restErrorBody } from "./rest";

const isRestPath = (path: string | undefined) => path === REST_PREFIX || path?.startsWith(`${REST_PREFIX}/`) === true;

export interface App {
  server: http.Server;
  /** The Redis client that shares rate limits across instances (REDIS_URL); limits are per instance until it is ready. */
  limitStore: Redis | undefined;
  /** Stops accepting, lets in-flight calls finish (up to the grace period), then closes the database. */
  close(): Promise<void>;
  /** What `close()` is still waiting for, for the log line of a shutdown that ran out of time. */
  pendingWork(): string[];
}

const sendJson = (res: http.ServerResponse, status: number, body: unknown): void =>
  sendJsonText(res, status, JSON.stringify(body), { "cache-control": "no-store" });

/** Who is calling, as the request's headers say. */
interface Caller {
  credentials: Credentials | null;
  client: ClientAddress;
  idempotencyKey: string | undefined;
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * The event read cache (docs/decisions/016). PGlite is this process's alone (a lock file
 * keeps others out): every write passes through here, so invalidating on each mutation keeps
 * it exact. On PostgreSQL other instances write too: their changes arrive through the change
 * feed, and without the feed listening there is no cache at all.
 */
function createEventCacheFor(
  config: Config,
  database: DatabaseHandle,
  availability: AvailabilityFeed | undefined,
): { cache: EventCache; stop(): void } | undefined {
  if (!config.eventCache) return undefined;
  if (database.kind === "pglite") return { cache: createEventCache(), stop() {} };
  if (!availability) return undefined;
  const cache = createEventCache({ enabled: false });
  const stop = availability.watch({
    changed: (eventIds) => (eventIds === "all" ? cache.invalidate() : cache.invalidateEvents(eventIds)),
    listening: (on) => cache.setEnabled(on),
  });
  return { cache, stop };
}

export function createApp({
  config,
  database,
  logger,
  availability,
  tracing = false,
}: {
  config: Config;
  database: DatabaseHandle;
  logger: Logger;
  /** Live seat availability; closed with the app, which ends its subscriptions. */
  availability?: AvailabilityFeed;
  /** Whether an OpenTelemetry SDK runs: then cache reads get spans too. */
  tracing?: boolean;
}): App {
  // One registry per app, so several apps in one process (tests) keep separate counts.
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const metrics = createRpcMetrics(registry);
  const eventCache = createEventCacheFor(config, database, availability);
  const limits = config.rateLimits;
  // With REDIS_URL, every limit is one allowance for the whole fleet; while Redis is away,
  // each instance counts on its own (see docs/decisions/017-fleet-limits-and-client-addresses.md).
  const redis =
    limits.redisUrl === undefined
      ? undefined
      : createLimitStore(limits.redisUrl, {
          down: (error) =>
            logger.warn(
              { err: error },
              "rate limits: Redis is not answering; limits are per instance until it is back",
            ),
          up: () => logger.info("rate limits: shared through Redis"),
        });
  /** A limit of `perSecond` that bursts to `burst`; none when the rate is 0 (off). */
  const limiter = (name: string, perSecond: number, burst: number): RateLimiter | undefined =>
    perSecond > 0
      ? createRateLimiter({ name, perSecond, burst: Math.max(1, burst), redis, keyPrefix: limits.keyPrefix })
      : undefined;
  const perMinute = (name: string, attempts: number) => limiter(name, attempts / 60, attempts);
  const createContext = createContextFactory({
    db: database.db,
    serviceToken: config.workerToken,
    holdMinutes: config.holdMinutes,
    statementTimeouts: database.kind === "postgres",
    logger,
    metrics,
    availability,
    // With a tracing SDK running, cache reads get spans too.
    eventCache: eventCache && tracing ? traceEventCache(eventCache.cache) : eventCache?.cache,
    limits: {
      perUser: limiter("user", limits.userPerSecond, limits.userPerSecond * 2),
      signIn: perMinute("sign-in", limits.signInPerMinute),
      signUp: perMinute("sign-up", limits.signUpPerMinute),
    },
  });
  /** Who is calling, read from a request's headers once: credentials, address, idempotency key. */
  const describe = (req: http.IncomingMessage): Caller => {
    const idempotencyKey = req.headers[IDEMPOTENCY_KEY_HEADER];
    return {
      credentials: credentialsOf(req),
      client: clientAddressOf(req, config.trustedProxies),
      idempotencyKey: typeof idempotencyKey === "string" ? idempotencyKey : undefined,
    };
  };
  const addressLimiter = limiter("address", limits.addressPerSecond, limits.addressPerSecond * 2);
  // Every request that came through a proxy (the web app's, with the browser's address) is
  // limited by the client's address, wherever that is. Not limited: the worker (by its
  // token, from any host) and programs that call from this machine with no proxy between
  // (benchmarks, probes, an operator's script).
  const addressKey = ({ credentials, client }: Caller): string | undefined => {
    if (credentials?.source === "bearer" && sameSecret(credentials.token, config.workerToken)) return undefined;
    return client.forwarded || !isLoopback(client.address) ? client.address : undefined;
  };
  /**
   * The context of a call that the guards let through, for every transport (tRPC, REST): who
   * is calling, held to its deadline, continuing its trace.
   */
  const contextOf = (
    { described, requestId, deadline, traceContext }: Admitted<Caller> & { requestId: string },
    extra: Pick<RequestInfo, "cookies" | "onReplay">,
  ) =>
    createContext({
      requestId,
      credentials: described.credentials,
      idempotencyKey: described.idempotencyKey,
      clientAddress: described.client.address,
      deadline,
      traceContext,
      cookies: extra.cookies,
      onReplay: extra.onReplay,
    });
  // One pipeline of checks before any procedure runs, for /trpc and REST alike.
  const guards = createGuards<Caller>({
    allowedOrigins: config.webOrigins,
    describe,
    ...(addressLimiter && { rateLimit: { limiter: addressLimiter, key: (_req, caller) => addressKey(caller) } }),
    onRejected: (reason) => metrics.rejected.inc({ reason }),
  });
  const rest = createRestHandler({ createContext: (call, onReplay) => contextOf(call, { onReplay }), guards });
  const cookieJar = sessionCookieJars(config.secureCookies);
  const trpc = createTrpcHandler({
    router: appRouter,
    endpoint: "/trpc",
    guards,
    directPath: config.directPath,
    // Cached answers keep their JSON text: each caller gets the same bytes without re-encoding.
    dataText: checkedAnswerText,
    onUnverifiedRelease: ({ installed, verifiedReleases }) =>
      logger.warn(
        { installed, verifiedReleases },
        "@trpc/server is a release the direct path was not checked against: serving every call through tRPC's fetch adapter",
      ),
    createContext: (call) => contextOf(call, { cookies: cookieJar(call.resHeaders) }),
  });

  let draining = false;
  let inFlight = 0;
  const server = http.createServer(async (req, res) => {
    inFlight++;
    // After the answer is out (or the client gone). While draining, a connection is closed
    // as soon as its last response is out.
    res.once("close", () => {
      inFlight--;
      if (draining) setImmediate(() => server.closeIdleConnections());
    });
    const requestId = requestIdOf(req);
    // Every answer is data, never a page to sniff into HTML; and none may be stored by a
    // shared cache (sessions, bookings). A response that sets its own cache-control (an
    // event stream) replaces this one.
    const headers: Record<string, string> = {
      "x-request-id": requestId,
      "x-content-type-options": "nosniff",
      "cache-control": "no-store",
    };
    const url = req.url ?? "/";
    const queryAt = url.indexOf("?");
    const path = queryAt === -1 ? url : url.slice(0, queryAt);
    try {
      if (path === "/trpc" || path.startsWith("/trpc/")) {
        if (draining) headers.connection = "close";
        // The handler writes these with its answer, in one writeHead.
        return await trpc(req, res, requestId, headers);
      }
      for (const name in headers) res.setHeader(name, headers[name] as string);
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
      if (isRestPath(path)) return await rest(req, res, requestId);
      return sendJson(res, 404, {
        error: { code: "NOT_FOUND", message: `No route ${path}. Procedures live under /trpc/<name>.` },
      });
    } catch (error) {
      logger.error({ err: error, requestId, path }, "request failed");
      if (!res.headersSent) {
        for (const name in headers) res.setHeader(name, headers[name] as string);
        sendJson(res, 500, { error: { code: "INTERNAL_SERVER_ERROR", message: "Internal server error" } });
      } else res.destroy();
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
    limitStore: redis,
    close() {
      closing ??= (async () => {
        draining = true;
        eventCache?.stop();
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
        redis?.disconnect();
        await database.close();
        stage = "nothing";
      })();
      return closing;
    },
    pendingWork: () => [stage, `${connections} open connections`, `${inFlight} requests in flight`],
  };
}
