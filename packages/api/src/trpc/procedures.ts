/**
 * The procedure builders of the router, and which to start a procedure from:
 *
 * - `publicProcedure`: anyone may call (reads, signUp, signIn). Observed, held to the call's
 *   deadline, its database work bounded by it.
 * - `authedProcedure`: a signed-in caller, person or service (`ctx.viewer`), under the
 *   per-account rate limit. Most procedures; what a role may do is decided per call by
 *   domain/permissions.ts, not by picking a builder.
 * - `uploadProcedure`: a signed-in caller's streamed upload (an octet-stream body), which
 *   runs as long as the client sends and is not held to a deadline.
 *
 * Then, after `.input()`, what the procedure needs: `exactlyOnce` for a mutation with effects
 * (`exactlyOnceAllOrNothing` when its failures write nothing), `announcesSeatChanges` for one
 * that changes seats, `signInAttempts` / `signUpAttempts` for the account endpoints. To put a
 * procedure on public REST as well, add `.meta({ rest: restRoute(input, { method, path }) })`
 * (see ProcedureMeta.rest).
 */
import { context } from "@opentelemetry/api";
import type { Database } from "@ticketing/db";
import type { RestRoute } from "@ticketing/rpc/rest";
import {
  callObserver,
  describeIssues,
  type IdempotencyOptions,
  idempotency,
  isStoredFailure,
  type ObserveOptions,
  observe,
  rateLimit,
  runWithDeadline,
  traceIdOf,
} from "@ticketing/rpc/server";
import {
  getTRPCErrorFromUnknown,
  initTRPC,
  type TRPC_ERROR_CODE_NUMBER,
  type TRPCDefaultErrorData,
  TRPCError,
  type TRPCErrorShape,
} from "@trpc/server";
import superjson from "superjson";
import { z } from "zod";
import { DomainError, FAILURE_CODES, type Failure, isFailure } from "../domain/errors";
import type { Viewer } from "../domain/viewer";
import { declaredFailure } from "../router/failures";
import { wireTransformer } from "../runtime/checked-answers";
import { guardDatabase, withStatementTimeout } from "../runtime/deadline-db";
import { idempotencyStore } from "../runtime/idempotency-store";
import type { Context } from "./context";
import { toRpcError } from "./errors";

const isDev = process.env.NODE_ENV === "development";

/**
 * What a procedure says about itself, read by the contract check and the OpenAPI document
 * (docs/decisions/021-contract-check.md).
 */
export interface ProcedureMeta {
  /**
   * Who may call it at all: set by the procedure builder that enforces it (publicProcedure,
   * authedProcedure, uploadProcedure), never by hand. Finer rules (roles, ownership) are
   * decided per call by domain/permissions.ts.
   */
  auth?: "public" | "signed-in";
  /**
   * Marked for removal: what to use instead. Put the same text in a `@deprecated` JSDoc tag
   * on the procedure's key, so that editors strike it through in every client.
   */
  deprecated?: string;
  /**
   * Its public REST route under /api/v1, when partners may call it there: the REST router and
   * the OpenAPI document are built from these routes and the procedures' schemas
   * (apps/server/src/rest.ts). Made by `restRoute(input, { method, path, … })`, which checks
   * the path's placeholders against the input's fields as it compiles.
   */
  rest?: RestRoute;
}

/**
 * What an error carries for the client: tRPC's fields, and the input's field errors by name.
 * Exported because the router's declarations name it (clients read them, not this file).
 * @public
 */
export interface ErrorData extends TRPCDefaultErrorData {
  zodError: z.core.$ZodFlattenedError<Record<string, unknown>> | null;
  /** The procedure's declared failure with its data (router/failures.ts), or null. */
  failure: Failure | null;
}

/**
 * The shape of every error a procedure answers with. Named, so that each procedure's
 * declaration (what the clients read) refers to it rather than spelling it out again.
 * @public
 */
export interface ErrorShape extends TRPCErrorShape<ErrorData> {
  code: TRPC_ERROR_CODE_NUMBER;
  message: string;
}

const withMeta = initTRPC.context<Context>().meta<ProcedureMeta>();

const t = withMeta.create({
  // superjson on the wire; a checked answer (runtime/checked-answers.ts) is serialized once.
  transformer: wireTransformer,
  isDev,
  sse: {
    // A comment line every 10 s keeps proxies from closing a quiet stream, and lets the
    // client notice a dead one: with nothing for 25 s it reconnects (resuming from its
    // last event id).
    ping: { enabled: true, intervalMs: 10_000 },
    client: { reconnectAfterInactivityMs: 25_000 },
  },
  errorFormatter({ shape, error, path }): ErrorShape {
    // Typed as fields by name, so clients read `data.zodError.fieldErrors.email` from the inferred shape.
    const zodError: z.core.$ZodFlattenedError<Record<string, unknown>> | null =
      error.cause instanceof z.core.$ZodError ? z.flattenError(error.cause) : null;
    // A declared failure's reason and data (router/failures.ts); clients narrow it per procedure.
    const failure: Failure | null = declaredFailure(
      path,
      error.cause instanceof DomainError ? error.cause.failure : undefined,
    );
    const hidden = error.code === "INTERNAL_SERVER_ERROR" && !isDev;
    return {
      ...shape,
      message:
        zodError && error.cause instanceof z.core.$ZodError
          ? describeIssues(error.cause.issues)
          : hidden
            ? "Internal server error"
            : shape.message,
      data: { ...shape.data, zodError, failure },
    };
  },
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

const observeOptions: ObserveOptions<Context> = {
  logger: (ctx) => ctx.logger,
  metrics: (ctx) => ctx.metrics,
  fields: (ctx) => ({ requestId: ctx.requestId, traceId: traceIdOf(ctx.traceContext) }),
  traceContext: (ctx) => ctx.traceContext,
};
/** A log line, metrics and a span per call; outermost, so it sees the final outcome. */
const observed = observe<Context>(observeOptions);
const beginCall = callObserver<Context>(observeOptions);

/**
 * Anyone may call. Every call is observed, held to its deadline (a spent one is refused
 * before any work), and its database work is bounded by that deadline: no statement starts
 * after it, and on PostgreSQL a running one is cancelled at it (the procedure runs in a
 * transaction with a statement timeout). Subscriptions are long-lived by design and keep
 * the plain handle.
 *
 * One middleware, not five: every level of tRPC's chain copies the call's options (and a
 * level that adds to the context, the context too), which showed in profiles of cheap
 * calls. In order, as if nested: observation (it sees every outcome, thrown or returned),
 * the deadline, error mapping, after-commit hooks, the deadline-bounded database handle.
 */
export const publicProcedure = t.procedure.meta({ auth: "public" }).use(async ({ ctx, path, type, next }) => {
  const thisCall = beginCall(ctx, path, type);
  const due = ctx.deadline;
  type Result = Awaited<ReturnType<typeof next>>;
  let result: Result;
  try {
    // The call's span is the active one for its work: statements, cache reads and nested
    // calls become its children. The common read (no deadline to hold it to, no handle to
    // bound, nothing to commit) runs `next` itself in it, with no async function around it:
    // with tracing on, every promise made costs an AsyncLocalStorage hook on Node 20.
    const commonRead = due === undefined && type !== "mutation";
    const heldToDeadline = async (): Promise<Result> => {
      return runWithDeadline(due, async (signal) => {
        const bounded = due !== undefined && signal !== undefined && type !== "subscription";
        const committed: (() => void)[] = [];
        // A mutation's after-commit work waits until its transactions have ended.
        const afterCommit = type === "mutation" ? (fn: () => void) => void committed.push(fn) : ctx.afterCommit;
        // One copy of the context for the signal, the handle and the hook together.
        const call = (db: Database, callTransaction = false) =>
          next({ ctx: { signal, db, callTransaction, afterCommit } });
        try {
          const outcome =
            type !== "mutation" && !bounded
              ? await (signal ? next({ ctx: { signal } }) : next())
              : !bounded
                ? await call(ctx.db)
                : !ctx.statementTimeouts
                  ? await call(guardDatabase(ctx.db, signal))
                  : await withStatementTimeout<Result>(ctx.db, due, async (tx) => {
                      const attempt = await call(guardDatabase(tx, signal), true);
                      // A failed call leaves nothing behind, but for the outcome its idempotency
                      // record keeps (that record is the reason the failure can be replayed).
                      return attempt.ok || isStoredFailure(attempt) ? { commit: attempt } : { rollback: attempt };
                    });
          if (!outcome.ok) throw toRpcError(outcome.error);
          for (const fn of committed) fn();
          return outcome;
        } finally {
          // Whatever a mutation did (or failed to do), reads of this process see it next.
          if (type === "mutation") ctx.eventCache?.invalidate();
        }
      });
    };
    result = await context.with(thisCall.traceContext, commonRead ? next : heldToDeadline);
    if (!result.ok) throw toRpcError(result.error);
  } catch (cause) {
    const error = getTRPCErrorFromUnknown(cause);
    thisCall.end(error);
    throw error;
  }
  thisCall.end(undefined);
  return result;
});

const signedIn = t.middleware(async ({ ctx, next }) => {
  const viewer = await ctx.resolveViewer(ctx.db);
  if (!viewer) {
    throw new TRPCError({
      code: "UNAUTHORIZED",
      message: "Sign in to do this: send a session cookie or a Bearer token.",
    });
  }
  return next({ ctx: { viewer } });
});

const perUserLimit = rateLimit<Context & { viewer: Viewer }>({
  limiter: (ctx) => ctx.limits.perUser,
  // The worker's service account is trusted, and sweeps in bursts by design.
  key: ({ ctx }) => (ctx.viewer.role === "service" ? undefined : ctx.viewer.id),
  what: "calls from your account",
});

/** A signed-in caller (person or service); ctx.viewer is who. */
export const authedProcedure = publicProcedure.meta({ auth: "signed-in" }).use(signedIn).concat(perUserLimit);

/**
 * A signed-in caller's upload, read as it streams in. It runs as long as the client keeps
 * sending and waiting, so the call's deadline does not apply (a deadline of at most 60 s
 * could not cover a large feed); it stops when the client goes away. Its database work is
 * not one transaction: each step commits on its own, so progress is visible to others.
 */
export const uploadProcedure = t.procedure
  .meta({ auth: "signed-in" })
  .concat(observed)
  .use(async ({ ctx, next }) => {
    try {
      const result = await next();
      if (!result.ok) throw toRpcError(result.error);
      return result;
    } finally {
      // An import creates and changes events: reads of this process see them next.
      ctx.eventCache?.invalidate();
    }
  })
  .use(signedIn)
  .concat(perUserLimit);

/** Sign-in attempts per address and email, against password guessing. Place after `.input()`. */
export const signInAttempts = rateLimit<Context>({
  limiter: (ctx) => ctx.limits.signIn,
  key: ({ ctx, input }) => {
    const email = (input as { email?: unknown } | undefined)?.email;
    return `${ctx.clientAddress ?? "local"}|${typeof email === "string" ? email.toLowerCase() : ""}`;
  },
  what: "sign-in attempts",
});

/** Sign-up attempts per address: each costs a full password hash, and each mints an account. */
export const signUpAttempts = rateLimit<Context>({
  limiter: (ctx) => ctx.limits.signUp,
  key: ({ ctx }) => ctx.clientAddress ?? "local",
  what: "sign-up attempts",
});

const exactlyOnceOptions: IdempotencyOptions<Context & { viewer: Viewer }, Database> = {
  store: idempotencyStore,
  scope: (ctx) => ctx.viewer.id,
  key: ({ ctx, input }) => {
    const fromInput = (input as { idempotencyKey?: unknown } | undefined)?.idempotencyKey;
    return typeof fromInput === "string" ? fromInput : ctx.idempotencyKey;
  },
  mapError: toRpcError,
  // A replayed failure carries the same typed data as the first answer.
  errorDetail: (error) => (error.cause instanceof DomainError ? error.cause.failure : undefined),
  restoreError: ({ code, message, detail }) =>
    new TRPCError({
      code,
      message,
      cause: isFailure(detail) ? new DomainError(FAILURE_CODES[detail.reason], message, detail) : undefined,
    }),
  serialize: (data) => superjson.serialize(data),
  deserialize: (stored) => superjson.deserialize(stored as ReturnType<typeof superjson.serialize>),
  onReplay: (ctx) => ctx.onReplay?.(),
  inCallTransaction: (ctx) => ctx.callTransaction,
};

/**
 * Exactly-once for mutations with effects: place after `.input()`. The key comes from the
 * input's `idempotencyKey` or the Idempotency-Key header, scoped to the caller.
 */
export const exactlyOnce = idempotency<Context & { viewer: Viewer }, Database>(exactlyOnceOptions);

/**
 * Exactly-once for a mutation whose failures write nothing (one writing statement, after
 * every check; its tests show it): no savepoint around it.
 */
export const exactlyOnceAllOrNothing = idempotency<Context & { viewer: Viewer }, Database>({
  ...exactlyOnceOptions,
  failuresWriteNothing: true,
});

/**
 * For mutations that log seat changes: once they commit, the instance's availability feed
 * gives the changes their positions and tells every subscriber, on every instance.
 */
export const announcesSeatChanges = t.middleware(async ({ ctx, next }) => {
  const result = await next();
  if (result.ok && ctx.availability) ctx.afterCommit(ctx.availability.announce);
  return result;
});
