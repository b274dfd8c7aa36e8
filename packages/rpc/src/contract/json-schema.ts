/** A JSON Schema document, as a library's converter returns it. */
export type JsonSchema = Record<string, unknown>;

export type ProcedureKind = "query" | "mutation" | "subscription";

/** The Standard JSON Schema interface (zod 4, ArkType, Valibot…), as far as it is used here. */
interface StandardJsonSchema {
  "~standard": {
    jsonSchema: {
      input(options: { target: string; libraryOptions?: Record<string, unknown> }): JsonSchema;
      output(options: { target: string; libraryOptions?: Record<string, unknown> }): JsonSchema;
    };
    validate(value: unknown): unknown;
  };
}

/**
 * Where a parser that is a plain function (a fast path around a schema, say) names the
 * schema it enforces, so that its contract can still be read: `fn[enforcedSchema] = schema`.
 */
export const enforcedSchema: unique symbol = Symbol.for("@ticketing/rpc/contract.enforcedSchema");

/** The parser's self-description: its own, or that of the schema a function enforces. */
function described(parser: unknown): unknown {
  if (typeof parser === "function" && enforcedSchema in parser)
    return (parser as { [enforcedSchema]: unknown })[enforcedSchema];
  return parser;
}

function isStandardJsonSchema(parser: unknown): parser is StandardJsonSchema {
  const standard = (parser as { "~standard"?: { jsonSchema?: unknown } } | null)?.["~standard"];
  return typeof standard?.jsonSchema === "object" && standard.jsonSchema !== null;
}

/**
 * The JSON Schema of a parser that speaks Standard JSON Schema, in the direction asked for
 * (input: what it accepts; output: what it produces), or undefined when the parser cannot
 * describe itself (tRPC's octetInputParser, a plain function).
 */
export function jsonSchemaOf(
  parser: unknown,
  io: "input" | "output",
  libraryOptions?: Record<string, unknown>,
): JsonSchema | undefined {
  const self = described(parser);
  if (!isStandardJsonSchema(self)) return undefined;
  const schema = self["~standard"].jsonSchema[io]({ target: "draft-2020-12", libraryOptions });
  const { $schema: _dialect, ...rest } = schema;
  return rest;
}

/** Whether the parser accepts a call without input (undefined), as an old client may send. */
export async function acceptsNoInput(parser: unknown): Promise<boolean> {
  const self = described(parser);
  if (!isStandardJsonSchema(self)) return false;
  const result = (await self["~standard"].validate(undefined)) as { issues?: unknown };
  return !result.issues;
}
