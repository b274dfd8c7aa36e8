import { acceptsNoInput, enforcedSchema, jsonSchemaOf } from "@ticketing/rpc/contract";
import { initTRPC } from "@trpc/server";
import { octetInputParser } from "@trpc/server/http";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { listProcedures } from "./procedures";

describe("reading a router", () => {
  const t = initTRPC.meta<{ deprecated?: string }>().create();
  const fast = Object.assign((value: unknown) => value as { ok: boolean }, {
    [enforcedSchema]: z.object({ ok: z.boolean() }),
  });
  const router = t.router({
    upload: t.procedure.input(octetInputParser).mutation(() => 1),
    ping: t.procedure.output(fast).query(() => ({ ok: true })),
    list: t.procedure
      .meta({ deprecated: "Use search." })
      .input(z.object({ limit: z.number().default(10) }).prefault({}))
      .query(() => []),
    nested: t.router({ get: t.procedure.input(z.object({ id: z.string() })).query(() => null) }),
  });

  it("lists every procedure by its path, sorted, with its kind, parsers and metadata", () => {
    const procedures = listProcedures(router);
    expect(procedures.map(({ name, kind, meta }) => ({ name, kind, meta }))).toEqual([
      { name: "list", kind: "query", meta: { deprecated: "Use search." } },
      { name: "nested.get", kind: "query", meta: undefined },
      { name: "ping", kind: "query", meta: undefined },
      { name: "upload", kind: "mutation", meta: undefined },
    ]);
  });

  it("describes parsers that can, follows a function to the schema it enforces, and says when it cannot", async () => {
    const [list, , ping, upload] = listProcedures(router);
    expect(jsonSchemaOf(ping?.output, "output")).toMatchObject({ properties: { ok: { type: "boolean" } } });
    expect(jsonSchemaOf(upload?.inputs[0], "input")).toBeUndefined();
    expect(await acceptsNoInput(list?.inputs[0])).toBe(true);
    expect(await acceptsNoInput(listProcedures(router)[1]?.inputs[0])).toBe(false);
  });
});
