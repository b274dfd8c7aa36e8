import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import {
  type AnyTRPCRouter,
  getTRPCErrorShape,
  type inferRouterContext,
  type TRPC_ERROR_CODE_KEY,
  TRPCError,
  transformTRPCResponse,
} from "@trpc/server";
import { type FetchCreateContextFnOptions, fetchRequestHandler } from "@trpc/server/adapters/fetch";
import type { HTTPErrorHandler } from "@trpc/server/unstable-core-do-not-import";

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
export const DEFAULT_MAX_BATCH_SIZE = 50;
/** Past this, a too-large body is not read to its end: the connection is dropped. */
const MAX_DRAIN_BYTES = 16 * 1024 * 1024;

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The caller's x-request-id when it is sane, else a new one; echoed on every response. */
export function requestIdOf(req: IncomingMessage): string {
  const given = req.headers["x-request-id"];
  return typeof given === "string" && REQUEST_ID.test(given) ? given : randomUUID();
}

export interface TrpcHandlerOptions<TRouter extends AnyTRPCRouter> {
  router: TRouter;
  /** Where procedures live: `/trpc` serves `/trpc/getEvent`. */
  endpoint: string;
  createContext(
    opts: FetchCreateContextFnOptions & { nodeReq: IncomingMessage; requestId: string },
  ): inferRouterContext<TRouter> | Promise<inferRouterContext<TRouter>>;
  maxBodyBytes?: number;
  maxBatchSize?: number;
  /**
   * Browser origins allowed to send mutations (the web app). Same-origin requests and
   * non-browser clients (which send no Origin) are always allowed.
   */
  allowedOrigins?: readonly string[];
  onError?: HTTPErrorHandler<TRouter, Request>;
}

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

type BodyResult = { ok: true; body: Buffer | undefined } | { ok: false };

/** Reads a request body up to a limit; past it, keeps draining so the client can read our 413. */
function readBody(req: IncomingMessage, limit: number): Promise<BodyResult> {
  if (req.method === "GET" || req.method === "HEAD") return Promise.resolve({ ok: true, body: undefined });
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    const declared = Number(req.headers["content-length"] ?? Number.NaN);
    if (declared > MAX_DRAIN_BYTES) {
      resolve({ ok: false });
      return;
    }
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        tooLarge = true;
        chunks.length = 0;
        if (size > MAX_DRAIN_BYTES) req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(tooLarge ? { ok: false } : { ok: true, body: Buffer.concat(chunks) }));
    req.on("error", (error) => (tooLarge ? resolve({ ok: false }) : reject(error)));
  });
}

function sendJson(res: ServerResponse, status: number, body: string, extraHeaders: Record<string, string> = {}): void {
  if (res.headersSent) return;
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(body),
    ...extraHeaders,
  });
  res.end(body);
}

/**
 * Refuses what a cross-site page could make a browser send with its cookies: a mutation
 * from another origin, or a body that is not JSON (HTML forms can only send form bodies
 * and text/plain without a CORS preflight, which this server never approves).
 */
function crossSiteRefusal(
  req: IncomingMessage,
  allowed: ReadonlySet<string>,
): { status: number; code: TRPC_ERROR_CODE_KEY; message: string } | null {
  if (req.method !== "POST") return null;
  const site = req.headers["sec-fetch-site"];
  const origin = req.headers.origin;
  const ownOrigins = [`http://${req.headers.host}`, `https://${req.headers.host}`];
  const originAllowed = origin === undefined || allowed.has(origin) || ownOrigins.includes(origin);
  if (site === "cross-site" || !originAllowed) {
    return {
      status: 403,
      code: "FORBIDDEN",
      message: `Requests from ${origin ?? "another site"} may not change anything here.`,
    };
  }
  const type = (req.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase();
  if (type !== "application/json") {
    return { status: 415, code: "UNSUPPORTED_MEDIA_TYPE", message: "Send procedure calls as application/json." };
  }
  return null;
}

/**
 * Serves a tRPC router on node:http through tRPC's fetch adapter, adding what that adapter
 * leaves to the host: a body-size cap that answers 413 cleanly, a batch cap, a CSRF guard,
 * and aborting the call when the client goes away.
 */
export function createTrpcHandler<TRouter extends AnyTRPCRouter>(options: TrpcHandlerOptions<TRouter>) {
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const allowed = new Set(options.allowedOrigins ?? []);

  return async function handle(req: IncomingMessage, res: ServerResponse, requestId: string): Promise<void> {
    const refusal = crossSiteRefusal(req, allowed);
    if (refusal) {
      req.resume();
      sendJson(res, refusal.status, errorResponseBody(options.router, refusal.code, refusal.message));
      return;
    }
    const read = await readBody(req, maxBodyBytes);
    if (!read.ok) {
      sendJson(
        res,
        413,
        errorResponseBody(options.router, "PAYLOAD_TOO_LARGE", `Request bodies are limited to ${maxBodyBytes} bytes.`),
        { connection: "close" },
      );
      return;
    }

    const abort = new AbortController();
    res.on("close", () => {
      if (!res.writableFinished) abort.abort();
    });
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      if (Array.isArray(value)) for (const v of value) headers.append(name, v);
      else if (value !== undefined) headers.set(name, value);
    }
    const request = new Request(`http://${req.headers.host ?? "localhost"}${req.url ?? "/"}`, {
      method: req.method,
      headers,
      // A plain Uint8Array is a body under both Node's and the DOM's fetch types (the web app
      // type-checks this file with the DOM library, where a Buffer is not a BodyInit).
      body: read.body && new Uint8Array(read.body),
      signal: abort.signal,
    });
    const response = await fetchRequestHandler({
      endpoint: options.endpoint,
      req: request,
      router: options.router,
      maxBatchSize: options.maxBatchSize ?? DEFAULT_MAX_BATCH_SIZE,
      createContext: (opts) => options.createContext({ ...opts, nodeReq: req, requestId }),
      onError: options.onError,
    });

    const responseHeaders: Record<string, string | string[]> = {};
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
