import type { ProcedureMeta } from "@ticketing/api";
import { listProcedures } from "@ticketing/host";
import {
  acceptsNoInput,
  type Change,
  compareSchemas,
  type JsonSchema,
  jsonSchemaOf,
  type ProcedureKind,
} from "@ticketing/rpc/contract";
import type { AnyRouter } from "@trpc/server";
import type { z } from "zod";

/**
 * The API's contract as the committed snapshot records it (`npm run api:snapshot`), and the
 * comparison `npm run api:check` makes. See docs/decisions/021-contract-check.md.
 */

/** What a procedure takes or answers: JSON (with its schema) or a raw byte stream. */
export type Body = { schema: JsonSchema; optional?: true } | { octetStream: true };

export interface ProcedureContract {
  kind: ProcedureKind;
  auth: NonNullable<ProcedureMeta["auth"]> | "unknown";
  deprecated?: string;
  /** null: the procedure takes no input. */
  input: Body | null;
  /** null: no output schema is declared (subscriptions yield undeclared updates). */
  output: Body | null;
  /** Its public REST route, when the OpenAPI document has an operation for it. */
  rest?: { method: string; path: string };
}

export interface Contract {
  procedures: Record<string, ProcedureContract>;
  /** The OpenAPI 3.1 document served at /api/v1/openapi.json. */
  openapi: JsonSchema;
}

/**
 * Dates cross the wire as ISO 8601 strings (superjson revives them on /trpc). An output
 * object is open: zod's output mode closes it (`additionalProperties: false`), but a client
 * reads the fields it knows and no more, so a new output field is additive, not a break.
 */
export const jsonSchemaOptions = (io: "input" | "output") => ({
  unrepresentable: "any",
  override: ({ zodSchema, jsonSchema }: { zodSchema: z.core.$ZodType; jsonSchema: JsonSchema }) => {
    if (zodSchema._zod.def.type === "date") {
      jsonSchema.type = "string";
      jsonSchema.format = "date-time";
    }
    if (io === "output" && jsonSchema.additionalProperties === false) delete jsonSchema.additionalProperties;
  },
});

async function bodyOf(parsers: readonly unknown[], io: "input" | "output"): Promise<Body | null> {
  if (parsers.length === 0) return null;
  const schemas = parsers.map((parser) => jsonSchemaOf(parser, io, jsonSchemaOptions(io)));
  if (schemas.some((schema) => schema === undefined)) {
    // tRPC's octetInputParser is the one parser here that cannot describe itself.
    if (parsers.length === 1 && io === "input") return { octetStream: true };
    throw new Error("A procedure's parser does not describe itself as JSON Schema (Standard JSON Schema).");
  }
  const schema = schemas.length === 1 ? (schemas[0] as JsonSchema) : { allOf: schemas };
  const optional = io === "input" && (await Promise.all(parsers.map(acceptsNoInput))).every(Boolean);
  return optional ? { schema, optional: true } : { schema };
}

const METHODS = ["get", "put", "post", "delete", "patch"] as const;

interface Operation {
  method: string;
  path: string;
  operation: JsonSchema;
}

function operationsOf(openapi: JsonSchema): Operation[] {
  const paths = (openapi.paths ?? {}) as Record<string, Record<string, JsonSchema>>;
  return Object.entries(paths).flatMap(([path, item]) =>
    METHODS.filter((method) => item[method]).map((method) => ({
      method: method.toUpperCase(),
      path,
      operation: item[method] as JsonSchema,
    })),
  );
}

/** The contract of a router and its OpenAPI document, procedures in name order. */
export async function describeContract(router: AnyRouter, openapi: JsonSchema): Promise<Contract> {
  const routes = new Map(
    operationsOf(openapi).map(({ method, path, operation }) => [operation.operationId, { method, path }]),
  );
  const procedures: Record<string, ProcedureContract> = {};
  for (const procedure of listProcedures(router)) {
    const meta = (procedure.meta ?? {}) as ProcedureMeta;
    const rest = routes.get(procedure.name);
    procedures[procedure.name] = {
      kind: procedure.kind,
      auth: meta.auth ?? "unknown",
      ...(meta.deprecated !== undefined && { deprecated: meta.deprecated }),
      input: await bodyOf(procedure.inputs, "input"),
      output: await bodyOf(procedure.output === undefined ? [] : [procedure.output], "output"),
      ...(rest && { rest }),
    };
  }
  return { procedures, openapi };
}

// ---------------------------------------------------------------------------------------------
// The file: stable and readable

/** Keys sorted at every level (source order is not part of the contract), `required` sorted. */
function normalize(value: unknown, key?: string): unknown {
  if (Array.isArray(value)) {
    const items = value.map((item) => normalize(item));
    return key === "required" ? [...items].sort() : items;
  }
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((name) => [name, normalize((value as Record<string, unknown>)[name], name)]),
  );
}

const LINE_WIDTH = 120;

/** JSON laid out as the repository's formatter lays it out, so the file passes lint as written. */
function layout(value: unknown, indent: string, prefix: number): string {
  if (typeof value !== "object" || value === null) return JSON.stringify(value);
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    if (value.every((item) => typeof item !== "object" || item === null)) {
      const flat = `[${value.map((item) => JSON.stringify(item)).join(", ")}]`;
      // The line holds the key before it and, possibly, a comma after it.
      if (prefix + flat.length + 1 <= LINE_WIDTH) return flat;
    }
    return `[\n${value.map((item) => `${inner}${layout(item, inner, inner.length)}`).join(",\n")}\n${indent}]`;
  }
  const entries = Object.entries(value);
  if (entries.length === 0) return "{}";
  const lines = entries.map(([name, item]) => {
    const head = `${inner}${JSON.stringify(name)}: `;
    return `${head}${layout(item, inner, head.length)}`;
  });
  return `{\n${lines.join(",\n")}\n${indent}}`;
}

export function serializeContract(contract: Contract): string {
  const file = {
    $comment:
      "Written by `npm run api:snapshot`, checked by `npm run api:check` (docs/decisions/021-contract-check.md).",
    procedures: normalize(contract.procedures),
    openapi: normalize(contract.openapi),
  };
  return `${layout(file, "", 0)}\n`;
}

// ---------------------------------------------------------------------------------------------
// The comparison

function compareBodies(name: string, side: "input" | "output", was: Body | null, is: Body | null): Change[] {
  const path = `${name}.${side}`;
  if (side === "output" && was === null) {
    return is === null ? [] : [{ level: "additive", path, message: "output schema declared" }];
  }
  if (was === null && is === null) return [];
  if (was === null && is !== null) {
    return "schema" in is && is.optional
      ? [{ level: "additive", path, message: "takes an optional input now" }]
      : [{ level: "breaking", path, message: "requires an input now; old clients send none" }];
  }
  if (was !== null && is === null) {
    return [
      side === "input"
        ? { level: "breaking", path, message: "takes no input any more; what old clients send does nothing" }
        : { level: "breaking", path, message: "no longer declares its output" },
    ];
  }
  if (was === null || is === null) return [];
  if ("octetStream" in was || "octetStream" in is) {
    return "octetStream" in was && "octetStream" in is
      ? []
      : [{ level: "breaking", path, message: "changed between a JSON body and a byte stream" }];
  }
  const changes: Change[] = [];
  if (was.optional && !is.optional) changes.push({ level: "breaking", path, message: "input is required now" });
  if (!was.optional && is.optional) changes.push({ level: "additive", path, message: "input may be left out now" });
  changes.push(...compareSchemas(was.schema, is.schema, { position: side, path }));
  return changes;
}

function compareProcedures(previous: Contract, current: Contract): Change[] {
  const changes: Change[] = [];
  const names = [...new Set([...Object.keys(previous.procedures), ...Object.keys(current.procedures)])].sort();
  for (const name of names) {
    const was = previous.procedures[name];
    const is = current.procedures[name];
    if (was && !is) {
      changes.push({
        level: "breaking",
        path: name,
        message: "procedure removed (or renamed): old clients still call it",
      });
      continue;
    }
    if (!was && is) {
      changes.push({ level: "additive", path: name, message: `new ${is.kind}` });
      if (is.deprecated) changes.push({ level: "deprecation", path: name, message: `deprecated: ${is.deprecated}` });
      continue;
    }
    if (!was || !is) continue;
    if (was.kind !== is.kind) {
      changes.push({ level: "breaking", path: name, message: `kind changed from ${was.kind} to ${is.kind}` });
      continue;
    }
    if (was.auth !== is.auth) {
      const tighter = was.auth === "public";
      changes.push({
        level: tighter ? "breaking" : "additive",
        path: `${name}.auth`,
        message: `auth changed from ${was.auth} to ${is.auth}`,
      });
    }
    if (is.deprecated && !was.deprecated) {
      changes.push({ level: "deprecation", path: name, message: `deprecated: ${is.deprecated}` });
    } else if (was.deprecated !== is.deprecated) {
      changes.push({
        level: "compatible",
        path: name,
        message: is.deprecated ? `deprecation note changed: ${is.deprecated}` : "no longer deprecated",
      });
    }
    changes.push(...compareBodies(name, "input", was.input, is.input));
    changes.push(...compareBodies(name, "output", was.output, is.output));
    const wasRoute = was.rest && `${was.rest.method} ${was.rest.path}`;
    const isRoute = is.rest && `${is.rest.method} ${is.rest.path}`;
    if (wasRoute && !isRoute)
      changes.push({ level: "breaking", path: `${name}.rest`, message: `REST route ${wasRoute} removed` });
    if (!wasRoute && isRoute)
      changes.push({ level: "additive", path: `${name}.rest`, message: `new REST route ${isRoute}` });
    if (wasRoute && isRoute && wasRoute !== isRoute) {
      changes.push({
        level: "breaking",
        path: `${name}.rest`,
        message: `REST route changed from ${wasRoute} to ${isRoute}`,
      });
    }
  }
  return changes;
}

interface Parameter {
  name: string;
  in: string;
  required?: boolean;
  deprecated?: boolean;
  schema?: JsonSchema;
}

function jsonSchemaAt(content: unknown): JsonSchema | undefined {
  return (content as { "application/json"?: { schema?: JsonSchema } } | undefined)?.["application/json"]?.schema;
}

/** The OpenAPI document, operation by operation: parameters and body as inputs, answers as outputs. */
function compareOpenApi(previous: JsonSchema, current: JsonSchema): Change[] {
  const changes: Change[] = [];
  const roots = { previousRoot: previous, currentRoot: current };
  const was = new Map(operationsOf(previous).map((entry) => [`${entry.method} ${entry.path}`, entry.operation]));
  const is = new Map(operationsOf(current).map((entry) => [`${entry.method} ${entry.path}`, entry.operation]));
  for (const route of [...new Set([...was.keys(), ...is.keys()])].sort()) {
    const before = was.get(route);
    const after = is.get(route);
    if (before && !after) {
      changes.push({ level: "breaking", path: route, message: "REST operation removed: partners still call it" });
      continue;
    }
    if (!before && after) {
      changes.push({ level: "additive", path: route, message: "new REST operation" });
      continue;
    }
    if (!before || !after) continue;
    if (after.deprecated === true && before.deprecated !== true) {
      changes.push({ level: "deprecation", path: route, message: "deprecated" });
    }
    const key = (parameter: Parameter) => `${parameter.in} ${parameter.name}`;
    const wasParams = new Map(((before.parameters ?? []) as Parameter[]).map((p) => [key(p), p]));
    const isParams = new Map(((after.parameters ?? []) as Parameter[]).map((p) => [key(p), p]));
    for (const name of [...new Set([...wasParams.keys(), ...isParams.keys()])].sort()) {
      const path = `${route} (${name})`;
      const p = wasParams.get(name);
      const q = isParams.get(name);
      if (p && !q) {
        changes.push({ level: "breaking", path, message: "parameter removed: old clients still send it" });
        continue;
      }
      if (!p && q) {
        changes.push({
          level: q.required ? "breaking" : "additive",
          path,
          message: q.required ? "new required parameter" : "new optional parameter",
        });
        continue;
      }
      if (!p || !q) continue;
      if (!p.required && q.required) changes.push({ level: "breaking", path, message: "parameter now required" });
      if (p.required && !q.required) changes.push({ level: "additive", path, message: "parameter now optional" });
      if (q.deprecated && !p.deprecated) changes.push({ level: "deprecation", path, message: "deprecated" });
      if (p.schema && q.schema)
        changes.push(...compareSchemas(p.schema, q.schema, { position: "input", path, ...roots }));
    }
    const wasBody = jsonSchemaAt((before.requestBody as JsonSchema | undefined)?.content);
    const isBody = jsonSchemaAt((after.requestBody as JsonSchema | undefined)?.content);
    if (wasBody && isBody) {
      changes.push(...compareSchemas(wasBody, isBody, { position: "input", path: `${route} body`, ...roots }));
    } else if (!wasBody && isBody) {
      changes.push({ level: "breaking", path: `${route} body`, message: "takes a JSON body now" });
    } else if (wasBody && !isBody) {
      changes.push({ level: "breaking", path: `${route} body`, message: "no longer takes a JSON body" });
    }
    const wasResponses = (before.responses ?? {}) as Record<string, JsonSchema>;
    const isResponses = (after.responses ?? {}) as Record<string, JsonSchema>;
    for (const status of [...new Set([...Object.keys(wasResponses), ...Object.keys(isResponses)])].sort()) {
      const path = `${route} response(${status})`;
      const success = status.startsWith("2");
      const r = wasResponses[status];
      const s = isResponses[status];
      if (r && !s) {
        changes.push(
          success
            ? { level: "breaking", path, message: "no longer answered: old clients wait for it" }
            : { level: "compatible", path, message: "no longer documented" },
        );
        continue;
      }
      if (!r && s) {
        changes.push(
          success
            ? { level: "breaking", path, message: "new success status an old client does not expect" }
            : { level: "additive", path, message: "new documented error" },
        );
        continue;
      }
      const wasSchema = jsonSchemaAt(r?.content);
      const isSchema = jsonSchemaAt(s?.content);
      if (wasSchema && isSchema) {
        changes.push(...compareSchemas(wasSchema, isSchema, { position: "output", path, ...roots }));
      }
    }
  }
  return changes;
}

/** Every difference between the snapshot and the current contract, with its class. */
export function compareContracts(previous: Contract, current: Contract): Change[] {
  return [...compareProcedures(previous, current), ...compareOpenApi(previous.openapi, current.openapi)];
}
