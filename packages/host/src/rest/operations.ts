import { type JsonSchema, jsonSchemaOf, type ProcedureKind } from "@ticketing/rpc/contract";
import { isRestRoute, type RestMethod, type RestRoute } from "@ticketing/rpc/rest";
import type { AnyRouter } from "@trpc/server";
import { listProcedures } from "../procedures";

/** A procedure's REST route, resolved against the procedure: what the router and the document use. */
export interface RestOperation {
  /** The procedure's name (dotted for a nested router): the OpenAPI operationId. */
  name: string;
  kind: ProcedureKind;
  method: RestMethod;
  /** The full path template, prefix included (`/api/v1/events/{id}`). */
  path: string;
  route: RestRoute;
  /** The procedure's whole metadata, for the host's own facts (who may call it, deprecation). */
  meta: unknown;
  /** Each path placeholder, in order, with the input field it fills. */
  pathParams: { name: string; field: string }[];
  /** Input fields read from the query string (routes without a body): every field no placeholder fills. */
  queryParams: string[];
  /** Whether the input travels as a JSON body (POST, PUT, PATCH). */
  hasBody: boolean;
  /** The input's top-level fields (its branches' too), each as JSON Schema. */
  fields: Record<string, JsonSchema>;
  /** The input as JSON Schema (input mode); undefined when the procedure takes none. */
  input: JsonSchema | undefined;
  /** The output as JSON Schema (output mode); undefined when none is declared. */
  output: JsonSchema | undefined;
  /** Matches a request path; its groups are the placeholders' raw (still encoded) values. */
  pattern: RegExp;
}

export interface RestOperationsOptions {
  /** Where the routes are mounted (`/api/v1`): every route's path is below it. */
  prefix: string;
  /** Options for the schema library's JSON Schema converter (zod's `override`, say), per direction. */
  jsonSchemaOptions?: (io: "input" | "output") => Record<string, unknown>;
}

const BODY_METHODS: ReadonlySet<RestMethod> = new Set(["POST", "PUT", "PATCH"]);
const PLACEHOLDER = /^\{([A-Za-z_][A-Za-z0-9_]*)\}$/;

/** The top-level fields of an object schema, its branches' too (a union of objects, say). */
function fieldsOf(schema: JsonSchema | undefined): Map<string, JsonSchema> {
  const fields = new Map<string, JsonSchema>();
  if (!schema) return fields;
  for (const [name, field] of Object.entries((schema.properties ?? {}) as Record<string, JsonSchema>)) {
    fields.set(name, field);
  }
  for (const key of ["allOf", "anyOf", "oneOf"] as const) {
    for (const branch of (schema[key] ?? []) as JsonSchema[]) {
      for (const [name, field] of fieldsOf(branch)) if (!fields.has(name)) fields.set(name, field);
    }
  }
  return fields;
}

/** The JSON types a field takes, `anyOf` branches included (`["integer", "null"]`). */
export function typesOf(schema: JsonSchema | undefined): string[] {
  if (!schema) return [];
  const own = Array.isArray(schema.type)
    ? (schema.type as string[])
    : typeof schema.type === "string"
      ? [schema.type]
      : [];
  const branches = [...((schema.anyOf ?? []) as JsonSchema[]), ...((schema.oneOf ?? []) as JsonSchema[])];
  return [...own, ...branches.flatMap(typesOf)];
}

/** Whether a field can travel as query parameters: a scalar, or a list of scalars (repeated). */
function isQueryable(schema: JsonSchema): boolean {
  const types = typesOf(schema);
  if (types.length === 0) return true;
  return types.every(
    (type) =>
      type !== "object" &&
      (type !== "array" ||
        typesOf(schema.items as JsonSchema | undefined).every((t) => t !== "object" && t !== "array")),
  );
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * The REST operations a router declares in its procedures' metadata (`meta.rest`, made by
 * `restRoute`), checked: a route that cannot work — a placeholder that fills no input field,
 * a field a query string cannot carry, two procedures on one method and path — throws here,
 * with the procedure's name, when the host starts; never on a partner's request.
 */
export function restOperations(router: AnyRouter, options: RestOperationsOptions): RestOperation[] {
  const prefix = options.prefix.replace(/\/+$/, "");
  const operations: RestOperation[] = [];
  const seen = new Map<string, string>();
  for (const procedure of listProcedures(router)) {
    const rest = (procedure.meta as { rest?: unknown } | undefined)?.rest;
    if (rest === undefined) continue;
    const where = `REST route of ${procedure.name}`;
    if (!isRestRoute(rest)) throw new Error(`${where}: meta.rest must be made by restRoute(input, { method, path }).`);
    if (procedure.kind === "subscription") throw new Error(`${where}: a subscription cannot be a REST route.`);
    const sameInput = rest.input === undefined ? procedure.inputs.length === 0 : procedure.inputs.includes(rest.input);
    if (!sameInput) {
      throw new Error(`${where}: restRoute() was given a schema that is not the procedure's .input().`);
    }
    const { method, path } = rest;
    if (!path.startsWith("/")) throw new Error(`${where}: its path "${path}" must start with "/".`);
    const input = procedure.inputs.length === 0 ? undefined : describe(procedure.inputs, "input", options, where);
    const output = procedure.output === undefined ? undefined : describe([procedure.output], "output", options, where);
    const fields = fieldsOf(input);
    const segments = path.split("/").slice(1);
    const pathParams: RestOperation["pathParams"] = [];
    for (const segment of segments) {
      if (!segment.includes("{") && !segment.includes("}")) continue;
      const name = PLACEHOLDER.exec(segment)?.[1];
      if (!name) throw new Error(`${where}: "${segment}" in ${path} must be a whole segment such as {id}.`);
      if (pathParams.some((param) => param.name === name))
        throw new Error(`${where}: {${name}} appears twice in ${path}.`);
      const field = rest.params?.[name] ?? name;
      if (!fields.has(field)) {
        const known = [...fields.keys()].join(", ") || "none";
        throw new Error(
          `${where}: path parameter {${name}} of ${method} ${path} fills the input field "${field}", which its input does not have (fields: ${known}).`,
        );
      }
      pathParams.push({ name, field });
    }
    for (const name of Object.keys(rest.params ?? {})) {
      if (!pathParams.some((param) => param.name === name)) {
        throw new Error(`${where}: params names {${name}}, which ${path} does not have.`);
      }
    }
    const hasBody = BODY_METHODS.has(method);
    const filled = new Set(pathParams.map((param) => param.field));
    const queryParams = hasBody ? [] : [...fields.keys()].filter((name) => !filled.has(name));
    for (const name of queryParams) {
      if (!isQueryable(fields.get(name) as JsonSchema)) {
        throw new Error(`${where}: input field "${name}" is an object, which a query string cannot carry; use POST.`);
      }
    }
    const fullPath = `${prefix}${path}`;
    const key = `${method} ${fullPath}`;
    const other = seen.get(key);
    if (other) throw new Error(`${where}: ${key} is already the route of ${other}.`);
    seen.set(key, procedure.name);
    const pattern = new RegExp(
      `^${fullPath
        .split("/")
        .map((segment) => (PLACEHOLDER.test(segment) ? "([^/]+)" : escapeRegExp(segment)))
        .join("/")}$`,
    );
    operations.push({
      name: procedure.name,
      kind: procedure.kind,
      method,
      path: fullPath,
      route: rest,
      meta: procedure.meta,
      pathParams,
      queryParams,
      hasBody,
      fields: Object.fromEntries(fields),
      input,
      output,
      pattern,
    });
  }
  return operations;
}

function describe(
  parsers: readonly unknown[],
  io: "input" | "output",
  options: RestOperationsOptions,
  where: string,
): JsonSchema {
  const schemas = parsers.map((parser) => jsonSchemaOf(parser, io, options.jsonSchemaOptions?.(io)));
  if (schemas.some((schema) => schema === undefined)) {
    throw new Error(`${where}: its ${io} parser does not describe itself as JSON Schema, so REST cannot carry it.`);
  }
  return schemas.length === 1 ? (schemas[0] as JsonSchema) : { allOf: schemas as JsonSchema[] };
}
