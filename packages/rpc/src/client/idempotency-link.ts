import type { Operation, TRPCLink } from "@trpc/client";
import type { AnyTRPCRouter } from "@trpc/server";

export interface IdempotencyKeyLinkOptions {
  /** Makes a fresh key; a random UUID by default (crypto.randomUUID, in Node and browsers). */
  generate?: () => string;
  /**
   * Mutations that get no key: those the server does not replay, so that they are never
   * repeated behind the caller's back (they run at most once).
   */
  skip?: (op: Operation) => boolean;
}

/**
 * Gives every mutation an idempotency key in its context, made once per call: the retry
 * and failover links after it send the same key on every attempt, so the server runs the
 * mutation once and replays its outcome to the repeats. A key the caller set is kept.
 */
export function idempotencyKeyLink<TRouter extends AnyTRPCRouter>(
  options: IdempotencyKeyLinkOptions = {},
): TRPCLink<TRouter> {
  const generate = options.generate ?? (() => crypto.randomUUID());
  return () =>
    ({ op, next }) => {
      if (op.type !== "mutation" || op.context.idempotencyKey !== undefined || options.skip?.(op)) return next(op);
      return next({ ...op, context: { ...op.context, idempotencyKey: generate() } });
    };
}
