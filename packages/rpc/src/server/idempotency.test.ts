import { initTRPC, TRPCError } from "@trpc/server";
import superjson from "superjson";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { idempotency } from "./idempotency";
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
});
