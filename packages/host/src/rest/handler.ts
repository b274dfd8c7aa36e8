import type { IncomingMessage, ServerResponse } from "node:http";
import type { JsonSchema } from "@ticketing/rpc/contract";
import { describeIssues, issuesOf, segmentName } from "@ticketing/rpc/server";
import { type TRPC_ERROR_CODE_KEY, TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import { type Admitted, createGuards, errorHeaders, type Guards } from "../guards";
import { sendJson } from "../http";
import type { RestErrorBody } from "./openapi";
import { type RestOperation, typesOf } from "./operations";

export interface RestHandlerOptions<TDescribed = undefined> {
  /** The routes (restOperations of the router). */
  operations: readonly RestOperation[];
  /** Where they are mounted (`/api/v1`); the document is served at `<prefix>/openapi.json`. */
  prefix: string;
  /** The OpenAPI document, built on its first request. */
  document(): unknown;
  /**
   * The router's caller for one request (tRPC's `createCaller` with this request's context),
   * so validation, authorization, idempotency and error codes are the procedure's own.
   * `onReplay` is for the idempotency layer to call when it answers a stored outcome.
   */
  caller(req: IncomingMessage, call: Admitted<TDescribed> & { requestId: string }, hooks: { onReplay(): void }): object;
  /**
   * The host's guards, shared with /trpc (CSRF, the deadline header, the per-address limit:
   * one call per request, body size). Default: guards with no limit.
   */
  guards?: Guards<TDescribed>;
  maxBodyBytes: number;
}

export function errorBody(
  code: TRPC_ERROR_CODE_KEY,
  message: string,
  fieldErrors: Record<string, string[]> = {},
): RestErrorBody {
  return { error: { code, message, fieldErrors } };
}

const NO_STORE = { "cache-control": "no-store" };
const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) =>
  sendJson(res, status, JSON.stringify(body), NO_STORE, headers);

/**
 * A TRPCError as the REST envelope: the procedure's code and message; for invalid input, each
 * issue under its top-level field (what the form beside it would show), and the message
 * /trpc gives for the same input (`describeIssues`). An internal error says nothing of itself.
 */
export function toRestError(error: TRPCError): { status: number; body: RestErrorBody } {
  const status = getHTTPStatusCodeFromError(error);
  const issues = error.code === "BAD_REQUEST" ? issuesOf(error.cause) : undefined;
  if (issues) {
    const fieldErrors: Record<string, string[]> = {};
    for (const issue of issues) {
      const field = issue.path?.[0];
      if (field === undefined) continue;
      const name = segmentName(field);
      fieldErrors[name] = [...(fieldErrors[name] ?? []), issue.message];
    }
    return { status, body: errorBody("BAD_REQUEST", describeIssues(issues), fieldErrors) };
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

/**
 * Text from a URL as the field's JSON type: a number where the schema takes one and the text
 * is one, a boolean likewise; anything else stays text, for the schema to refuse by name.
 */
function fromText(text: string, schema: JsonSchema | undefined): unknown {
  const types = typesOf(schema);
  if (types.includes("integer") && /^-?\d+$/.test(text)) return Number(text);
  if (types.includes("number") && /^-?\d+(\.\d+)?$/.test(text)) return Number(text);
  if (types.includes("boolean") && (text === "true" || text === "false")) return text === "true";
  return text;
}

/** The procedure's input from the URL (path and query) and the JSON body. */
function inputOf(operation: RestOperation, match: RegExpExecArray, query: URLSearchParams, body: unknown): unknown {
  const { fields } = operation;
  const fromUrl: Record<string, unknown> = {};
  operation.pathParams.forEach((param, index) => {
    fromUrl[param.field] = fromText(decodePathSegment(match[index + 1] ?? ""), fields[param.field]);
  });
  for (const name of operation.queryParams) {
    const field = fields[name];
    // Empty values count as absent: a form or a template leaves `?status=` for "any".
    const values = query.getAll(name).filter((value) => value !== "");
    if (values.length === 0) continue;
    if (typesOf(field).includes("array")) {
      fromUrl[name] = values.map((value) => fromText(value, field?.items as JsonSchema | undefined));
    } else {
      fromUrl[name] = fromText(values[0] as string, field);
    }
  }
  if (!operation.hasBody) return operation.input ? fromUrl : undefined;
  if (operation.pathParams.length === 0) return body;
  // The path's fields win over the body's: the URL names the resource.
  return typeof body === "object" && body !== null && !Array.isArray(body)
    ? { ...body, ...fromUrl }
    : (body ?? fromUrl);
}

/** Calls `name` (dotted for a nested router) on a tRPC caller. */
function callProcedure(caller: object, name: string, input: unknown): Promise<unknown> {
  let target: unknown = caller;
  for (const segment of name.split(".")) target = Reflect.get(target as object, segment);
  if (typeof target !== "function") throw new Error(`The caller has no procedure ${name}.`);
  return Promise.resolve(target(input));
}

/**
 * The REST router: matches a request to an operation, refuses what the host refuses on every
 * entry point (cross-site writes, other media types, bodies over the limit, callers over the
 * address limit), builds the procedure's input from the path, the query and the body, calls
 * the procedure, and answers its output with the route's status (its replay status when the
 * idempotency layer answered a stored outcome) or its error in the REST envelope.
 */
export function createRestHandler<TDescribed = undefined>(options: RestHandlerOptions<TDescribed>) {
  const guards = options.guards ?? (createGuards() as Guards<TDescribed>);
  const prefix = options.prefix.replace(/\/+$/, "");
  const documentPath = `${prefix}/openapi.json`;
  // Literal segments before placeholders: `/events/featured` wins over `/events/{id}`.
  const operations = [...options.operations].sort((a, b) => a.pathParams.length - b.pathParams.length);
  let document: unknown;

  return async function handle(req: IncomingMessage, res: ServerResponse, requestId: string): Promise<void> {
    let url: URL;
    try {
      url = new URL(req.url ?? "/", "http://localhost");
    } catch {
      // An absolute-form target node:http let through but no URL parser reads (`http://[`).
      req.resume();
      return send(res, 400, errorBody("BAD_REQUEST", "The request target is not a valid URL."));
    }
    const path = url.pathname.replace(/\/+$/, "");
    if (path === documentPath && req.method === "GET") {
      document ??= options.document();
      return send(res, 200, document);
    }
    const candidates = operations.filter((operation) => operation.pattern.test(path));
    const operation = candidates.find((candidate) => candidate.method === req.method);
    if (!operation) {
      req.resume();
      if (candidates.length > 0) {
        return send(res, 405, errorBody("METHOD_NOT_SUPPORTED", `${req.method} is not supported on ${path}.`), {
          allow: [...new Set(candidates.map((candidate) => candidate.method))].join(", "),
        });
      }
      return send(res, 404, errorBody("NOT_FOUND", `No route ${path}. See ${documentPath}.`));
    }
    const admitted = await guards.admit(req, { calls: 1 });
    if (!admitted.ok) {
      const { status, code, message, headers } = admitted.refused;
      return send(res, status, errorBody(code, message), headers);
    }
    let body: unknown;
    if (operation.hasBody) {
      const read = await guards.readBody(req, options.maxBodyBytes, admitted.traceContext);
      if (!read.ok) {
        const { status, code, message, headers } = read.refused;
        return send(res, status, errorBody(code, message), headers);
      }
      try {
        body = JSON.parse(read.body?.toString("utf8") || "null");
      } catch {
        return send(res, 400, errorBody("BAD_REQUEST", "The body is not valid JSON."));
      }
    } else {
      req.resume();
    }
    let replayed = false;
    const caller = options.caller(
      req,
      { ...admitted, requestId },
      {
        onReplay: () => {
          replayed = true;
        },
      },
    );
    const match = operation.pattern.exec(path) as RegExpExecArray;
    try {
      const output = await callProcedure(caller, operation.name, inputOf(operation, match, url.searchParams, body));
      const status =
        replayed && operation.route.replayStatus !== undefined
          ? operation.route.replayStatus
          : (operation.route.status ?? 200);
      send(res, status, output);
    } catch (error) {
      const rpcError =
        error instanceof TRPCError ? error : new TRPCError({ code: "INTERNAL_SERVER_ERROR", cause: error });
      const failure = toRestError(rpcError);
      send(res, failure.status, failure.body, errorHeaders([rpcError]));
    }
  };
}
