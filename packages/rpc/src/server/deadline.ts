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

/** Milliseconds left before a deadline (epoch ms); undefined when there is none. */
export function remainingMs(deadline: number | undefined, now = Date.now()): number | undefined {
  return deadline === undefined ? undefined : Math.max(0, deadline - now);
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
 * Deadlines for procedures whose ctx carries `deadline` (epoch ms, from rpc-timeout-ms).
 * A deadline already spent is refused with TIMEOUT before any work. Otherwise the call gets
 * `ctx.signal`, which aborts at the deadline (or when the client goes away), and is answered
 * TIMEOUT at the deadline even if the work does not stop by itself: the caller has stopped
 * waiting by then. Work that cooperates (database statements bounded by the time remaining,
 * checks of the signal between steps) stops too.
 */
export function deadline<TCtx extends { deadline: number | undefined }>() {
  const t = initTRPC.context<TCtx>().create();
  return t.procedure.use(async ({ ctx, signal: requestSignal, next }) => {
    const due = ctx.deadline;
    if (due === undefined) return next({ ctx: { signal: requestSignal } });
    const left = due - Date.now();
    if (left <= 0) throw new TRPCError({ code: "TIMEOUT", message: SPENT_MESSAGE });

    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new DeadlineExceededError(due)), left);
    const onRequestAbort = () => controller.abort(requestSignal?.reason);
    requestSignal?.addEventListener("abort", onRequestAbort, { once: true });
    const signal = controller.signal;
    let onDeadline = () => {};
    const expired = new Promise<never>((_, reject) => {
      onDeadline = () => reject(new TRPCError({ code: "TIMEOUT", message: DEADLINE_EXCEEDED_MESSAGE }));
      signal.addEventListener("abort", onDeadline, { once: true });
    });
    // The race's losing side must not surface as an unhandled rejection.
    expired.catch(() => {});
    try {
      const result = await Promise.race([next({ ctx: { signal } }), expired]);
      if (!result.ok && signal.reason instanceof DeadlineExceededError) {
        throw new TRPCError({ code: "TIMEOUT", message: DEADLINE_EXCEEDED_MESSAGE, cause: result.error });
      }
      return result;
    } finally {
      clearTimeout(timer);
      signal.removeEventListener("abort", onDeadline);
      requestSignal?.removeEventListener("abort", onRequestAbort);
    }
  });
}
