import { initTRPC, TRPCError } from "@trpc/server";
import { getProcedureAtPath } from "@trpc/server/unstable-core-do-not-import";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { invokeProcedure } from "./direct";

type Ctx = { user: string | null; seen: string[] };
const t = initTRPC.context<Ctx>().create();
const traced = t.procedure.use(async ({ ctx, path, type, meta, next }) => {
  ctx.seen.push(`outer:${path}:${type}:${meta === undefined}`);
  const result = await next({ ctx: { user: ctx.user ?? "anonymous" } });
  ctx.seen.push(`outer-done:${result.ok}`);
  return result;
});
const router = t.router({
  greet: traced
    .input(z.object({ name: z.string() }))
    .use(({ ctx, input, next }) => next({ ctx: { greeting: `hi ${input.name} from ${ctx.user}` } }))
    .output(z.object({ text: z.string(), user: z.string() }))
    .query(({ ctx, input }) => ({ text: `${ctx.greeting} (${input.name})`, user: ctx.user })),
  fails: traced.query(() => {
    throw new TRPCError({ code: "CONFLICT", message: "taken" });
  }),
  badOutput: traced.output(z.object({ n: z.number() })).query(() => ({ n: "one" }) as unknown as { n: number }),
  crashes: traced.query(() => {
    throw new Error("boom");
  }),
  /** What a resolver is handed, after two levels that add to the context and the input. */
  options: traced
    .input(z.object({ name: z.string() }))
    .use(({ next }) => next({ ctx: { extra: true } }))
    .query((opts) =>
      Object.fromEntries(
        Object.entries(opts).map(([key, value]) => [key, typeof value === "function" ? "function" : value]),
      ),
    ),
});

async function both(path: string, rawInput: unknown) {
  const procedure = await getProcedureAtPath(router, path);
  if (!procedure) throw new Error(`no ${path}`);
  const run = async (invoke: typeof invokeProcedure) => {
    const ctx: Ctx = { user: null, seen: [] };
    const opts = {
      path,
      ctx,
      getRawInput: async () => rawInput,
      type: "query" as const,
      signal: undefined,
      batchIndex: 0,
    };
    try {
      return { data: await invoke(procedure, opts), seen: ctx.seen };
    } catch (error) {
      const e = error as TRPCError;
      return { error: { name: e.name, code: e.code, message: e.message, cause: String(e.cause) }, seen: ctx.seen };
    }
  };
  return [await run(invokeProcedure), await run((p, o) => p(o))];
}

describe("invokeProcedure", () => {
  it("runs a middleware chain exactly as tRPC's procedure caller does", async () => {
    for (const [path, input] of [
      ["greet", { name: "Ada" }],
      ["greet", { name: 7 }],
      ["fails", undefined],
      ["badOutput", undefined],
      ["crashes", undefined],
      ["options", { name: "Ada" }],
    ] as const) {
      const [direct, stock] = await both(path, input);
      expect(direct, path).toEqual(stock);
    }
    const [greeted] = await both("greet", { name: "Ada" });
    expect(greeted?.data).toEqual({ text: "hi Ada from anonymous (Ada)", user: "anonymous" });
  });
});
