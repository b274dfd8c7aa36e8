import { initTRPC, TRPCError } from "@trpc/server";
import superjson from "superjson";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { idempotency, isStoredFailure, type TransactionEnd } from "./idempotency";
import { createMemoryIdempotencyStore } from "./memory-store";

type Ctx = { db: unknown; user: string; headerKey?: string };

/** A tiny app with one effectful mutation that counts how often it really runs. */
function setup(options: { retentionMs?: number; failuresWriteNothing?: boolean } = {}) {
  const store = createMemoryIdempotencyStore();
  const t = initTRPC.context<Ctx>().create({ transformer: superjson });
  let runs = 0;
  let failNext: Error | TRPCError | null = null;
  const exactlyOnce = idempotency<Ctx, unknown>({
    store,
    scope: (ctx) => ctx.user,
    key: ({ ctx, input }) => (input as { key?: string }).key ?? ctx.headerKey,
    ignoredInputFields: ["key"],
    serialize: (data) => superjson.serialize(data),
    deserialize: (stored) => superjson.deserialize(stored as ReturnType<typeof superjson.serialize>),
    ...options,
  });
  const router = t.router({
    charge: t.procedure
      .input(z.object({ amount: z.number(), note: z.string().optional(), key: z.string().optional() }))
      .concat(exactlyOnce)
      .mutation(async ({ input }) => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        if (failNext) {
          const error = failNext;
          failNext = null;
          throw error;
        }
        runs++;
        return { run: runs, amount: input.amount, at: new Date(1_700_000_000_000) };
      }),
  });
  const caller = (user = "u1", headerKey?: string) => t.createCallerFactory(router)({ db: null, user, headerKey });
  return {
    store,
    caller,
    runs: () => runs,
    failWith: (error: Error | TRPCError) => {
      failNext = error;
    },
  };
}

describe("idempotency middleware", () => {
  it("runs every call without a key", async () => {
    const app = setup();
    await app.caller().charge({ amount: 1 });
    await app.caller().charge({ amount: 1 });
    expect(app.runs()).toBe(2);
    expect(app.store.size()).toBe(0);
  });

  it("runs a keyed call once and replays its result, Dates included", async () => {
    const app = setup();
    const first = await app.caller().charge({ amount: 5, key: "key-00000001" });
    const again = await app.caller().charge({ amount: 5, key: "key-00000001" });
    expect(again).toEqual(first);
    expect(again.at).toBeInstanceOf(Date);
    expect(app.runs()).toBe(1);
  });

  it("runs concurrent duplicates once", async () => {
    const app = setup();
    const all = await Promise.all(
      Array.from({ length: 10 }, () => app.caller().charge({ amount: 5, key: "key-concurrent" })),
    );
    expect(new Set(all.map((r) => r.run))).toEqual(new Set([1]));
    expect(app.runs()).toBe(1);
  });

  it("refuses the key with a different input, but not with the same input in another key order", async () => {
    const app = setup();
    await app.caller().charge({ amount: 5, note: "a", key: "key-00000002" });
    await expect(app.caller().charge({ note: "a", amount: 5, key: "key-00000002" })).resolves.toMatchObject({ run: 1 });
    await expect(app.caller().charge({ amount: 6, note: "a", key: "key-00000002" })).rejects.toMatchObject({
      code: "UNPROCESSABLE_CONTENT",
    });
  });

  it("keeps keys apart per caller, and reads the key from elsewhere than the input", async () => {
    const app = setup();
    await app.caller("u1", "header-key-1").charge({ amount: 1 });
    await app.caller("u2", "header-key-1").charge({ amount: 1 });
    await app.caller("u1", "header-key-1").charge({ amount: 1 });
    expect(app.runs()).toBe(2);
  });

  it("replays final errors and re-runs after transient ones", async () => {
    const app = setup();
    app.failWith(new TRPCError({ code: "CONFLICT", message: "taken" }));
    await expect(app.caller().charge({ amount: 1, key: "key-final-err" })).rejects.toMatchObject({
      code: "CONFLICT",
      message: "taken",
    });
    await expect(app.caller().charge({ amount: 1, key: "key-final-err" })).rejects.toMatchObject({
      code: "CONFLICT",
      message: "taken",
    });
    expect(app.runs()).toBe(0);

    app.failWith(new Error("database went away"));
    await expect(app.caller().charge({ amount: 1, key: "key-transient" })).rejects.toMatchObject({
      code: "INTERNAL_SERVER_ERROR",
    });
    await expect(app.caller().charge({ amount: 1, key: "key-transient" })).resolves.toMatchObject({ run: 1 });
    app.failWith(new TRPCError({ code: "TIMEOUT" }));
    await expect(app.caller().charge({ amount: 2, key: "key-timeout" })).rejects.toMatchObject({ code: "TIMEOUT" });
    await expect(app.caller().charge({ amount: 2, key: "key-timeout" })).resolves.toMatchObject({ run: 2 });
  });

  it("forgets records after the retention period", async () => {
    const app = setup({ retentionMs: 30 });
    await app.caller().charge({ amount: 1, key: "key-short-lived" });
    await new Promise((resolve) => setTimeout(resolve, 50));
    await app.caller().charge({ amount: 1, key: "key-short-lived" });
    expect(app.runs()).toBe(2);
  });

  it("rejects keys outside 8–128 visible characters", async () => {
    const app = setup();
    for (const key of ["short", "x".repeat(129), "has spaces in it"]) {
      await expect(app.caller().charge({ amount: 1, key })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    }
    expect(app.runs()).toBe(0);
  });

  describe("for a procedure whose failures write nothing", () => {
    it("takes no savepoint, and stores and replays a final failure", async () => {
      const app = setup({ failuresWriteNothing: true });
      let savepoints = 0;
      const savepoint = app.store.savepoint.bind(app.store);
      app.store.savepoint = (tx, fn) => {
        savepoints++;
        return savepoint(tx, fn);
      };
      app.failWith(new TRPCError({ code: "CONFLICT", message: "Sold out." }));
      await expect(app.caller().charge({ amount: 3, key: "key-00000101" })).rejects.toMatchObject({
        code: "CONFLICT",
        message: "Sold out.",
      });
      await expect(app.caller().charge({ amount: 3, key: "key-00000101" })).rejects.toMatchObject({
        code: "CONFLICT",
        message: "Sold out.",
      });
      expect(app.runs()).toBe(0);
      expect(app.store.size()).toBe(1);
      const ok = await app.caller().charge({ amount: 4, key: "key-00000102" });
      expect(await app.caller().charge({ amount: 4, key: "key-00000102" })).toEqual(ok);
      expect(app.runs()).toBe(1);
      expect(savepoints).toBe(0);
    });

    it("answers a failure it could not store unstored, and a retry runs", async () => {
      const app = setup({ failuresWriteNothing: true });
      const complete = app.store.complete.bind(app.store);
      let refuse = true;
      app.store.complete = async (tx, id, outcome) => {
        if (refuse && !outcome.ok) {
          refuse = false;
          throw new Error("current transaction is aborted");
        }
        return complete(tx, id, outcome);
      };
      app.failWith(new TRPCError({ code: "CONFLICT", message: "Seat taken." }));
      await expect(app.caller().charge({ amount: 2, key: "key-00000103" })).rejects.toMatchObject({
        code: "CONFLICT",
        message: "Seat taken.",
      });
      expect(app.store.size()).toBe(0);
      const retried = await app.caller().charge({ amount: 2, key: "key-00000103" });
      expect(retried.run).toBe(1);
    });
  });

  describe("inside a transaction around the whole call", () => {
    /** The app's own transaction around the call: it commits a result unless it is a failure not stored. */
    function inCallTransaction() {
      const store = createMemoryIdempotencyStore();
      const t = initTRPC.context<Ctx>().create();
      const seen: { ok: boolean; stored: boolean }[] = [];
      let transactions = 0;
      const transaction = store.transaction.bind(store);
      store.transaction = (db, fn) => {
        transactions++;
        return transaction(db, fn);
      };
      let fail: TRPCError | null = null;
      const callTransaction = t.middleware(async ({ next }) => {
        type Result = Awaited<ReturnType<typeof next>>;
        return transaction(null, async (tx): Promise<TransactionEnd<Result>> => {
          const result = await next({ ctx: { db: tx } });
          seen.push({ ok: result.ok, stored: isStoredFailure(result) });
          return result.ok || isStoredFailure(result) ? { commit: result } : { rollback: result };
        });
      });
      const exactlyOnce = idempotency<Ctx, unknown>({
        store,
        scope: (ctx) => ctx.user,
        key: ({ input }) => (input as { key: string }).key,
        inCallTransaction: () => true,
      });
      const router = t.router({
        book: t.procedure
          .use(callTransaction)
          .input(z.object({ key: z.string() }))
          .concat(exactlyOnce)
          .mutation(() => {
            if (fail) throw fail;
            return "booked";
          }),
      });
      const caller = t.createCallerFactory(router)({ db: null, user: "u1" });
      return {
        store,
        caller,
        seen,
        transactions: () => transactions,
        failNext: (error: TRPCError | null) => (fail = error),
      };
    }

    it("takes no transaction of its own, and answers a stored failure marked as stored", async () => {
      const app = inCallTransaction();
      app.failNext(new TRPCError({ code: "CONFLICT", message: "Sold out." }));
      await expect(app.caller.book({ key: "key-00000201" })).rejects.toMatchObject({ code: "CONFLICT" });
      // The outer transaction committed the stored failure: it is replayed without running.
      app.failNext(null);
      await expect(app.caller.book({ key: "key-00000201" })).rejects.toMatchObject({ message: "Sold out." });
      await expect(app.caller.book({ key: "key-00000202" })).resolves.toBe("booked");
      expect(app.seen).toEqual([
        { ok: false, stored: true },
        { ok: false, stored: false },
        { ok: true, stored: false },
      ]);
      expect(app.transactions()).toBe(0);
      expect(app.store.size()).toBe(2);
    });

    it("leaves a failure that is not replayed unstored, so the outer transaction rolls the claim back", async () => {
      const app = inCallTransaction();
      // A TIMEOUT is not final: nothing is stored, and the outer transaction rolls back.
      app.failNext(new TRPCError({ code: "TIMEOUT" }));
      await expect(app.caller.book({ key: "key-00000203" })).rejects.toMatchObject({ code: "TIMEOUT" });
      expect(app.seen).toEqual([{ ok: false, stored: false }]);
      expect(app.store.size()).toBe(0);
      // So a retry runs.
      app.failNext(null);
      await expect(app.caller.book({ key: "key-00000203" })).resolves.toBe("booked");
      expect(app.transactions()).toBe(0);
    });
  });
});
