import type { IncomingMessage, ServerResponse } from "node:http";
import { appRouter, type Context, createCaller, type ProcedureMeta, type RequestInfo } from "@ticketing/api";
import {
  bookingOutput,
  createBookingInput,
  eventIdInput,
  eventOutput,
  listEventsInput,
  listEventsOutput,
} from "@ticketing/api/schemas";
import { listProcedures } from "@ticketing/rpc/contract";
import {
  crossSiteRefusal,
  type RequestRateLimit,
  readBody,
  retryAfterMsOf,
  retryAfterSeconds,
} from "@ticketing/rpc/server";
import { type AnyRouter, type TRPC_ERROR_CODE_KEY, TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import { z } from "zod";

/**
 * Public REST for partners without a tRPC client, served by the same procedures: each route
 * calls the procedure through a server-side caller, so input validation, authorization,
 * idempotency and errors are the procedure's own. Only the envelope differs: plain JSON
 * (no superjson; dates are ISO strings), the HTTP statuses of the README's wire contract, and errors as
 * `{ "error": { "code", "message", "fieldErrors" } }`.
 */

const MAX_BODY_BYTES = 1024 * 1024;

export interface RestHandlerOptions {
  /** The same context factory as /trpc, given what the transport saw. */
  createContext(info: RequestInfo): Context;
  requestInfo(req: IncomingMessage, requestId: string): RequestInfo;
  allowedOrigins: readonly string[];
  /** The per-address limiter of /trpc; one call per request. */
  rateLimit?: RequestRateLimit;
  serverUrl?: string;
}

type Route = {
  method: "GET" | "POST";
  match: (path: string) => Record<string, string> | null;
  run(caller: ReturnType<typeof createCaller>, request: ParsedRequest): Promise<{ status: number; body: unknown }>;
};

type ParsedRequest = { params: Record<string, string>; query: URLSearchParams; body: unknown; replayed(): boolean };

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
    "cache-control": "no-store",
    ...headers,
  });
  res.end(text);
}

export function errorBody(code: TRPC_ERROR_CODE_KEY, message: string, fieldErrors: Record<string, string[]> = {}) {
  return { error: { code, message, fieldErrors } };
}

/** A TRPCError as the REST envelope: the procedure's code and message, zod's field errors. */
function toRestError(error: TRPCError): { status: number; body: ReturnType<typeof errorBody> } {
  const status = getHTTPStatusCodeFromError(error);
  if (error.cause instanceof z.core.$ZodError) {
    const flat = z.flattenError(error.cause);
    const fieldErrors = Object.fromEntries(
      Object.entries(flat.fieldErrors).filter((entry): entry is [string, string[]] => Array.isArray(entry[1])),
    );
    const first = error.cause.issues[0];
    const where = first?.path.length ? `${first.path.map(String).join(".")}: ` : "";
    return {
      status,
      body: errorBody("BAD_REQUEST", `Invalid input — ${where}${first?.message ?? "invalid"}`, fieldErrors),
    };
  }
  const hidden = error.code === "INTERNAL_SERVER_ERROR";
  return { status, body: errorBody(error.code, hidden ? "Internal server error" : error.message) };
}

/** A path segment as text; one that is not valid percent-encoding (`%E0%A4%A`) stays as sent. */
function decodePathSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** Query parameters as listEvents' input: numbers where the schema has numbers, absent when empty. */
function listEventsQuery(query: URLSearchParams): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  for (const name of ["query", "status", "cursor"] as const) {
    const value = query.get(name);
    if (value !== null && value !== "") input[name] = value;
  }
  const limit = query.get("limit");
  if (limit !== null && limit !== "") input.limit = /^-?\d+$/.test(limit) ? Number(limit) : limit;
  return input;
}

const routes: Route[] = [
  {
    method: "GET",
    match: (path) => (path === "/api/v1/events" ? {} : null),
    run: async (caller, { query }) => ({
      status: 200,
      body: await caller.listEvents(listEventsQuery(query) as z.input<typeof listEventsInput>),
    }),
  },
  {
    method: "GET",
    match: (path) => {
      const found = /^\/api\/v1\/events\/([^/]+)$/.exec(path);
      // A segment that is not valid percent-encoding is still this route: getEvent refuses
      // its id as it refuses any other id that is not a UUID (400, with field errors).
      return found?.[1] ? { id: decodePathSegment(found[1]) } : null;
    },
    run: async (caller, { params }) => ({ status: 200, body: await caller.getEvent({ eventId: params.id ?? "" }) }),
  },
  {
    method: "POST",
    match: (path) => (path === "/api/v1/bookings" ? {} : null),
    run: async (caller, { body, replayed }) => {
      const booking = await caller.createBooking(body as z.input<typeof createBookingInput>);
      return { status: replayed() ? 200 : 201, body: booking };
    },
  },
];

export function createRestHandler(options: RestHandlerOptions) {
  const allowed = new Set(options.allowedOrigins);
  let document: unknown;

  return async function handle(req: IncomingMessage, res: ServerResponse, requestId: string): Promise<void> {
    const url = new URL(req.url ?? "/", "http://localhost");
    const path = url.pathname.replace(/\/+$/, "");
    if (path === "/api/v1/openapi.json" && req.method === "GET") {
      document ??= openApiDocument(options.serverUrl);
      return send(res, 200, document);
    }
    const candidates = routes.filter((route) => route.match(path) !== null);
    const route = candidates.find((candidate) => candidate.method === req.method);
    if (!route) {
      req.resume();
      if (candidates.length > 0) {
        return send(res, 405, errorBody("METHOD_NOT_SUPPORTED", `${req.method} is not supported on ${path}.`), {
          allow: candidates.map((candidate) => candidate.method).join(", "),
        });
      }
      return send(res, 404, errorBody("NOT_FOUND", `No route ${path}. See /api/v1/openapi.json.`));
    }
    const refusal = crossSiteRefusal(req, allowed);
    if (refusal) {
      req.resume();
      return send(res, refusal.status, errorBody(refusal.code, refusal.message));
    }
    const limitKey = options.rateLimit?.key(req);
    if (options.rateLimit && limitKey !== undefined) {
      const waitMs = await options.rateLimit.limiter.take(limitKey, 1);
      if (waitMs > 0) {
        req.resume();
        const seconds = retryAfterSeconds(waitMs);
        return send(res, 429, errorBody("TOO_MANY_REQUESTS", `Too many requests; try again in ${seconds} s.`), {
          "retry-after": String(seconds),
        });
      }
    }
    let body: unknown;
    if (route.method === "POST") {
      const read = await readBody(req, MAX_BODY_BYTES);
      if (!read.ok) {
        return send(
          res,
          413,
          errorBody("PAYLOAD_TOO_LARGE", `Request bodies are limited to ${MAX_BODY_BYTES} bytes.`),
          { connection: "close" },
        );
      }
      try {
        body = JSON.parse(read.body?.toString("utf8") || "null");
      } catch {
        return send(res, 400, errorBody("BAD_REQUEST", "The body is not valid JSON."));
      }
    }
    let replayed = false;
    const onReplay = () => {
      replayed = true;
    };
    const info = { ...options.requestInfo(req, requestId), onReplay };
    const caller = createCaller(options.createContext(info));
    try {
      const result = await route.run(caller, {
        params: route.match(path) ?? {},
        query: url.searchParams,
        body,
        replayed: () => replayed,
      });
      send(res, result.status, result.body);
    } catch (error) {
      const rpcError =
        error instanceof TRPCError ? error : new TRPCError({ code: "INTERNAL_SERVER_ERROR", cause: error });
      const failure = toRestError(rpcError);
      // A procedure's own limit (per person) knows its wait; any other 429 says a second.
      const waitMs = failure.status === 429 ? (retryAfterMsOf(rpcError) ?? 1000) : 0;
      send(res, failure.status, failure.body, waitMs > 0 ? { "retry-after": String(retryAfterSeconds(waitMs)) } : {});
    }
  };
}

/**
 * JSON Schema of a zod schema as OpenAPI 3.1 takes it (dates are ISO 8601 strings on the wire;
 * response objects open to new fields).
 */
function schemaOf(schema: z.ZodType, io: "input" | "output"): Record<string, unknown> {
  const json = z.toJSONSchema(schema, {
    io,
    target: "draft-2020-12",
    unrepresentable: "any",
    override: ({ zodSchema, jsonSchema }) => {
      if (zodSchema._zod.def.type === "date") {
        jsonSchema.type = "string";
        jsonSchema.format = "date-time";
      }
      // An answer may gain fields (an additive change): a partner's validator must not refuse them.
      if (io === "output" && jsonSchema.additionalProperties === false) delete jsonSchema.additionalProperties;
    },
  }) as Record<string, unknown>;
  delete json.$schema;
  return json;
}

const errorSchema = {
  type: "object",
  required: ["error"],
  properties: {
    error: {
      type: "object",
      required: ["code", "message", "fieldErrors"],
      properties: {
        code: { type: "string", examples: ["BAD_REQUEST"] },
        message: { type: "string" },
        fieldErrors: { type: "object", additionalProperties: { type: "array", items: { type: "string" } } },
      },
    },
  },
};

const errorResponse = (description: string) => ({
  description,
  content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
});

type Operation = { operationId: string; description?: string; deprecated?: boolean; parameters?: Parameter[] };
type Parameter = { deprecated?: boolean; schema: Record<string, unknown> };

/**
 * Marks what the procedures mark: an operation whose procedure's metadata says deprecated,
 * and a parameter whose schema says so (zod's `.meta({ deprecated: true })`).
 */
function markDeprecated<T extends { paths: Record<string, Record<string, Operation>> }>(
  document: T,
  router: AnyRouter,
): T {
  const notes = new Map(
    listProcedures(router).map((procedure) => [
      procedure.name,
      (procedure.meta as ProcedureMeta | undefined)?.deprecated,
    ]),
  );
  for (const item of Object.values(document.paths)) {
    for (const operation of Object.values(item)) {
      const note = notes.get(operation.operationId);
      if (note !== undefined) {
        operation.deprecated = true;
        operation.description = `Deprecated: ${note}`;
      }
      for (const parameter of operation.parameters ?? []) {
        if (parameter.schema.deprecated === true) parameter.deprecated = true;
      }
    }
  }
  return document;
}

/**
 * The OpenAPI 3.1 description of these routes, generated from the procedures' own zod schemas.
 * `router` is whose deprecations it marks (a test's variant; the app's own by default).
 */
export function openApiDocument(serverUrl?: string, router: AnyRouter = appRouter) {
  return markDeprecated(describeRoutes(serverUrl), router);
}

function describeRoutes(serverUrl?: string) {
  const listQuery = schemaOf(listEventsInput, "input") as { properties: Record<string, Record<string, unknown>> };
  const parameters = Object.entries(listQuery.properties).map(([name, schema]) => ({
    name,
    in: "query",
    required: false,
    schema,
  }));
  return {
    openapi: "3.1.0",
    info: {
      title: "Ticketing public API",
      version: "1.0.0",
      description:
        "For partners without a tRPC client: the same procedures as /trpc, as plain JSON. Authenticate with `Authorization: Bearer <token>` (from signIn). Dates are ISO 8601 strings.",
    },
    ...(serverUrl && { servers: [{ url: serverUrl }] }),
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer" } },
      schemas: {
        Error: errorSchema,
        EventPage: schemaOf(listEventsOutput, "output"),
        Event: schemaOf(eventOutput, "output"),
        CreateBooking: schemaOf(createBookingInput, "input"),
        Booking: schemaOf(bookingOutput, "output"),
      },
    },
    paths: {
      "/api/v1/events": {
        get: {
          operationId: "listEvents",
          summary: "Upcoming events, soonest first, a page at a time",
          parameters,
          responses: {
            "200": {
              description: "A page of events; pass nextCursor as cursor for the next one",
              content: { "application/json": { schema: { $ref: "#/components/schemas/EventPage" } } },
            },
            "400": errorResponse("Invalid query parameters, with field errors"),
          },
        },
      },
      "/api/v1/events/{id}": {
        get: {
          operationId: "getEvent",
          summary: "One event with its venue, price tiers and seat counts",
          parameters: [
            { name: "id", in: "path", required: true, schema: schemaOf(eventIdInput.shape.eventId, "input") },
          ],
          responses: {
            "200": {
              description: "The event",
              content: { "application/json": { schema: { $ref: "#/components/schemas/Event" } } },
            },
            "400": errorResponse("The id is not a UUID"),
            "404": errorResponse("No such event"),
          },
        },
      },
      "/api/v1/bookings": {
        post: {
          operationId: "createBooking",
          summary: "Hold seats for a new booking (10 minutes)",
          security: [{ bearer: [] }],
          parameters: [
            {
              name: "Idempotency-Key",
              in: "header",
              required: false,
              description:
                "8–128 visible ASCII characters. A repeat with the same key and body answers the first outcome (200) instead of booking again; the same key with another body is 422.",
              schema: { type: "string", minLength: 8, maxLength: 128 },
            },
          ],
          requestBody: {
            required: true,
            content: { "application/json": { schema: { $ref: "#/components/schemas/CreateBooking" } } },
          },
          responses: {
            "201": {
              description: "Booked: the seats are held",
              content: { "application/json": { schema: { $ref: "#/components/schemas/Booking" } } },
            },
            "200": {
              description: "A repeat of a keyed request: the booking it made",
              content: { "application/json": { schema: { $ref: "#/components/schemas/Booking" } } },
            },
            "400": errorResponse("Invalid body, with field errors"),
            "401": errorResponse("No valid Bearer token"),
            "403": errorResponse("Not allowed, or a cross-site request"),
            "404": errorResponse("No such event"),
            "409": errorResponse("The seats are taken, or the event is sold out"),
            "412": errorResponse("The event is not on sale"),
            "415": errorResponse("The body is not application/json"),
            "422": errorResponse("The Idempotency-Key was used with another body"),
            "429": errorResponse("Over a rate limit"),
          },
        },
      },
    },
  };
}
