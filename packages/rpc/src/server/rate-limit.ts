import { trace } from "@opentelemetry/api";
import { initTRPC, TRPCError } from "@trpc/server";

export interface RateLimitOptions {
  /** Calls allowed at once after a quiet period (the bucket's size). */
  burst: number;
  /** Calls allowed per second, sustained (the refill rate). */
  perSecond: number;
  /** Buckets kept at most; full buckets are forgotten first, as they carry no state. */
  maxKeys?: number;
}

export interface RateLimiter {
  /** Takes `cost` tokens for `key`: 0 when allowed, else the milliseconds until it would be. */
  take(key: string, cost?: number, now?: number): number;
}

/**
 * Token buckets per key (a user id, an address), in this process's memory. Instances of a
 * scaled-out server each keep their own, so the limit a client meets is per instance.
 */
export function createRateLimiter(options: RateLimitOptions): RateLimiter {
  const { burst, perSecond } = options;
  const maxKeys = options.maxKeys ?? 100_000;
  const buckets = new Map<string, { tokens: number; at: number }>();

  function evict(now: number) {
    for (const [key, bucket] of buckets) {
      if (bucket.tokens + ((now - bucket.at) / 1000) * perSecond >= burst) buckets.delete(key);
    }
    // Still full of busy keys: drop the oldest, which loses some limiting but never memory.
    for (const key of buckets.keys()) {
      if (buckets.size < maxKeys) break;
      buckets.delete(key);
    }
  }

  return {
    take(key, cost = 1, now = Date.now()) {
      let bucket = buckets.get(key);
      if (!bucket) {
        if (buckets.size >= maxKeys) evict(now);
        bucket = { tokens: burst, at: now };
        buckets.set(key, bucket);
      } else {
        bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) / 1000) * perSecond);
        bucket.at = now;
      }
      if (bucket.tokens >= cost) {
        bucket.tokens -= cost;
        return 0;
      }
      return Math.ceil(((cost - bucket.tokens) / perSecond) * 1000);
    },
  };
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
      const waitMs = limiter.take(key);
      if (waitMs > 0) {
        trace.getActiveSpan()?.addEvent("rate limited", { "rpc.rate_limit.retry_after_ms": waitMs });
        throw tooManyRequests(waitMs, options.what);
      }
    }
    return next();
  });
}
