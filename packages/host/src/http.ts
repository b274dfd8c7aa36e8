import { randomUUID } from "node:crypto";
import { getEventListeners } from "node:events";
import { type IncomingMessage, type ServerResponse, STATUS_CODES } from "node:http";
import type { Duplex } from "node:stream";
import type { TraceContext } from "@ticketing/rpc/server";
import {
  type AnyTRPCRouter,
  getTRPCErrorShape,
  type inferRouterContext,
  type TRPC_ERROR_CODE_KEY,
  TRPCError,
  transformTRPCResponse,
} from "@trpc/server";
import { type FetchCreateContextFnOptions, fetchRequestHandler } from "@trpc/server/adapters/fetch";
import proxyAddr from "proxy-addr";
import { callDirect, type DirectErrorHandlerOptions } from "./direct";
import {
  bodyTooLarge,
  createGuards,
  errorHeaders,
  type Guards,
  MAX_DRAIN_BYTES,
  mediaTypeOf,
  OCTET_STREAM,
  type Refused,
} from "./guards";
import { checkDirectPath, type DirectPathCheck } from "./trpc-version";

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
export const DEFAULT_MAX_BATCH_SIZE = 50;
/** Uploads (application/octet-stream bodies) are streamed to the procedure, up to this size. */
const DEFAULT_MAX_UPLOAD_BYTES = 10 * 1024 * 1024;

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The caller's x-request-id when it is sane, else a new one; echoed on every response. */
export function requestIdOf(req: IncomingMessage): string {
  const given = req.headers["x-request-id"];
  return typeof given === "string" && REQUEST_ID.test(given) ? given : randomUUID();
}

export interface TrpcHandlerOptions<TRouter extends AnyTRPCRouter, TDescribed = undefined> {
  router: TRouter;
  /** Where procedures live: `/trpc` serves `/trpc/getEvent`. */
  endpoint: string;
  /**
   * The checks before any procedure runs (CSRF, deadline, rate limit, who is calling), shared
   * with the server's other entry points (createGuards). Default: guards with no limit and no
   * other allowed origins.
   */
  guards?: Guards<TDescribed>;
  createContext(
    opts: CreateContextOptions<TDescribed>,
  ): inferRouterContext<TRouter> | Promise<inferRouterContext<TRouter>>;
  maxBodyBytes?: number;
  /**
   * The cap on an upload: a procedure whose input is an octet stream reads the body as it
   * arrives, and past this many bytes its stream fails with PAYLOAD_TOO_LARGE.
   */
  maxUploadBytes?: number;
  maxBatchSize?: number;
  /** Told of every error a procedure call ends with (`req` is the node request). */
  onError?: (opts: DirectErrorHandlerOptions<TRouter>) => void;
  /**
   * Serve plain queries and non-streaming mutations without tRPC's fetch adapter (the
   * default; same statuses, headers and bodies, several times the throughput). `false`
   * sends every request through the fetch adapter.
   */
  directPath?: boolean;
  /**
   * Whether the installed @trpc/server is a release the direct path was checked against
   * (default: checkDirectPath()). When it is not, every request goes through the fetch
   * adapter and `onUnverifiedRelease` is told once, at creation.
   */
  releaseCheck?: DirectPathCheck;
  onUnverifiedRelease?: (check: DirectPathCheck) => void;
  /**
   * For the direct path: the kept JSON text of a call's data, if any (see
   * DirectCallOptions.dataText). Default: none, every answer is serialized.
   */
  dataText?: (data: unknown) => string | undefined;
}

/** What the context factory gets: no fetch `Request` (the direct path builds none), the node request instead. */
export type CreateContextOptions<TDescribed = undefined> = Omit<FetchCreateContextFnOptions, "req"> & {
  nodeReq: IncomingMessage;
  /** What `describe` read from the request (undefined without it). */
  described: TDescribed;
  requestId: string;
  /** When the caller stops waiting (epoch ms), from `rpc-timeout-ms`; undefined without one. */
  deadline: number | undefined;
  /** The caller's W3C trace context (ROOT when it sent none). */
  traceContext: TraceContext;
};

/** A tRPC-shaped error body, serialized through the router's own formatter and transformer. */
export function errorResponseBody(
  router: AnyTRPCRouter,
  code: TRPC_ERROR_CODE_KEY,
  message: string,
  path?: string,
): string {
  const config = router._def._config;
  const error = new TRPCError({ code, message });
  const shape = getTRPCErrorShape({ config, error, type: "unknown", path, input: undefined, ctx: undefined });
  return JSON.stringify(transformTRPCResponse(config, { error: shape }));
}

/**
 * Answers what node:http refuses before any handler runs (headers or URL over its 16 KiB
 * limit, malformed HTTP, a request too slow to arrive) with the same tRPC-shaped JSON error
 * as every other refusal, where Node alone would send a bare status line. Install it as
 * the server's `clientError` listener. `bodyFor` lets other endpoints on the same server
 * answer in their own error shape: given the request's path (when the bytes read so far
 * show one), it returns a JSON body, or undefined for tRPC's.
 */
export function answerClientError(
  router: AnyTRPCRouter,
  options: { bodyFor?(path: string | undefined, code: TRPC_ERROR_CODE_KEY, message: string): string | undefined } = {},
) {
  return (error: NodeJS.ErrnoException & { rawPacket?: unknown }, socket: Duplex): void => {
    // Answered already: the rest of what the client was sending still arrives (and fails to
    // parse again). Destroying the socket now would reset it before the client reads the
    // answer; it closes when the client does, or at the timer below.
    if (socket.writableEnded) return;
    if (error.code === "ECONNRESET" || !socket.writable) {
      socket.destroy();
      return;
    }
    const [status, code, message]: [number, TRPC_ERROR_CODE_KEY, string] =
      error.code === "HPE_HEADER_OVERFLOW"
        ? [
            431,
            "BAD_REQUEST",
            "Request headers, URL included, are limited to 16 KiB: send large inputs in a POST body.",
          ]
        : error.code === "ERR_HTTP_REQUEST_TIMEOUT"
          ? [408, "TIMEOUT", "The request took too long to arrive."]
          : [400, "BAD_REQUEST", "The request is not valid HTTP."];
    const packet = Buffer.isBuffer(error.rawPacket) ? error.rawPacket.toString("latin1", 0, 20_000) : "";
    const path = /^[A-Z]+ (\/[^ ?\r\n]*)/.exec(packet)?.[1];
    const body = options.bodyFor?.(path, code, message) ?? errorResponseBody(router, code, message);
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: application/json\r\n` +
        `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
    setTimeout(() => socket.destroy(), 5_000).unref();
  };
}

/** Whether an address is this machine's own (127.0.0.0/8, ::1, or either mapped into IPv6). */
export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const plain = address.startsWith("::ffff:") ? address.slice(7) : address;
  return plain === "::1" || plain.startsWith("127.");
}

/** Which peers may name the client in X-Forwarded-For: compiled by `trustedProxies`. */
export type TrustedProxies = (address: string, hop: number) => boolean;

/**
 * Compiles a list of addresses and CIDR ranges (`10.0.0.0/8`, `::1`), or proxy-addr's names
 * `loopback`, `linklocal` and `uniquelocal`. Throws a TypeError that names a bad entry.
 */
export function trustedProxies(list: readonly string[]): TrustedProxies {
  return proxyAddr.compile([...list]);
}

/** The default: proxies on this machine (the web app beside the server). */
export const LOOPBACK_PROXIES: TrustedProxies = trustedProxies(["loopback"]);

export interface ClientAddress {
  /** The client's address; undefined only when the socket is already gone. */
  address: string | undefined;
  /** Whether it came from X-Forwarded-For (the request passed through a trusted proxy). */
  forwarded: boolean;
}

/**
 * The client behind a request, by Express's rule (proxy-addr): starting from the peer, each
 * address that is a trusted proxy hands over to the one before it in X-Forwarded-For; the
 * first that is not trusted, or the last one listed, is the client. Entries left of it are
 * whatever the client claimed and are never read, so a forged header gains nothing.
 */
export function clientAddressOf(req: IncomingMessage, trust: TrustedProxies = LOOPBACK_PROXIES): ClientAddress {
  const peer = req.socket.remoteAddress;
  if (!peer) return { address: undefined, forwarded: false };
  const chain = proxyAddr.all(req, trust);
  return { address: chain.at(-1) ?? peer, forwarded: chain.length > 1 };
}

/**
 * Answers with a JSON text: `baseHeaders` first (the host's own), then content-type and length,
 * then `extraHeaders`, which replace any of the same name. Nothing, if an answer went out already.
 */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: string,
  baseHeaders: Readonly<Record<string, string>>,
  extraHeaders: Record<string, string> = {},
): void {
  if (res.headersSent) return;
  res.writeHead(status, {
    ...baseHeaders,
    "content-type": "application/json",
    "content-length": Buffer.byteLength(body),
    ...extraHeaders,
  });
  res.end(body);
}

/**
 * A signal that aborts when the client goes away before its answer: its connection closes.
 * Made once per connection and handed to each of its calls while nobody listens to it: a
 * signal costs microseconds to make in Node 20, a tenth of a cached read's time, and calls
 * that never read it (most) should not pay for one each. A call that adds a listener gets
 * the next call a fresh signal, so no call ever inherits another's listeners; every signal
 * that still has listeners aborts when the connection closes. Unlike a signal per request,
 * one shared with finished calls also aborts for them when the connection closes later:
 * `aborted` then says the connection is gone, which for a finished call is true and harmless.
 */
const connectionSignals = new WeakMap<Duplex, AbortController[]>();
const unheard = (controller: AbortController) => getEventListeners(controller.signal, "abort").length === 0;
function clientGoneSignal(req: IncomingMessage): AbortSignal {
  const socket = req.socket;
  let handedOut = connectionSignals.get(socket);
  const current = handedOut?.at(-1);
  if (current && !current.signal.aborted && unheard(current)) return current.signal;
  const controller = new AbortController();
  if (socket.destroyed) {
    controller.abort();
    return controller.signal;
  }
  if (!handedOut) {
    handedOut = [];
    connectionSignals.set(socket, handedOut);
    const all = handedOut;
    socket.once("close", () => {
      for (const each of all) each.abort();
    });
  }
  // Signals nobody listens to any more need no abort: only the heard ones are kept.
  const heard = handedOut.filter((each) => !unheard(each));
  handedOut.length = 0;
  handedOut.push(...heard, controller);
  return controller.signal;
}

/**
 * A request body as a stream the procedure reads at its own pace (backpressure reaches the
 * client), failing with PAYLOAD_TOO_LARGE past `limit`. `settle` is called once the answer
 * is ready: it reads whatever the procedure left unread, so the client is not reset while
 * still sending and sees the answer, and drops a connection that sends far too much.
 */
function uploadBody(req: IncomingMessage, limit: number) {
  const chunks = req[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  let size = 0;
  let finished = false;
  let reading: Promise<unknown> = Promise.resolve();
  const tooLarge = () =>
    new TRPCError({ code: "PAYLOAD_TOO_LARGE", message: `Uploads are limited to ${limit} bytes.` });
  const stream = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const next = chunks.next();
        reading = next.catch(() => {});
        let step: IteratorResult<Buffer>;
        try {
          step = await next;
        } catch (error) {
          finished = true;
          controller.error(error);
          return;
        }
        if (step.done) {
          finished = true;
          controller.close();
          return;
        }
        size += step.value.length;
        if (size > limit) {
          controller.error(tooLarge());
          return;
        }
        controller.enqueue(new Uint8Array(step.value.buffer, step.value.byteOffset, step.value.byteLength));
      },
    },
    { highWaterMark: 0 },
  );
  return {
    stream,
    /** Whether more than `limit` bytes arrived (so far). */
    exceeded: () => size > limit,
    async settle(): Promise<void> {
      await reading;
      while (!finished) {
        if (size > MAX_DRAIN_BYTES) {
          req.destroy();
          return;
        }
        try {
          const step = await chunks.next();
          if (step.done) break;
          size += step.value.length;
        } catch {
          break;
        }
      }
      finished = true;
    },
  };
}

/** How many procedure calls a request carries: `/trpc/a,b,c?batch=1` carries three. */
function callsIn(url: string, endpoint: string): number {
  const path = url.split("?")[0] ?? "";
  const names = path.startsWith(`${endpoint}/`) ? path.slice(endpoint.length + 1) : "";
  let calls = 1;
  for (let i = names.indexOf(","); i !== -1; i = names.indexOf(",", i + 1)) calls++;
  return calls;
}

/**
 * Serves a tRPC router on node:http: plain calls on the direct path (direct.ts), the rest
 * (subscriptions, streamed batches, uploads) through tRPC's fetch adapter. Before either, the
 * host's guards (guards.ts: CSRF, deadline, the per-address limit, body size); around them
 * what the adapter leaves to the host: a batch cap, the deadline and trace context handed to
 * the context, and a signal that aborts the call when the client goes away.
 */
export function createTrpcHandler<TRouter extends AnyTRPCRouter, TDescribed = undefined>(
  options: TrpcHandlerOptions<TRouter, TDescribed>,
) {
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const maxUploadBytes = options.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES;
  const maxBatchSize = options.maxBatchSize ?? DEFAULT_MAX_BATCH_SIZE;
  const release = options.releaseCheck ?? checkDirectPath();
  const wantsDirectPath = options.directPath ?? true;
  if (wantsDirectPath && !release.verified) options.onUnverifiedRelease?.(release);
  const directPath = wantsDirectPath && release.verified;
  const guards = options.guards ?? (createGuards() as Guards<TDescribed>);
  /**
   * Serves one request. `headers` go on every answer (the host's own, such as x-request-id);
   * headers of the answer itself replace those of the same name. They are written with the
   * answer in one `writeHead`, which node:http does fastest when nothing was set before.
   */
  return async function handle(
    req: IncomingMessage,
    res: ServerResponse,
    requestId: string,
    headers: Readonly<Record<string, string>> = {},
  ): Promise<void> {
    const refuse = ({ status, code, message, headers: own }: Refused) =>
      sendJson(res, status, errorResponseBody(options.router, code, message), headers, own);
    const admitted = await guards.admit(req, { calls: callsIn(req.url ?? "", options.endpoint), uploads: true });
    if (!admitted.ok) return refuse(admitted.refused);
    const { deadline, traceContext, described } = admitted;
    // One context factory for both paths: the direct path and the fetch adapter hand it the same.
    const createContext = ({ info, resHeaders }: Pick<CreateContextOptions<TDescribed>, "info" | "resHeaders">) =>
      options.createContext({ info, resHeaders, nodeReq: req, described, requestId, deadline, traceContext });
    const upload =
      req.method === "POST" && mediaTypeOf(req) === OCTET_STREAM ? uploadBody(req, maxUploadBytes) : undefined;
    if (upload && Number(req.headers["content-length"] ?? 0) > maxUploadBytes) {
      // Declared too large: refused before any procedure runs, once the body is read away.
      await upload.settle();
      const refusal = bodyTooLarge(maxUploadBytes, "Uploads");
      guards.refused(req, traceContext, refusal);
      return refuse(refusal);
    }
    const read = upload
      ? { ok: true as const, body: undefined }
      : await guards.readBody(req, maxBodyBytes, traceContext);
    if (!read.ok) return refuse(read.refused);

    // Uploads stream to the procedure through the adapter; the direct path takes JSON calls.
    if (directPath && !upload) {
      const served = await callDirect({
        router: options.router,
        endpoint: options.endpoint,
        maxBatchSize,
        req,
        res,
        body: read.body,
        baseHeaders: headers,
        signal: clientGoneSignal(req),
        createContext,
        onError: options.onError,
        dataText: options.dataText,
      });
      if (served === "done") return;
    }

    // The fetch adapter's Request follows the signal with a listener of its own: its own signal.
    const abort = new AbortController();
    res.on("close", () => {
      if (!res.writableFinished) abort.abort();
    });
    const requestHeaders = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      if (Array.isArray(value)) for (const v of value) requestHeaders.append(name, v);
      else if (value !== undefined) requestHeaders.set(name, value);
    }
    const request = new Request(`http://${req.headers.host ?? "localhost"}${req.url ?? "/"}`, {
      method: req.method,
      headers: requestHeaders,
      // A plain Uint8Array is a body under both Node's and the DOM's fetch types (the web app
      // type-checks this file with the DOM library, where a Buffer is not a BodyInit).
      body: upload ? upload.stream : read.body && new Uint8Array(read.body),
      signal: abort.signal,
      // A streamed body is sent as it is read (the only mode fetch's Request allows for one).
      ...(upload && { duplex: "half" as const }),
    });
    const response = await fetchRequestHandler({
      endpoint: options.endpoint,
      req: request,
      router: options.router,
      maxBatchSize,
      createContext,
      onError: options.onError && ((opts) => options.onError?.({ ...opts, req })),
      responseMeta: ({ errors }) => ({ headers: errorHeaders(errors) }),
    });

    if (upload) {
      await upload.settle();
      if (upload.exceeded()) guards.refused(req, traceContext, bodyTooLarge(maxUploadBytes, "Uploads"));
    }
    const responseHeaders: Record<string, string | string[]> = { ...headers };
    response.headers.forEach((value, name) => {
      if (name !== "set-cookie") responseHeaders[name] = value;
    });
    const cookies = response.headers.getSetCookie();
    if (cookies.length > 0) responseHeaders["set-cookie"] = cookies;
    res.writeHead(response.status, responseHeaders);
    if (!response.body) {
      res.end();
      return;
    }
    // Streamed responses (batch streams, subscriptions) go out chunk by chunk as produced.
    const reader = response.body.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        if (!res.write(value)) await new Promise((resolve) => res.once("drain", resolve));
      }
      res.end();
    } catch {
      res.destroy();
    } finally {
      reader.releaseLock();
    }
  };
}
