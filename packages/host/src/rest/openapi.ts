import { type JsonSchema, jsonSchemaOf } from "@ticketing/rpc/contract";
import { type TRPC_ERROR_CODE_KEY, TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import { z } from "zod";
import type { RestOperation } from "./operations";

/** The body of every REST error: the procedure's code and message, and input errors by field. */
export const restErrorSchema = z.object({
  error: z.object({
    code: z.string().meta({ examples: ["BAD_REQUEST"] }),
    message: z.string(),
    fieldErrors: z.record(z.string(), z.array(z.string())),
  }),
});
export type RestErrorBody = z.output<typeof restErrorSchema>;

/** The header a keyed route reads; its bounds are those the idempotency middleware enforces. */
const idempotencyKeySchema = z.string().min(8).max(128);

/** What the host knows about an operation from its procedure's metadata. */
export interface OperationFacts {
  /** OpenAPI security requirements (`[{ bearer: [] }]`) of a procedure that needs a caller. */
  security?: Record<string, string[]>[];
  /** Failures the host answers for this procedure (UNAUTHORIZED for one that needs a caller). */
  errors?: Partial<Record<TRPC_ERROR_CODE_KEY, string>>;
  /** Marked for removal: what to use instead. */
  deprecated?: string;
}

export interface OpenApiOptions {
  info: { title: string; version: string; description?: string };
  servers?: { url: string }[];
  securitySchemes?: Record<string, JsonSchema>;
  /** The host's facts about each operation, read from its procedure's metadata. */
  facts?: (operation: RestOperation) => OperationFacts;
  /** Failures the host may answer on every route (TOO_MANY_REQUESTS when it limits by address). */
  errors?: Partial<Record<TRPC_ERROR_CODE_KEY, string>>;
  /** The body limit of the REST router, documented as its 413. */
  maxBodyBytes: number;
  /** The options the operations were described with, for the error schema too. */
  jsonSchemaOptions?: (io: "input" | "output") => Record<string, unknown>;
}

/** "The body…" → "the body…" after a comma; a leading acronym stays as it is. */
const lowerFirst = (text: string) => (/^[A-Z](?![A-Z])/.test(text) ? text[0]?.toLowerCase() + text.slice(1) : text);

const statusOf = (code: TRPC_ERROR_CODE_KEY) => getHTTPStatusCodeFromError(new TRPCError({ code }));

const PASCAL = (name: string) =>
  name
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part[0]?.toUpperCase() + part.slice(1))
    .join("");

/**
 * The OpenAPI 3.1 document of the REST operations, built from the procedures' schemas and
 * route metadata alone. Each input and output schema becomes a component, named by its
 * schema's `title` (zod's `.meta({ title })`) or after its procedure (`ListEventsOutput`).
 */
export function openApiDocument(operations: readonly RestOperation[], options: OpenApiOptions) {
  const components: Record<string, JsonSchema> = {};
  const component = (schema: JsonSchema, fallback: string) => {
    const name = typeof schema.title === "string" ? schema.title : fallback;
    const existing = components[name];
    if (existing && JSON.stringify(existing) !== JSON.stringify(schema)) {
      throw new Error(`OpenAPI: two different schemas are named ${name}; give one another title.`);
    }
    components[name] = schema;
    return { $ref: `#/components/schemas/${name}` };
  };
  const errorSchema = jsonSchemaOf(restErrorSchema, "output", options.jsonSchemaOptions?.("output")) as JsonSchema;
  const errorRef = component(errorSchema, "Error");

  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const operation of operations) {
    const { route } = operation;
    const facts = options.facts?.(operation) ?? {};
    const { fields } = operation;
    const required = new Set((operation.input?.required ?? []) as string[]);
    const parameter = (name: string, where: "path" | "query", field: string) => {
      const schema = fields[field] ?? {};
      return {
        name,
        in: where,
        required: where === "path" || required.has(field),
        ...(typeof schema.description === "string" && { description: schema.description }),
        ...(schema.deprecated === true && { deprecated: true }),
        schema,
      };
    };
    const parameters: JsonSchema[] = [
      ...operation.pathParams.map((param) => parameter(param.name, "path", param.field)),
      ...operation.queryParams.map((name) => parameter(name, "query", name)),
    ];
    if (route.replayStatus !== undefined) {
      parameters.push({
        name: "Idempotency-Key",
        in: "header",
        required: false,
        description: `8–128 visible ASCII characters. A repeat with the same key and input answers the first outcome (${route.replayStatus}) instead of running again; the same key with another input is 422.`,
        schema: jsonSchemaOf(idempotencyKeySchema, "input") as JsonSchema,
      });
    }

    // Each failure a partner can meet here, grouped by status: its own first, then the host's.
    const failures: [TRPC_ERROR_CODE_KEY, string][] = Object.entries(route.errors ?? {}) as [
      TRPC_ERROR_CODE_KEY,
      string,
    ][];
    if (operation.input) {
      const what = operation.hasBody
        ? "body"
        : operation.queryParams.length > 0
          ? "query parameters"
          : "path parameters";
      failures.unshift(["BAD_REQUEST", `Invalid ${what}, with field errors`]);
    }
    failures.push(...(Object.entries(facts.errors ?? {}) as [TRPC_ERROR_CODE_KEY, string][]));
    if (operation.hasBody) {
      failures.push(
        ["BAD_REQUEST", "The body is not valid JSON"],
        ["FORBIDDEN", "A cross-site request"],
        ["UNSUPPORTED_MEDIA_TYPE", "The body is not application/json"],
        ["PAYLOAD_TOO_LARGE", `The body is over ${options.maxBodyBytes} bytes`],
      );
    }
    if (route.replayStatus !== undefined) {
      failures.push(
        ["UNPROCESSABLE_CONTENT", "The Idempotency-Key was used with another input"],
        ["CONFLICT", "A request with the same Idempotency-Key is still running"],
      );
    }
    failures.push(...(Object.entries(options.errors ?? {}) as [TRPC_ERROR_CODE_KEY, string][]));
    const byStatus = new Map<number, string[]>();
    for (const [code, description] of failures) {
      const status = statusOf(code);
      const list = byStatus.get(status) ?? [];
      if (!list.includes(description)) list.push(description);
      byStatus.set(status, list);
    }

    const outputRef = operation.output && component(operation.output, `${PASCAL(operation.name)}Output`);
    const answer = (description: string) => ({
      description,
      ...(outputRef && { content: { "application/json": { schema: outputRef } } }),
    });
    const responses: Record<string, JsonSchema> = { [String(route.status ?? 200)]: answer(route.answers ?? "OK") };
    if (route.replayStatus !== undefined) {
      responses[String(route.replayStatus)] = answer("A repeat of a keyed request: the first outcome, unchanged");
    }
    for (const [status, descriptions] of [...byStatus].sort(([a], [b]) => a - b)) {
      responses[String(status)] = {
        description: descriptions.map((text, index) => (index === 0 ? text : lowerFirst(text))).join(", or "),
        content: { "application/json": { schema: errorRef } },
      };
    }

    let body: JsonSchema | undefined;
    if (operation.hasBody && operation.input) {
      // What the path carries is not sent again in the body.
      const filled = new Set(operation.pathParams.map((param) => param.field));
      const schema =
        filled.size === 0
          ? operation.input
          : {
              ...operation.input,
              properties: Object.fromEntries(
                Object.entries((operation.input.properties ?? {}) as Record<string, JsonSchema>).filter(
                  ([name]) => !filled.has(name),
                ),
              ),
              required: [...required].filter((name) => !filled.has(name)),
            };
      body = {
        required: true,
        content: { "application/json": { schema: component(schema, `${PASCAL(operation.name)}Input`) } },
      };
    }

    const item = paths[operation.path] ?? {};
    paths[operation.path] = item;
    item[operation.method.toLowerCase()] = {
      operationId: operation.name,
      ...(route.summary && { summary: route.summary }),
      ...(facts.deprecated !== undefined && { deprecated: true, description: `Deprecated: ${facts.deprecated}` }),
      ...(facts.security && { security: facts.security }),
      ...(parameters.length > 0 && { parameters }),
      ...(body && { requestBody: body }),
      responses,
    };
  }

  return {
    openapi: "3.1.0",
    info: options.info,
    ...(options.servers && { servers: options.servers }),
    components: {
      ...(options.securitySchemes && { securitySchemes: options.securitySchemes }),
      schemas: components,
    },
    paths,
  };
}
