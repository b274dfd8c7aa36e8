import { type Operation, TRPCClientError, type TRPCLink } from "@trpc/client";
import type { AnyTRPCRouter } from "@trpc/server";
import { observable } from "@trpc/server/observable";
import { deadlineOf } from "./call-context";

export interface DeadlineLinkOptions {
  /** Applied to calls that set no `timeoutMs` of their own. */
  defaultTimeoutMs: number;
  /**
   * A deadline the calls inherit (epoch ms), read at each call: a server component or a
   * job passes on the time it has left. The earliest deadline wins.
   */
  inheritDeadline?: () => number | undefined;
}

/** The error a call gets when its deadline passes on the client's side. */
export function deadlineExceeded(op: Pick<Operation, "path">, timeoutMs: number) {
  const message = `${op.path} did not finish within its deadline (${timeoutMs} ms).`;
  return TRPCClientError.from({
    error: { code: -32008, message, data: { code: "TIMEOUT", httpStatus: 408, path: op.path, local: true } },
  });
}

/**
 * Gives every query and mutation a deadline: the earliest of its own timeout (or the
 * default), a deadline in its context, and an inherited one. The deadline is written to the
 * operation's context (the HTTP links send it as `rpc-timeout-ms`, the retry link stops at
 * it), and the call fails with TIMEOUT when it passes, wherever it is: waiting for a retry,
 * in flight, or riding in a batch with slower calls (only this call is dropped).
 */
export function deadlineLink<TRouter extends AnyTRPCRouter>(options: DeadlineLinkOptions): TRPCLink<TRouter> {
  return () =>
    ({ op, next }) => {
      if (op.type === "subscription") return next(op);
      return observable((observer) => {
        const started = Date.now();
        const timeoutMs =
          typeof op.context.timeoutMs === "number" && op.context.timeoutMs >= 0
            ? op.context.timeoutMs
            : options.defaultTimeoutMs;
        let due = started + timeoutMs;
        for (const other of [deadlineOf(op), options.inheritDeadline?.()]) {
          if (other !== undefined && other < due) due = other;
        }
        if (due <= started) {
          observer.error(deadlineExceeded(op, 0));
          return;
        }
        const subscription = next({ ...op, context: { ...op.context, deadline: due } }).subscribe({
          next: (value) => observer.next(value),
          error: (error) => {
            clearTimeout(timer);
            observer.error(error);
          },
          complete: () => {
            clearTimeout(timer);
            observer.complete();
          },
        });
        const timer = setTimeout(() => {
          subscription.unsubscribe();
          observer.error(deadlineExceeded(op, due - started));
        }, due - started);
        return () => {
          clearTimeout(timer);
          subscription.unsubscribe();
        };
      });
    };
}
