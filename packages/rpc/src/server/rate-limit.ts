import { trace } from "@opentelemetry/api";
import { initTRPC, TRPCError } from "@trpc/server";
import { Redis } from "ioredis";
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";

export interface RateLimitOptions {
  /** Calls allowed at once after a quiet period. */
  burst: number;
  /** Calls allowed per second, sustained. */
  perSecond: number;
  /**
   * Shares the limit with every process that uses the same Redis and `name` (a fleet of
   * servers). Without it, the limit is this process's own.
   */
  redis?: Redis;
  /** Names this limit's keys in Redis: `<keyPrefix>:<name>:<key>`. Defaults to "limit". */
  name?: string;
  /** The first part of every Redis key; tests give each run its own. Defaults to "rl". */
  keyPrefix?: string;
}

export interface RateLimiter {
  /** Takes `cost` calls from `key`'s allowance: 0 when allowed, else the milliseconds until it would be. */
  take(key: string, cost?: number): Promise<number>;
  /** The window that `burst` and `perSecond` became: `points` calls per `durationSeconds`. */
  readonly window: { points: number; durationSeconds: number };
}

/**
 * The fixed window that keeps a token bucket's allowance: `burst` calls, refilled at
 * `perSecond`, become `burst` calls per `burst / perSecond` seconds (the time the bucket takes
 * to refill from empty). The long-run rate is the same, and so is the largest burst after a
 * quiet period; a client that spends the window waits for its end rather than for one token,
 * and two bursts can meet across a window's edge. Redis counts windows in whole seconds.
 */
export function windowOf({ burst, perSecond }: { burst: number; perSecond: number }) {
  if (!(perSecond > 0) || !(burst > 0)) throw new RangeError("burst and perSecond must be above 0");
  const points = Math.max(1, Math.floor(burst));
  return { points, durationSeconds: Math.max(1, Math.round(points / perSecond)) };
}

/**
 * A rate limit per key (a user id, an address), by rate-limiter-flexible. With `redis`, the
 * count lives in Redis, so every instance of a fleet spends one allowance; should Redis stop
 * answering, each process falls back to its own count (the same window, per process) until
 * it answers again: a limit that is briefly looser, never a failed request.
 */
export function createRateLimiter(options: RateLimitOptions): RateLimiter {
  const window = windowOf(options);
  const keyPrefix = `${options.keyPrefix ?? "rl"}:${options.name ?? "limit"}`;
  const memory = new RateLimiterMemory({ points: window.points, duration: window.durationSeconds, keyPrefix });
  const limiter = options.redis
    ? new RateLimiterRedis({
        storeClient: options.redis,
        points: window.points,
        duration: window.durationSeconds,
        keyPrefix,
        // A client that is not connected goes straight to the per-process count.
        rejectIfRedisNotReady: true,
        insuranceLimiter: memory,
      })
    : memory;
  return {
    window,
    async take(key, cost = 1) {
      try {
        // A batch larger than the whole window spends the window; it could never pass otherwise.
        await limiter.consume(key, Math.min(cost, window.points));
        return 0;
      } catch (rejection) {
        if (rejection instanceof RateLimiterRes) return Math.max(1, rejection.msBeforeNext);
        // Only a store error without insurance lands here, and every Redis limiter has one.
        throw rejection;
      }
    },
  };
}

/** How long a limit check waits for Redis before it counts in this process instead. */
export const LIMIT_STORE_TIMEOUT_MS = 500;

export interface LimitStoreEvents {
  /** Redis stopped answering: limits are per process until `up`. Told once per outage. */
  down?(error: Error): void;
  /** Redis answers (again): limits are shared. */
  up?(): void;
}

/**
 * The Redis client for shared limits, set to fail fast: no offline queue (a command sent
 * while disconnected fails at once instead of waiting for a reconnect) and a timeout on
 * every command (a Redis that hangs counts as gone). It reconnects by itself, backing off
 * to one attempt every 2 s.
 */
export function createLimitStore(url: string, events: LimitStoreEvents = {}): Redis {
  const client = new Redis(url, {
    enableOfflineQueue: false,
    commandTimeout: LIMIT_STORE_TIMEOUT_MS,
    // Requests never wait on a connection (they count per process meanwhile), so this can be generous.
    connectTimeout: 5_000,
    maxRetriesPerRequest: 0,
    retryStrategy: (attempt) => Math.min(attempt * 100, 2_000),
  });
  let down = false;
  const lost = (error: Error) => {
    if (down) return;
    down = true;
    events.down?.(error);
  };
  // A refused connection reports an error; one that drops just closes.
  client.on("error", lost);
  client.on("close", () => {
    // "end": closed on purpose (the app is stopping), not lost.
    if (client.status !== "end") lost(new Error("the connection to Redis closed"));
  });
  client.on("ready", () => {
    down = false;
    events.up?.();
  });
  return client;
}

/** The cause of a TOO_MANY_REQUESTS error: how long to wait, for the Retry-After header. */
export class RateLimitExceeded extends Error {
  override name = "RateLimitExceeded";
  constructor(readonly retryAfterMs: number) {
    super(`Rate limit exceeded; retry in ${retryAfterMs} ms.`);
  }
}

/** Whole seconds for Retry-After, never 0 (a client told 0 would hammer). */
export function retryAfterSeconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}

export function tooManyRequests(retryAfterMs: number, what = "requests"): TRPCError {
  const seconds = retryAfterSeconds(retryAfterMs);
  return new TRPCError({
    code: "TOO_MANY_REQUESTS",
    message: `Too many ${what}; try again in ${seconds} s.`,
    cause: new RateLimitExceeded(retryAfterMs),
  });
}

/** The wait a TOO_MANY_REQUESTS error asks for, if it came from a rate limit. */
export function retryAfterMsOf(error: TRPCError): number | undefined {
  return error.cause instanceof RateLimitExceeded ? error.cause.retryAfterMs : undefined;
}

export interface RateLimitMiddlewareOptions<TCtx> {
  /** The limiter to charge; none (undefined) means this call is not limited. */
  limiter: (ctx: TCtx) => RateLimiter | undefined;
  /** Whose budget the call spends; undefined leaves the call unlimited (a trusted caller). */
  key: (opts: { ctx: TCtx; input: unknown }) => string | undefined;
  /** What is being limited, for the message: "sign-in attempts". */
  what?: string;
}

/**
 * Limits calls per key with TOO_MANY_REQUESTS; the HTTP handler turns the error's wait into
 * a Retry-After header. Place after `.input()` when the key depends on the input.
 */
export function rateLimit<TCtx extends object>(options: RateLimitMiddlewareOptions<TCtx>) {
  const t = initTRPC.context<TCtx>().create();
  return t.procedure.use(async ({ ctx: rawCtx, input, next }) => {
    // tRPC widens the context type inside a generic plugin; it is the caller's TCtx.
    const ctx = rawCtx as unknown as TCtx;
    const limiter = options.limiter(ctx);
    const key = limiter && options.key({ ctx, input });
    if (limiter && key !== undefined) {
      const waitMs = await limiter.take(key);
      if (waitMs > 0) {
        trace.getActiveSpan()?.addEvent("rate limited", { "rpc.rate_limit.retry_after_ms": waitMs });
        throw tooManyRequests(waitMs, options.what);
      }
    }
    return next();
  });
}
