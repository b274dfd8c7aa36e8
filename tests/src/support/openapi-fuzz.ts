import fc from "fast-check";
import {
  bodies,
  type Caller,
  CONTENT_TYPES,
  type FuzzRequest,
  type KnownIds,
  type PlainRequest,
  toJson,
  values,
  withDescription,
} from "./fuzz";

/** The parts of JSON Schema (as OpenAPI 3.1 carries it) that the served document uses. */
interface Schema {
  $ref?: string;
  type?: string;
  format?: string;
  pattern?: string;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: string[];
  anyOf?: Schema[];
  oneOf?: Schema[];
}

interface Parameter {
  name: string;
  in: "path" | "query" | "header";
  required?: boolean;
  schema: Schema;
}

interface Operation {
  operationId?: string;
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema: Schema }> };
}

export interface OpenApiDocument {
  paths: Record<string, Partial<Record<"get" | "post" | "put" | "patch" | "delete", Operation>>>;
  components?: { schemas?: Record<string, Schema> };
}

const BROKEN_SEGMENTS = [
  "%E0%A4%A",
  "%",
  "%FF%FE",
  "%C0%AF",
  "%00",
  "..",
  "%2e%2e",
  "%2F",
  "a%20b",
  "__proto__",
  "constructor",
  "%F0%9D%95%8F",
];
const BROKEN_QUERY_VALUES = ["%E0%A4%A", "%", "%FF", "1e309", "NaN", "-1", "0", "1.5", "0x10", " 1", "", "%00", "true"];
const BROKEN_KEYS = ["short", "k".repeat(200), "has space inside", "tab\there-1234", "ünïcödé-1234", ""];

/** Resolves `#/components/schemas/X`. */
function resolve(schema: Schema, document: OpenApiDocument): Schema {
  if (!schema.$ref) return schema;
  const name = schema.$ref.replace("#/components/schemas/", "");
  const target = document.components?.schemas?.[name];
  if (!target) throw new Error(`The document refers to ${schema.$ref}, which it does not define`);
  return resolve(target, document);
}

/** Values a schema accepts, using known ids for UUIDs so that some requests reach real rows. */
function valid(schema: Schema, document: OpenApiDocument, known: KnownIds): fc.Arbitrary<unknown> {
  const s = resolve(schema, document);
  if (s.enum) return fc.constantFrom(...s.enum);
  const choices = s.anyOf ?? s.oneOf;
  if (choices) return fc.oneof(...choices.map((choice) => valid(choice, document, known)));
  switch (s.type) {
    case "string":
      if (s.format === "uuid") return fc.oneof(fc.constantFrom(...known.eventIds, ...known.seatIds), fc.uuid());
      if (s.format === "date-time") return fc.date({ noInvalidDate: true }).map((date) => date.toISOString());
      if (s.pattern) return fc.stringMatching(new RegExp(s.pattern));
      return fc.string({ minLength: s.minLength ?? 0, maxLength: Math.min(s.maxLength ?? 40, 200) });
    case "integer":
      return fc.integer({ min: s.minimum ?? -1_000, max: s.maximum ?? 1_000 });
    case "number":
      return fc.double({ min: s.minimum ?? -1_000, max: s.maximum ?? 1_000, noNaN: true });
    case "boolean":
      return fc.boolean();
    case "array":
      return fc.array(valid(s.items ?? {}, document, known), {
        minLength: s.minItems ?? 0,
        maxLength: Math.min(s.maxItems ?? 5, 20),
      });
    case "object": {
      const properties = s.properties ?? {};
      const arbitraries = Object.fromEntries(
        Object.entries(properties).map(([name, property]) => [name, valid(property, document, known)]),
      );
      return fc.record(arbitraries, { requiredKeys: (s.required ?? []).filter((name) => name in properties) });
    }
    default:
      return values(known).value;
  }
}

/** Mostly what the schema accepts; else any value at all (wrong types, injections, huge strings). */
function anyOf(schema: Schema, document: OpenApiDocument, known: KnownIds): fc.Arbitrary<unknown> {
  const s = resolve(schema, document);
  const wrong = values(known).value;
  if (s.type === "object" && s.properties) {
    // A valid object with one field broken: it passes everything but that field's check.
    const broken = fc
      .tuple(valid(s, document, known), fc.constantFrom(...Object.keys(s.properties)), wrong)
      .map(([value, name, field]) => ({ ...(value as Record<string, unknown>), [name]: field }));
    return fc.oneof({ weight: 4, arbitrary: valid(s, document, known) }, { weight: 3, arbitrary: broken }, wrong);
  }
  return fc.oneof({ weight: 3, arbitrary: valid(s, document, known) }, wrong);
}

/** Percent-encoded UTF-8; a lone surrogate (which encodeURIComponent refuses) is sent as U+FFFD. */
function percentEncode(text: string): string {
  return Array.from(Buffer.from(text, "utf8"), (byte) =>
    /[A-Za-z0-9\-_.~]/.test(String.fromCharCode(byte))
      ? String.fromCharCode(byte)
      : `%${byte.toString(16).padStart(2, "0")}`,
  ).join("");
}

/** A query or path value as text: a valid or wrong value, percent-encoded, or raw broken text. */
function textOf(schema: Schema, document: OpenApiDocument, known: KnownIds, raw: readonly string[]) {
  const encoded = anyOf(schema, document, known).map((value) =>
    percentEncode(typeof value === "string" ? value : (JSON.stringify(value) ?? "")),
  );
  return fc.oneof(
    { weight: 5, arbitrary: encoded },
    { weight: 2, arbitrary: fc.constantFrom(...raw) },
    fc.integer({ min: 2_000, max: 20_000 }).map((length) => "9".repeat(length)),
  );
}

const visible = (value: string) => value.replace(/[^\x20-\x7e]/g, "?");

/**
 * Generated requests to the REST routes, from the served OpenAPI document: every path and
 * method it declares, each parameter (path, query, header) and body in valid and broken forms
 * (bad percent-encoding, wrong types, huge values, bad JSON, wrong content types, bad
 * Idempotency-Keys), methods and paths it does not declare.
 */
export function openApiRequests(document: OpenApiDocument, known: KnownIds): fc.Arbitrary<FuzzRequest> {
  const caller = fc.constantFrom<Caller>("anonymous", "customer", "organizer", "admin", "service", "forged");
  const crossSite = fc.oneof(
    { weight: 6, arbitrary: fc.constant({}) },
    fc.record(
      {
        origin: fc.constantFrom("https://evil.example", "null", "http://localhost:3000"),
        "sec-fetch-site": fc.constantFrom("cross-site", "same-site", "same-origin", "none"),
      },
      { requiredKeys: [] },
    ),
  );
  const operations = Object.entries(document.paths).flatMap(([template, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({ template, method: method.toUpperCase(), operation })),
  );
  if (operations.length === 0) throw new Error("The OpenAPI document declares no operations");

  const declared = operations.map(({ template, method, operation }) => {
    const parameters = operation?.parameters ?? [];
    const pathParameters = parameters.filter((parameter) => parameter.in === "path");
    const queryParameters = parameters.filter((parameter) => parameter.in === "query");
    const headerParameters = parameters.filter((parameter) => parameter.in === "header");
    const bodySchema = operation?.requestBody?.content["application/json"]?.schema;

    const path = fc
      .tuple(...pathParameters.map((parameter) => textOf(parameter.schema, document, known, BROKEN_SEGMENTS)))
      .map((texts) =>
        pathParameters.reduce((built, parameter, i) => built.replace(`{${parameter.name}}`, texts[i] ?? ""), template),
      );
    const query = fc
      .tuple(
        ...queryParameters.map((parameter) =>
          fc.option(textOf(parameter.schema, document, known, BROKEN_QUERY_VALUES), { nil: undefined, freq: 3 }),
        ),
        fc.constantFrom("", "&limit=1&limit=2", "&status", "&=x", "&%E0%A4%A=1", "&__proto__[x]=1"),
      )
      .map((texts) => {
        const pairs = queryParameters.flatMap((parameter, i) =>
          texts[i] === undefined ? [] : [`${parameter.name}=${texts[i]}`],
        );
        const extra = texts[queryParameters.length] ?? "";
        const text = pairs.join("&") + extra;
        return text ? `?${text.replace(/^&/, "")}` : "";
      });
    const headers = fc
      .tuple(
        ...headerParameters.map((parameter) =>
          fc.option(
            fc.oneof(
              { weight: 3, arbitrary: valid(parameter.schema, document, known).map((value) => String(value)) },
              fc.constantFrom(...BROKEN_KEYS),
            ),
            { nil: undefined, freq: 3 },
          ),
        ),
        crossSite,
      )
      .map((parts) => {
        const found: Record<string, string> = {};
        headerParameters.forEach((parameter, i) => {
          const value = parts[i];
          if (typeof value === "string") found[parameter.name.toLowerCase()] = visible(value);
        });
        return { ...found, ...(parts[headerParameters.length] as Record<string, string>) };
      });
    const body = bodySchema
      ? fc.option(
          fc.record({
            bytes: bodies(anyOf(bodySchema, document, known).map(toJson)),
            type: fc.oneof(
              { weight: 4, arbitrary: fc.constant("application/json") },
              fc.constantFrom(...CONTENT_TYPES),
            ),
          }),
          { nil: undefined, freq: 8 },
        )
      : fc.constant(undefined);

    return fc
      .record({ path, query, headers, body, caller })
      .map(({ path: built, query: search, headers: extra, body: sent, caller: who }): PlainRequest => {
        const label = `${method} ${operation?.operationId ?? template}`;
        if (!sent) return { label, method, path: `${built}${search}`, headers: extra, caller: who };
        return {
          label: `${label} (${sent.type || "no type"}, ${sent.bytes.length} bytes)`,
          method,
          path: `${built}${search}`,
          headers: { ...extra, ...(sent.type && { "content-type": sent.type }) },
          body: sent.bytes,
          caller: who,
        };
      });
  });

  const templates = operations.map(({ template }) => template.replace(/\{[^}]+\}/g, known.eventIds[0] ?? "x"));
  const undeclared = fc
    .record({
      path: fc.oneof(
        fc.constantFrom(...templates),
        fc.constantFrom(
          "/api/v1",
          "/api/v1/",
          "/api/v1/events/a/b",
          "/api/v1/bookings/1",
          "/api/v1/%E0%A4%A",
          "/api/v1//events",
        ),
      ),
      method: fc.constantFrom("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"),
      caller,
    })
    .map(
      ({ path, method, caller: who }): PlainRequest => ({
        label: `${method} ${path}`,
        method,
        path,
        headers: {},
        caller: who,
      }),
    );

  return fc
    .oneof({ weight: 10, arbitrary: fc.oneof(...declared) }, { weight: 1, arbitrary: undeclared })
    .map(withDescription);
}
