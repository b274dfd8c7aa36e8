import { describe, expect, it } from "vitest";
import { z } from "zod";
import { compareSchemas, type JsonSchema } from ".";

const input = (schema: z.ZodType) => z.toJSONSchema(schema, { io: "input" }) as JsonSchema;
const output = (schema: z.ZodType) => z.toJSONSchema(schema, { io: "output" }) as JsonSchema;
const inputs = (before: z.ZodType, after: z.ZodType) =>
  compareSchemas(input(before), input(after), { position: "input" }).map(({ level, path, message }) => [
    level,
    path,
    message,
  ]);
const outputs = (before: z.ZodType, after: z.ZodType) =>
  compareSchemas(output(before), output(after), { position: "output" }).map(({ level, path, message }) => [
    level,
    path,
    message,
  ]);

describe("compareSchemas", () => {
  it("finds nothing between a schema and itself, recursive ones included", () => {
    const node: z.ZodType = z.lazy(() => z.object({ name: z.string(), children: z.array(node) }));
    const schema = z.object({ tree: node, tags: z.array(z.enum(["a", "b"])).max(5), at: z.iso.datetime() });
    expect(inputs(schema, schema)).toEqual([]);
    expect(outputs(schema, schema)).toEqual([]);
  });

  it("walks nested objects and arrays, naming the path", () => {
    const before = z.object({ seats: z.array(z.object({ row: z.string(), number: z.number().int() })) });
    const after = z.object({ seats: z.array(z.object({ row: z.string(), number: z.number().int().min(1) })) });
    expect(inputs(before, after)).toEqual([["breaking", "seats[].number", "minimum raised: none → 1"]]);
    expect(outputs(before, after)).toEqual([["compatible", "seats[].number", "minimum raised: none → 1"]]);
  });

  it("reads an input the other way round from an output", () => {
    const before = z.object({ kind: z.enum(["a", "b"]), note: z.string().optional() });
    const after = z.object({ kind: z.enum(["a", "b", "c"]), note: z.string() });
    expect(inputs(before, after)).toEqual(
      [
        ["breaking", "note", "now required"],
        ["additive", "kind", 'now also accepts "c"'],
      ].sort((a, b) => String(a[1]).localeCompare(String(b[1]))),
    );
    expect(outputs(before, after)).toEqual([
      ["breaking", "kind", `may now return "c", which an old client's exhaustive switch does not handle`],
      ["compatible", "note", "now always present"],
    ]);
  });

  it("pairs the branches of a discriminated union by their tag", () => {
    const held = z.object({ status: z.literal("held"), expiresAt: z.string() });
    const sold = z.object({ status: z.literal("sold"), price: z.number() });
    const before = z.object({ seat: z.discriminatedUnion("status", [held, sold]) });
    const after = z.object({
      seat: z.discriminatedUnion("status", [held, sold.extend({ price: z.number().int() })]),
    });
    expect(outputs(before, after)).toEqual([["compatible", "seat.price", "type narrowed: number → integer"]]);
    const more = z.object({
      seat: z.discriminatedUnion("status", [held, sold, z.object({ status: z.literal("lost") })]),
    });
    expect(outputs(before, more)).toEqual([["breaking", "seat", "may now return object"]]);
    expect(inputs(before, more)).toEqual([["additive", "seat", "now also accepts object"]]);
  });

  it("sees nullable and optional as unions with null, and a type change as one change", () => {
    const before = z.object({ at: z.string(), count: z.number() });
    expect(outputs(before, z.object({ at: z.string().nullable(), count: z.number() }))).toEqual([
      ["breaking", "at", "made nullable"],
    ]);
    expect(inputs(before, z.object({ at: z.string().nullable(), count: z.number() }))).toEqual([
      ["additive", "at", "now also accepts null"],
    ]);
    expect(inputs(before, z.object({ at: z.string(), count: z.string() }))).toEqual([
      ["breaking", "count", "type changed from number to string"],
    ]);
  });

  it("treats a schema that allows anything as the widest input and the widest output", () => {
    const before = z.object({ data: z.string() });
    const after = z.object({ data: z.unknown() });
    expect(inputs(before, after)).toEqual([["additive", "data", "widened from string to any value"]]);
    expect(outputs(before, after)).toEqual([["breaking", "data", "widened from string to any value"]]);
  });

  it("compares records by their values, and closes or opens objects", () => {
    expect(
      outputs(
        z.object({ bySection: z.record(z.string(), z.number()) }),
        z.object({ bySection: z.record(z.string(), z.string()) }),
      ),
    ).toEqual([["breaking", "bySection.{key}", "type changed from number to string"]]);
    expect(inputs(z.object({ a: z.string() }), z.strictObject({ a: z.string() }))).toEqual([
      ["breaking", "", "now refuses fields it does not know"],
    ]);
  });

  it("reports a newly deprecated field, and new descriptions as compatible", () => {
    const before = z.object({ section: z.string().optional() });
    const after = z.object({ section: z.string().optional().meta({ deprecated: true, description: "Unused." }) });
    expect(inputs(before, after)).toEqual([
      ["deprecation", "section", "deprecated"],
      ["compatible", "section", 'description changed from none to "Unused."'],
    ]);
  });

  it("resolves $refs into another root (an OpenAPI document's components)", () => {
    const document = (required: string[]) => ({
      components: {
        schemas: {
          Event: { type: "object", properties: { id: { type: "string" }, name: { type: "string" } }, required },
        },
      },
    });
    const changes = compareSchemas(
      { $ref: "#/components/schemas/Event" },
      { $ref: "#/components/schemas/Event" },
      { position: "output", previousRoot: document(["id", "name"]), currentRoot: document(["id"]) },
    );
    expect(changes).toEqual([{ level: "breaking", path: "name", message: "made optional" }]);
  });
});
