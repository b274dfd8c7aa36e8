import { trace } from "@opentelemetry/api";
import { initTRPC, type TRPC_ERROR_CODE_KEY, TRPCError } from "@trpc/server";
import { middlewareMarker } from "@trpc/server/unstable-core-do-not-import";
import { stableHash } from "./stable-hash";

/** What a finished call left behind: its result, or an error the same input always meets. */
export type StoredOutcome =
  | { ok: true; data: unknown }
  | { ok: false; code: TRPC_ERROR_CODE_KEY; message: string; detail?: unknown };

/** A stored failure as it is replayed: its code, its message, and what `errorDetail` kept of it. */
export type StoredFailure = Omit<Extract<StoredOutcome, { ok: false }>, "ok">;

export interface IdempotencyRecordId {
  /** Whose key it is: keys of different callers never collide. */
  scope: string;
  procedure: string;
  key: string;
}

export interface ExistingRecord {
  inputHash: string;
  outcome: StoredOutcome;
}

/**
 * How a transaction's work ends, as a value: `commit` keeps its writes, `rollback` undoes
 * them, and either way the transaction resolves to the value given.
 */
export type TransactionEnd<T> = { commit: T } | { rollback: T };

/**
 * Durable storage for idempotency records. `claim` and `complete` run inside the same
 * transaction as the mutation's own writes, so a record exists exactly when its effect does.
 */
export interface IdempotencyStore<TDb> {
  /**
   * Runs fn in a transaction that commits or rolls back as fn's returned value says, and
   * resolves to that value; a throw rolls back and propagates.
   */
  transaction<T>(db: TDb, fn: (tx: TDb) => Promise<TransactionEnd<T>>): Promise<T>;
  /** Runs fn in a savepoint, ended as fn's returned value says: a rollback undoes fn's writes and keeps the claim. */
  savepoint<T>(tx: TDb, fn: (tx: TDb) => Promise<TransactionEnd<T>>): Promise<T>;
  /**
   * Inserts a record for the id unless a live one exists, and returns that one. While
   * another transaction holds an uncommitted claim on the id, this waits for it to end.
   */
  claim(tx: TDb, id: IdempotencyRecordId, inputHash: string, expiresAt: Date): Promise<ExistingRecord | null>;
  complete(tx: TDb, id: IdempotencyRecordId, outcome: StoredOutcome): Promise<void>;
  /** Deletes up to `limit` records past their retention; returns how many went. */
  purgeExpired(db: TDb, limit: number): Promise<number>;
}

export interface IdempotencyOptions<TCtx extends { db: TDb }, TDb> {
  store: IdempotencyStore<TDb>;
  /** The caller the key belongs to (a user id). */
  scope: (ctx: TCtx) => string;
  /** The key the caller sent, if any: an input field, a header… */
  key: (opts: { ctx: TCtx; input: unknown }) => string | undefined;
  /** How long a record is replayed; IETF draft and Stripe both use 24 hours. */
  retentionMs?: number;
  /** Errors that the same input would always meet again: stored and replayed. */
  replayableErrors?: readonly TRPC_ERROR_CODE_KEY[];
  /** How results are kept in the store (the transformer's own format keeps Dates etc). */
  serialize?: (data: unknown) => unknown;
  deserialize?: (stored: unknown) => unknown;
  /**
   * Turns what the procedure threw into the error the caller will see, before deciding
   * whether it is final: pass the app's own error mapping (domain errors → codes).
   */
  mapError?: (error: TRPCError) => TRPCError;
  /**
   * What to keep of a stored failure beside its code and message (JSON): the app's typed
   * failure data, so that a replay answers with the same data as the first call. Default:
   * nothing.
   */
  errorDetail?: (error: TRPCError) => unknown;
  /** Rebuilds a replayed failure from what was stored. Default: its code and message. */
  restoreError?: (stored: StoredFailure) => TRPCError;
  /** Input fields that are not part of the request's meaning (the key itself). */
  ignoredInputFields?: readonly string[];
  /**
   * The procedure's failures write nothing (its writes are one statement that writes all or
   * nothing, and every check comes before it), so no savepoint is taken around it: two round
   * trips fewer. A failure is stored only while the transaction is still usable; one whose
   * record cannot be written (a statement failed and aborted the transaction) is not stored
   * and rolls back with the claim, so a retry runs. Say so only of a procedure whose tests
   * show that its failures leave nothing behind.
   */
  failuresWriteNothing?: boolean;
  /** Told when a call was answered from a stored outcome, not run (a REST layer answers 200, not 201). */
  onReplay?: (ctx: TCtx) => void;
  /**
   * Whether `ctx.db` is already a transaction around the whole call, one that rolls back if
   * the call fails except for a failure answered as stored (`isStoredFailure`): then the
   * claim, the effect and the outcome run in it directly, since a transaction of their own
   * would be a savepoint that guards nothing and costs two round trips. Default: never.
   */
  inCallTransaction?: (ctx: TCtx) => boolean;
}

export const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e]{8,128}$/;
const DEFAULT_RETENTION_MS = 24 * 60 * 60 * 1000;
const DEFAULT_REPLAYABLE: readonly TRPC_ERROR_CODE_KEY[] = ["CONFLICT", "PAYMENT_REQUIRED", "PRECONDITION_FAILED"];

/**
 * A failed result as the middleware answers it when it stored the failure with the key's
 * record: the record must commit, so a transaction around the call must not roll it back.
 */
type StoredFailureResult = { ok: false; error: TRPCError; outcomeStored: true };

/**
 * Whether a middleware result is a failure whose outcome the middleware just stored with its
 * idempotency record: a transaction around the call must commit it (the record), not roll it
 * back. Read from the result itself, as the middleware returned it up the chain.
 */
export function isStoredFailure(result: { ok: boolean }): boolean {
  return !result.ok && (result as Partial<StoredFailureResult>).outcomeStored === true;
}

/** The value a transaction ended with, when fn ran in a transaction that the caller ends. */
const endedWith = <T>(end: TransactionEnd<T>): T => ("commit" in end ? end.commit : end.rollback);

/**
 * Exactly-once mutations. A call that carries a key runs in one transaction with a record
 * of (key → input hash, outcome); a duplicate replays the outcome instead of running again,
 * a concurrent duplicate waits for the first to finish, and a key reused with another input
 * is refused with UNPROCESSABLE_CONTENT. Transient failures store nothing, so a retry runs.
 *
 * Use it with `.concat()` after `.input()`, on procedures whose ctx carries the database
 * handle that their writes go through (`ctx.db`): it is replaced by the transaction.
 */
export function idempotency<TCtx extends { db: TDb }, TDb>(options: IdempotencyOptions<TCtx, TDb>) {
  const t = initTRPC.context<TCtx>().create();
  const retentionMs = options.retentionMs ?? DEFAULT_RETENTION_MS;
  const replayable = new Set(options.replayableErrors ?? DEFAULT_REPLAYABLE);
  const serialize = options.serialize ?? ((data: unknown) => data);
  const deserialize = options.deserialize ?? ((stored: unknown) => stored);
  const ignored = new Set(options.ignoredInputFields ?? ["idempotencyKey"]);
  const mapError = options.mapError ?? ((error: TRPCError) => error);
  const errorDetail = options.errorDetail ?? (() => undefined);
  const restoreError = options.restoreError ?? (({ code, message }: StoredFailure) => new TRPCError({ code, message }));

  return t.procedure.use(async ({ ctx: rawCtx, input, path, next }) => {
    // tRPC widens the context type inside a generic plugin; it is the caller's TCtx.
    const ctx = rawCtx as unknown as TCtx;
    const key = options.key({ ctx, input });
    if (key === undefined) return next();
    if (!IDEMPOTENCY_KEY_PATTERN.test(key)) {
      throw new TRPCError({
        code: "BAD_REQUEST",
        message: "An idempotency key is 8 to 128 visible ASCII characters.",
      });
    }
    const meaningful =
      input !== null && typeof input === "object" && !Array.isArray(input)
        ? Object.fromEntries(Object.entries(input).filter(([field]) => !ignored.has(field)))
        : input;
    const inputHash = stableHash(meaningful);
    const id: IdempotencyRecordId = { scope: options.scope(ctx), procedure: path, key };
    const { store } = options;

    type Attempt = Awaited<ReturnType<typeof next>>;
    type Ran = { ran: Attempt } | { found: ExistingRecord };
    const attempt = (db: TDb) => next({ ctx: { db } });
    const run = async (tx: TDb): Promise<TransactionEnd<Ran>> => {
      const found = await store.claim(tx, id, inputHash, new Date(Date.now() + retentionMs));
      if (found) return { commit: { found } };
      const result = options.failuresWriteNothing
        ? await attempt(tx)
        : await store.savepoint(tx, async (sp): Promise<TransactionEnd<Attempt>> => {
            const inSavepoint = await attempt(sp);
            return inSavepoint.ok ? { commit: inSavepoint } : { rollback: inSavepoint };
          });
      if (result.ok) {
        await store.complete(tx, id, { ok: true, data: serialize(result.data) });
        return { commit: { ran: result } };
      }
      const failed = { ...result, error: mapError(result.error) };
      // A failure that is not replayed: the claim rolls back with it, so a retry runs.
      if (!replayable.has(failed.error.code)) return { rollback: { ran: failed } };
      const { code, message } = failed.error;
      const detail = errorDetail(failed.error);
      const failure: StoredOutcome =
        detail === undefined ? { ok: false, code, message } : { ok: false, code, message, detail };
      if (options.failuresWriteNothing) {
        // Without a savepoint, a failed statement has aborted the transaction: then the
        // record cannot be written, and the failure goes back unstored.
        const written = await store.complete(tx, id, failure).then(
          () => true,
          () => false,
        );
        if (!written) return { rollback: { ran: failed } };
      } else {
        await store.complete(tx, id, failure);
      }
      const stored: typeof failed & StoredFailureResult = { ...failed, outcomeStored: true };
      return { commit: { ran: stored } };
    };
    const outcome = options.inCallTransaction?.(ctx)
      ? endedWith(await run(ctx.db))
      : await store.transaction(ctx.db, run);
    if ("ran" in outcome) return outcome.ran;

    const { found } = outcome;
    const span = trace.getActiveSpan();
    if (found.inputHash !== inputHash) {
      span?.addEvent("idempotency key reused with another input");
      throw new TRPCError({
        code: "UNPROCESSABLE_CONTENT",
        message: `Idempotency key "${key}" was already used for ${path} with a different input. Use a new key for a new request.`,
      });
    }
    // A replay answers from the stored outcome; its span shows the lookup and nothing else.
    span?.addEvent("idempotency replay", { "rpc.idempotency.replayed_ok": found.outcome.ok });
    options.onReplay?.(ctx);
    if (!found.outcome.ok) {
      const { code, message, detail } = found.outcome;
      throw restoreError({ code, message, detail });
    }
    return { ok: true as const, data: deserialize(found.outcome.data), ctx: rawCtx, marker: middlewareMarker };
  });
}
