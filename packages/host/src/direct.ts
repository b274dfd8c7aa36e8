import type { IncomingMessage, ServerResponse } from "node:http";
import {
  type AnyTRPCRouter,
  getTRPCErrorFromUnknown,
  getTRPCErrorShape,
  type inferRouterContext,
  type inferRouterError,
  type TRPCError,
  TRPCError as TRPCErrorClass,
  transformTRPCResponse,
} from "@trpc/server";
import { getHTTPStatusCode, type TRPCRequestInfo } from "@trpc/server/http";
import {
  type AnyProcedure,
  emptyObject,
  getProcedureAtPath,
  isAsyncIterable,
  isObject,
  isPromise,
  middlewareMarker,
  type ProcedureCallOptions,
  type ProcedureType,
  type TRPCResponse,
} from "@trpc/server/unstable-core-do-not-import";
import { errorHeaders } from "./guards";

/**
 * The direct path: serves plain query GETs and non-streaming POSTs by calling the
 * procedures straight from node:http, without building fetch `Request`/`Response`
 * objects. It follows tRPC 11's `resolveResponse` step by step (lazy input parsing, the
 * context error surfacing per call, status from the error shapes, `vary`, headers set by
 * the context), so clients see the same statuses, headers and bodies as from the fetch
 * adapter. Whatever it does not handle — subscriptions, streamed batches, HEAD, other
 * media types, unusual URLs, oversized batches, connection params, mixed procedure
 * types — it leaves to the fetch adapter by answering `"fallback"` before any call ran.
 */

/** Procedure paths the direct path takes as they are: names joined by dots and commas. */
const PLAIN_PATHS = /^[A-Za-z0-9_$]+(?:\.[A-Za-z0-9_$]+)*(?:,[A-Za-z0-9_$]+(?:\.[A-Za-z0-9_$]+)*)*$/;
/** A URL the WHATWG parser would leave byte for byte as it came (no spaces, no fragment, ASCII). */
const UNTOUCHED_URL = /^[\x21-\x22\x24-\x7e]*$/;

export interface DirectErrorHandlerOptions<TRouter extends AnyTRPCRouter> {
  error: TRPCError;
  type: ProcedureType | "unknown";
  path: string | undefined;
  input: unknown;
  ctx: inferRouterContext<TRouter> | undefined;
  req: IncomingMessage;
}

export interface DirectCallOptions<TRouter extends AnyTRPCRouter> {
  router: TRouter;
  endpoint: string;
  maxBatchSize: number;
  req: IncomingMessage;
  res: ServerResponse;
  body: Buffer | undefined;
  /** Headers for every answer (the host's own); the answer's headers of the same name replace them. */
  baseHeaders?: Readonly<Record<string, string>>;
  signal: AbortSignal;
  createContext(opts: {
    info: TRPCRequestInfo;
    resHeaders: Headers;
  }): inferRouterContext<TRouter> | Promise<inferRouterContext<TRouter>>;
  onError?: (opts: DirectErrorHandlerOptions<TRouter>) => void;
  /**
   * The JSON text of a successful call's data, for data whose text the host keeps (an
   * answer shared by many callers, serialized once); undefined to serialize it as usual.
   * It must be `JSON.stringify(transformer.output.serialize(data))`, byte for byte.
   */
  dataText?: (data: unknown) => string | undefined;
}

type Memo<T> = { read(): Promise<T>; result(): T | undefined };

/** Reads a value once, on first use, as tRPC does for inputs (other errors become BAD_REQUEST). */
function memo<T>(fn: () => T): Memo<T> {
  let done = false;
  let value: T | undefined;
  let failure: TRPCError | undefined;
  return {
    async read() {
      if (done) return value as T;
      if (failure) throw failure;
      try {
        value = fn();
        done = true;
        return value;
      } catch (cause) {
        failure =
          cause instanceof TRPCErrorClass
            ? cause
            : new TRPCErrorClass({
                code: "BAD_REQUEST",
                message: cause instanceof Error ? cause.message : "Invalid input",
                cause,
              });
        // A failed read stays failed: every call of a batch sees the same error, as in tRPC.
        throw failure;
      }
    },
    result: () => (done ? value : undefined),
  };
}

/** tRPC's test for an answer only a stream can carry: an async iterable, or an object holding a promise or one. */
function isDataStream(value: unknown): boolean {
  if (!isObject(value)) return false;
  if (isAsyncIterable(value)) return true;
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    const item = value[key];
    if (isPromise(item) || isAsyncIterable(item)) return true;
  }
  return false;
}

/**
 * Response headers kept as tRPC's `Headers` would: lower-case names, `append` and `set`. The
 * host's base headers come first; the answer's own header of a name replaces the base one.
 */
class HeaderList {
  private readonly entries = new Map<string, string[]>();
  private readonly base = new Set<string>();
  constructor(base: Readonly<Record<string, string>> = {}) {
    for (const name in base) {
      const key = name.toLowerCase();
      this.entries.set(key, [base[name] as string]);
      this.base.add(key);
    }
  }
  set(name: string, value: string): void {
    const key = name.toLowerCase();
    this.base.delete(key);
    this.entries.set(key, [value]);
  }
  append(name: string, value: string): void {
    const key = name.toLowerCase();
    const list = this.entries.get(key);
    if (list && !this.base.delete(key)) list.push(value);
    else this.entries.set(key, [value]);
  }
  toNode(): Record<string, string | string[]> {
    const out: Record<string, string | string[]> = {};
    for (const [name, values] of this.entries) out[name] = name === "set-cookie" ? values : values.join(", ");
    return out;
  }
}

const textDecoder = new TextDecoder();

/** One level of a procedure's middleware chain as tRPC runs it; the last is the resolver. */
type ChainStep = (opts: ChainOptions) => Promise<ChainResult>;
type ChainOptions = ProcedureCallOptions<unknown> & {
  meta?: unknown;
  input?: unknown;
  next(nextOpts?: NextOptions): Promise<ChainResult>;
};
type NextOptions = { ctx?: object; input?: unknown; getRawInput?: () => Promise<unknown> };
type ChainResult = { ok: true; data: unknown } | { ok: false; error: TRPCError };

/**
 * tRPC 11's procedure caller (`createProcedureCaller` and `callRecursive`), step for step:
 * the same options at every level, a context merged only when a level adds to it, a thrown
 * error turned into a failed result at the level that threw. It builds each level's options
 * as an object literal of ProcedureCallOptions' fields, where the published build copies them
 * with a helper that defines one property at a time (a tenth of the server's time on a cached
 * read), and a spread of the level before still cost a third of the call (bench/src/call-cost.ts:
 * 15 µs per cached getEvent with spreads, 11 with literals; tRPC's own caller 27). A field
 * tRPC adds to those options in a later release is not carried: the release check
 * (trpc-version.ts) keeps this path off such a release until direct.test.ts says otherwise. A
 * procedure with a caller override is called as tRPC would call it.
 */
export async function invokeProcedure(procedure: AnyProcedure, opts: ProcedureCallOptions<unknown>): Promise<unknown> {
  const def = procedure._def as AnyProcedure["_def"] & { caller?: unknown; middlewares: ChainStep[] };
  if (def.caller) return procedure(opts);
  const middlewares = def.middlewares;
  const meta = def.meta;
  const call = async (
    index: number,
    current: ProcedureCallOptions<unknown> & { input?: unknown },
  ): Promise<ChainResult> => {
    try {
      const middleware = middlewares[index] as ChainStep;
      // Each level's options as literals of ProcedureCallOptions' fields (what tRPC's spread of
      // them copies), which V8 builds faster than a spread of the level before.
      return await middleware({
        ctx: current.ctx,
        getRawInput: current.getRawInput,
        path: current.path,
        type: current.type,
        signal: current.signal,
        batchIndex: current.batchIndex,
        meta,
        input: current.input,
        next(nextOpts?: NextOptions) {
          return call(index + 1, {
            ctx: nextOpts?.ctx ? { ...(current.ctx as object), ...nextOpts.ctx } : current.ctx,
            getRawInput: nextOpts?.getRawInput ?? current.getRawInput,
            path: current.path,
            type: current.type,
            signal: current.signal,
            batchIndex: current.batchIndex,
            input: nextOpts && "input" in nextOpts ? nextOpts.input : current.input,
          });
        },
      });
    } catch (cause) {
      return { ok: false, error: getTRPCErrorFromUnknown(cause), marker: middlewareMarker } as ChainResult;
    }
  };
  const result = await call(0, opts);
  if (!result) {
    throw new TRPCErrorClass({
      code: "INTERNAL_SERVER_ERROR",
      message: "No result from middlewares - did you forget to `return next()`?",
    });
  }
  if (!result.ok) throw result.error;
  return result.data;
}

type CallResult = [TRPCError, undefined] | [undefined, { data: unknown }];

/**
 * Serves the request directly, or answers "fallback" (having written nothing) when it is one
 * the direct path leaves to the fetch adapter.
 */
export async function callDirect<TRouter extends AnyTRPCRouter>(
  opts: DirectCallOptions<TRouter>,
): Promise<"done" | "fallback"> {
  const { router, req, res } = opts;
  const method = req.method;
  if (method !== "GET" && method !== "POST") return "fallback";
  const url = req.url ?? "/";
  if (!UNTOUCHED_URL.test(url)) return "fallback";
  const trpcAccept = req.headers["trpc-accept"];
  const acceptHeader = req.headers.accept;
  if (trpcAccept !== undefined) return "fallback";
  if (acceptHeader?.split(",").some((type) => type.trim() === "application/jsonl")) return "fallback";
  const contentType = req.headers["content-type"];
  if (method === "GET" && contentType !== undefined) {
    if (contentType.toLowerCase().split(";", 1)[0]?.trim() !== "application/json") return "fallback";
  }

  const queryAt = url.indexOf("?");
  const pathname = queryAt === -1 ? url : url.slice(0, queryAt);
  const prefix = `${opts.endpoint.replace(/\/+$/, "")}/`;
  if (!pathname.startsWith(prefix)) return "fallback";
  const path = pathname.slice(prefix.length);
  if (!PLAIN_PATHS.test(path)) return "fallback";
  const search = new URLSearchParams(queryAt === -1 ? "" : url.slice(queryAt + 1));
  if (search.has("connectionParams")) return "fallback";
  const isBatchCall = search.get("batch") === "1";
  const paths = isBatchCall ? path.split(",") : [path];
  if (isBatchCall && paths.length > opts.maxBatchSize) return "fallback";

  const procedures: (AnyProcedure | null)[] = [];
  const types = new Set<ProcedureType>();
  for (const name of paths) {
    const procedure = await getProcedureAtPath(router, name);
    if (procedure?._def.type === "subscription") return "fallback";
    if (procedure) types.add(procedure._def.type);
    procedures.push(procedure);
  }
  if (types.size > 1) return "fallback";
  const type: ProcedureType | "unknown" = types.values().next().value ?? "unknown";

  const config = router._def._config;
  const inputs = memo((): Record<number, unknown> => {
    let raw: unknown;
    if (method === "GET") {
      const query = search.get("input");
      if (query) raw = JSON.parse(query);
    } else {
      raw = JSON.parse(textDecoder.decode(opts.body ?? new Uint8Array()));
    }
    const record: Record<number, unknown> = emptyObject();
    if (raw === undefined) return record;
    if (!isBatchCall) {
      record[0] = config.transformer.input.deserialize(raw);
      return record;
    }
    if (!isObject(raw)) {
      throw new TRPCErrorClass({
        code: "BAD_REQUEST",
        message: '"input" needs to be an object when doing a batch call',
      });
    }
    for (const index of paths.keys()) {
      const input = raw[index];
      if (input !== undefined) record[index] = config.transformer.input.deserialize(input);
    }
    return record;
  });

  const info: TRPCRequestInfo = {
    isBatchCall,
    accept: null,
    calls: paths.map((name, index) => ({
      batchIndex: index,
      path: name,
      procedure: procedures[index] ?? null,
      getRawInput: async () => (await inputs.read())[index],
      result: () => inputs.result()?.[index],
    })),
    type,
    connectionParams: null,
    signal: opts.signal,
    url: null,
  };

  const headers = new HeaderList(opts.baseHeaders);
  headers.set("vary", "trpc-accept, accept");
  const resHeaders = new Headers();
  let ctx: inferRouterContext<TRouter> | undefined;
  let ctxError: TRPCError | undefined;
  const onError = (error: TRPCError, path: string | undefined, input: unknown, callType: ProcedureType | "unknown") =>
    opts.onError?.({ error, path, input, ctx, type: callType, req });

  /** tRPC's `initResponse`: status from the error shapes, then the context's and meta headers. */
  const initResponse = (
    untransformed:
      | TRPCResponse<unknown, inferRouterError<TRouter>>
      | TRPCResponse<unknown, inferRouterError<TRouter>>[],
    errors: readonly TRPCError[],
  ): number => {
    const status = getHTTPStatusCode(untransformed);
    for (const [name, value] of Object.entries(errorHeaders(errors))) resHeaders.set(name, value);
    for (const [name, value] of resHeaders) headers.append(name, value);
    return status;
  };
  const send = (status: number, body: string) => {
    if (res.headersSent || res.destroyed) return;
    const out = headers.toNode();
    out["content-length"] = String(Buffer.byteLength(body));
    res.writeHead(status, out);
    res.end(body);
  };
  /**
   * tRPC's transformTRPCResponse: a success is built as the same JSON directly, without the
   * copies its spread helper makes of each item (they showed in profiles of batches).
   */
  const wire = (response: TRPCResponse<unknown, inferRouterError<TRouter>>) =>
    "result" in response
      ? { result: { data: config.transformer.output.serialize(response.result.data) } }
      : transformTRPCResponse(config, response);
  /** One response's JSON; a success whose data has kept text is spliced in, not re-serialized. */
  const wireText = (
    response: TRPCResponse<unknown, inferRouterError<TRouter>>,
    text = "result" in response ? opts.dataText?.(response.result.data) : undefined,
  ) => (text === undefined ? JSON.stringify(wire(response)) : `{"result":{"data":${text}}}`);
  const shapeOf = (error: TRPCError, index: number) => {
    const call = info.calls[index];
    return getTRPCErrorShape({
      config,
      ctx,
      error,
      input: call?.result(),
      path: call?.path,
      type: call?.procedure?._def.type ?? "unknown",
    });
  };

  try {
    try {
      ctx = await opts.createContext({ info, resHeaders });
    } catch (cause) {
      ctxError = getTRPCErrorFromUnknown(cause);
    }

    const calls = info.calls.map(async (call): Promise<CallResult> => {
      const procedure = call.procedure;
      try {
        if (!procedure) {
          throw new TRPCErrorClass({ code: "NOT_FOUND", message: `No procedure found on path "${call.path}"` });
        }
        const accepted = procedure._def.type === "mutation" ? "POST" : "GET";
        if (method !== accepted) {
          throw new TRPCErrorClass({
            code: "METHOD_NOT_SUPPORTED",
            message: `Unsupported ${method}-request to ${procedure._def.type} procedure at path "${call.path}"`,
          });
        }
        if (ctxError) throw ctxError;
        const data: unknown = await invokeProcedure(procedure, {
          path: call.path,
          getRawInput: call.getRawInput,
          ctx,
          type: procedure._def.type,
          signal: opts.signal,
          batchIndex: call.batchIndex,
        });
        return [undefined, { data }];
      } catch (cause) {
        const error = getTRPCErrorFromUnknown(cause);
        onError(error, call.path, call.result(), procedure?._def.type ?? "unknown");
        return [error, undefined];
      }
    });

    headers.set("content-type", "application/json");
    if (!isBatchCall) {
      const [error, result] = (await calls[0]) as CallResult;
      // Data with kept JSON text is plain by construction: it was serialized already.
      const text = result ? opts.dataText?.(result.data) : undefined;
      if (result && text === undefined && isDataStream(result.data)) {
        throw new TRPCErrorClass({
          code: "UNSUPPORTED_MEDIA_TYPE",
          message: "Cannot use stream-like response in non-streaming request - use httpBatchStreamLink",
        });
      }
      const response: TRPCResponse<unknown, inferRouterError<TRouter>> = error
        ? { error: shapeOf(error, 0) }
        : { result: { data: result?.data } };
      const status = initResponse([response], error ? [error] : []);
      send(status, wireText(response, text));
      return "done";
    }

    const results = (await Promise.all(calls)).map((outcome): CallResult => {
      const [error, result] = outcome;
      if (error) return outcome;
      if (isDataStream(result.data)) {
        return [
          new TRPCErrorClass({
            code: "UNSUPPORTED_MEDIA_TYPE",
            message: "Cannot use stream-like response in non-streaming request - use httpBatchStreamLink",
          }),
          undefined,
        ];
      }
      return outcome;
    });
    const responses = results.map(
      ([error, result], index): TRPCResponse<unknown, inferRouterError<TRouter>> =>
        error ? { error: shapeOf(error, index) } : { result: { data: result?.data } },
    );
    const errors = results.flatMap(([error]) => (error ? [error] : []));
    const status = initResponse(responses, errors);
    send(status, `[${responses.map((response) => wireText(response)).join(",")}]`);
    return "done";
  } catch (cause) {
    // As in tRPC: a stream-like result outside a batch, or a response that would not serialize.
    const error = getTRPCErrorFromUnknown(cause);
    onError(error, undefined, undefined, type);
    const response = {
      error: getTRPCErrorShape({ config, error, type, path: undefined, input: undefined, ctx }),
    };
    const body = JSON.stringify(transformTRPCResponse(config, response));
    const status = initResponse(response, [error]);
    send(status, body);
    return "done";
  }
}
