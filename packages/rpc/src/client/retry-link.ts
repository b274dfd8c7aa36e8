import type { TRPCLink } from "@trpc/client";
import type { AnyTRPCRouter } from "@trpc/server";
import { observable, type Unsubscribable } from "@trpc/server/observable";
import { backoffDelay } from "./backoff";
import { deadlineOf, safeToRepeat } from "./call-context";
import { failureOf, RETRYABLE_STATUSES } from "./failures";

export interface RetryOptions {
  /** Attempts in all, the first included. */
  maxAttempts?: number;
  /** The first backoff's ceiling; each later one doubles, up to `maxDelayMs`. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Told of each retry, for logs and metrics. */
  onRetry?: (info: { path: string; attempt: number; delayMs: number; reason: string }) => void;
  /** For tests: a source of randomness in [0, 1). */
  random?: () => number;
}

export const DEFAULT_RETRY: Required<Omit<RetryOptions, "onRetry" | "random">> = {
  maxAttempts: 4,
  baseDelayMs: 50,
  maxDelayMs: 2_000,
};

/**
 * Retries calls that are safe to repeat (queries, and mutations that carry an idempotency
 * key) when the failure is one a retry can fix: no response at all, or 502/503/504/429.
 * Backoff is `backoffDelay`'s (exponential, full jitter), or what Retry-After asks for; a
 * retry that would start after the call's deadline is not made.
 * It is the only retry in the client: turn off React Query's own (`retry: false`), or the
 * two multiply.
 */
export function retryLink<TRouter extends AnyTRPCRouter>(options: RetryOptions = {}): TRPCLink<TRouter> {
  const maxAttempts = options.maxAttempts ?? DEFAULT_RETRY.maxAttempts;
  const baseDelayMs = options.baseDelayMs ?? DEFAULT_RETRY.baseDelayMs;
  const maxDelayMs = options.maxDelayMs ?? DEFAULT_RETRY.maxDelayMs;
  const random = options.random ?? Math.random;

  return () =>
    ({ op, next }) => {
      if (op.type === "subscription" || !safeToRepeat(op)) return next(op);
      return observable((observer) => {
        let current: Unsubscribable | undefined;
        let timer: ReturnType<typeof setTimeout> | undefined;
        let done = false;

        const attempt = (n: number) => {
          current = next(op).subscribe({
            next: (value) => observer.next(value),
            complete: () => observer.complete(),
            error: (error) => {
              const failure = failureOf(error);
              const retryable =
                failure.kind === "refused" ||
                failure.kind === "lost" ||
                (failure.kind === "status" && RETRYABLE_STATUSES.has(failure.status));
              if (!retryable || n >= maxAttempts || done || op.signal?.aborted) {
                observer.error(error);
                return;
              }
              const backoff = backoffDelay(n - 1, { baseMs: baseDelayMs, maxMs: maxDelayMs }, random);
              const delayMs =
                failure.kind === "status" && failure.retryAfterMs !== undefined ? failure.retryAfterMs : backoff;
              const due = deadlineOf(op);
              if (due !== undefined && Date.now() + delayMs >= due) {
                observer.error(error);
                return;
              }
              options.onRetry?.({
                path: op.path,
                attempt: n + 1,
                delayMs,
                reason: failure.kind === "status" ? String(failure.status) : failure.kind,
              });
              timer = setTimeout(() => attempt(n + 1), delayMs);
            },
          });
        };
        attempt(1);
        return () => {
          done = true;
          clearTimeout(timer);
          current?.unsubscribe();
        };
      });
    };
}
