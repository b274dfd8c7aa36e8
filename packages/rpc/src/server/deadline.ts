import { trace } from "@opentelemetry/api";
import { initTRPC, TRPCError } from "@trpc/server";
import { MAX_TIMEOUT_MS } from "../wire";

export type ParsedTimeout = { ok: true; timeoutMs: number | undefined } | { ok: false; message: string };

/**
 * Reads an `rpc-timeout-ms` value: absent → no deadline; a non-negative integer → that many
 * milliseconds, clamped to `max`; anything else is refused, never guessed at.
 */
export function parseTimeoutHeader(value: string | string[] | undefined, max = MAX_TIMEOUT_MS): ParsedTimeout {
  if (value === undefined) return { ok: true, timeoutMs: undefined };
  if (typeof value !== "string" || !/^\d{1,15}$/.test(value)) {
    return { ok: false, message: "rpc-timeout-ms must be a whole number of milliseconds (0 or more)." };
  }
  return { ok: true, timeoutMs: Math.min(Number(value), max) };
}

/** Why a call's signal fired at its deadline, as opposed to the client going away. */
export class DeadlineExceededError extends Error {
  override name = "DeadlineExceededError";
  constructor(readonly deadline: number) {
    super("The call's deadline passed.");
  }
}

export const DEADLINE_EXCEEDED_MESSAGE = "The deadline passed before the call could finish.";
const SPENT_MESSAGE = "The deadline had already passed when the call arrived; nothing was done.";

/**
 * Runs `run` under a deadline (epoch ms; undefined: none). A deadline already spent is
 * refused with TIMEOUT before `run` starts. Otherwise `run` gets a signal that aborts at the
 * deadline, and the returned promise rejects with TIMEOUT then, even if `run` does not stop
 * by itself. Without a deadline `run` gets no signal, and nothing else is paid.
 */
export function runWithDeadline<T>(
  due: number | undefined,
  run: (signal: AbortSignal | undefined) => Promise<T>,
): Promise<T> {
  if (due === undefined) return run(undefined);
  const left = due - Date.now();
  const span = trace.getActiveSpan();
  if (left <= 0) {
    span?.addEvent("deadline already spent");
    return Promise.reject(new TRPCError({ code: "TIMEOUT", message: SPENT_MESSAGE }));
  }
  span?.setAttribute("rpc.deadline.remaining_ms", left);

  // One timer and one promise per call: this runs on every call of a hot path.
  const controller = new AbortController();
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      span?.addEvent("deadline exceeded");
      controller.abort(new DeadlineExceededError(due));
      reject(new TRPCError({ code: "TIMEOUT", message: DEADLINE_EXCEEDED_MESSAGE }));
    }, left);
    run(controller.signal).then(
      (result) => {
        clearTimeout(timer);
        resolve(result);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

/**
 * Deadlines for procedures whose ctx carries `deadline` (epoch ms, from rpc-timeout-ms).
 * A deadline already spent is refused with TIMEOUT before any work. Otherwise the call gets
 * `ctx.signal`, which aborts at the deadline, and is answered TIMEOUT at the deadline even
 * if the work does not stop by itself: the caller has stopped waiting by then. Work that
 * cooperates (database statements bounded by the time remaining, checks of the signal
 * between steps) stops too. Calls without a deadline get no signal and pay nothing.
 */
export function deadline<TCtx extends { deadline: number | undefined }>() {
  const t = initTRPC.context<TCtx>().create();
  return t.procedure.use(({ ctx, next }) =>
    runWithDeadline(ctx.deadline, (signal) => (signal ? next({ ctx: { signal } }) : next())),
  );
}
