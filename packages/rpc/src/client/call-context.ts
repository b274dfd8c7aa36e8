import type { Operation } from "@trpc/client";
import type { TraceContext } from "../trace";

/**
 * What a caller may set per call, as tRPC's operation context:
 * `client.getEvent.query(input, { context: { timeoutMs: 500 } satisfies RpcCallContext })`.
 * The links also write `deadline` and `idempotencyKey` here for the links after them.
 */
// A type, not an interface: tRPC's context is a string-indexed record, which only an
// object type (not an interface) is assignable to.
export type RpcCallContext = {
  /** How long this call may take, retries included; the client's default otherwise. */
  timeoutMs?: number;
  /** An absolute deadline (epoch ms) to inherit, such as the one of a request being served. */
  deadline?: number;
  /** A key of the caller's own; `false` sends none, and the call is then never repeated. */
  idempotencyKey?: string | false;
  /** The trace to continue (a server's incoming context, for a nested hop). */
  traceContext?: TraceContext;
};

export function deadlineOf(op: Pick<Operation, "context">): number | undefined {
  const value = op.context.deadline;
  return typeof value === "number" ? value : undefined;
}

export function idempotencyKeyOf(op: Pick<Operation, "context">): string | undefined {
  const value = op.context.idempotencyKey;
  return typeof value === "string" ? value : undefined;
}

export function traceContextOf(op: Pick<Operation, "context">): TraceContext | undefined {
  const value = op.context.traceContext;
  return value !== null && typeof value === "object" && "getValue" in value ? (value as TraceContext) : undefined;
}

/**
 * Whether running the call twice is harmless: queries are idempotent, and a mutation is
 * when it carries an idempotency key (the server replays its first outcome).
 */
export function safeToRepeat(op: Pick<Operation, "type" | "context">): boolean {
  return op.type === "query" || (op.type === "mutation" && idempotencyKeyOf(op) !== undefined);
}
