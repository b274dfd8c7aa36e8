import type { IncomingMessage } from "node:http";
import { SpanKind, trace } from "@opentelemetry/api";
import {
  extractTraceContext,
  MAX_TIMEOUT_MS,
  parseTimeoutHeader,
  type RateLimiter,
  retryAfterMsOf,
  retryAfterSeconds,
  TIMEOUT_HEADER,
  type TraceContext,
} from "@ticketing/rpc/server";
import type { TRPC_ERROR_CODE_KEY, TRPCError } from "@trpc/server";

/**
 * The checks every entry point of the host (/trpc, REST) runs on a request before any
 * procedure does, in one order and with one outcome: who is calling (read once), the
 * caller's trace context, cross-site writes and media types, the deadline header, the
 * per-address limit, and the body's size. A refusal names its status, its code, its message
 * and the headers it needs (Retry-After, `connection: close`); each entry point writes it
 * in its own error shape. Errors that procedures end with get their headers from
 * `errorHeaders`, the same way.
 */

/** Why a request was refused before any procedure ran (a metrics label). */
export type Refusal = "csrf" | "media_type" | "body_too_large" | "bad_deadline" | "rate_limited";

export interface Refused {
  status: number;
  code: TRPC_ERROR_CODE_KEY;
  message: string;
  /** Headers the refusal needs: Retry-After on a 429, `connection: close` on a 413. */
  headers: Record<string, string>;
  reason: Refusal;
}

/** A limit charged per HTTP request, before its body is read. */
export interface RequestRateLimit<TDescribed = undefined> {
  limiter: RateLimiter;
  /** Whose allowance the request spends; undefined leaves it unlimited. */
  key(req: IncomingMessage, described: TDescribed): string | undefined;
}

export interface GuardOptions<TDescribed> {
  /**
   * Browser origins allowed to send mutations (the web app). Same-origin requests and
   * non-browser clients (which send no Origin) are always allowed.
   */
  allowedOrigins?: readonly string[];
  /** Ceiling for `rpc-timeout-ms`; longer deadlines are clamped to it. */
  maxTimeoutMs?: number;
  /**
   * What the host reads from a request once (the caller's credentials, its address): given
   * to the rate limit's key and to the entry point, so neither reads the headers again.
   */
  describe?(req: IncomingMessage): TDescribed;
  /** A limit on calls per HTTP client (an address), charged per call before any is run. */
  rateLimit?: RequestRateLimit<TDescribed>;
  /** Told of every request refused before a procedure ran, for metrics. */
  onRejected?(reason: Refusal): void;
}

/** A request the guards let through: what the entry point needs from them. */
export interface Admitted<TDescribed> {
  /** When the caller stops waiting (epoch ms), from `rpc-timeout-ms`; undefined without one. */
  deadline: number | undefined;
  /** The caller's W3C trace context (ROOT when it sent none). */
  traceContext: TraceContext;
  /** What `describe` read from the request (undefined without it). */
  described: TDescribed;
}

type GuardResult<TDescribed> = ({ ok: true } & Admitted<TDescribed>) | { ok: false; refused: Refused };

export interface Guards<TDescribed> {
  /**
   * Runs the checks that come before the body: `calls` is what the request spends of the
   * address limit (a batch, one per call), `uploads` whether an octet-stream body may come.
   */
  admit(req: IncomingMessage, spend: { calls: number; uploads?: boolean }): Promise<GuardResult<TDescribed>>;
  /** Reads the body up to `limit` bytes; past it, drains it and refuses with 413 (traced in `traceContext`). */
  readBody(
    req: IncomingMessage,
    limit: number,
    traceContext: TraceContext,
  ): Promise<{ ok: true; body: Buffer | undefined } | { ok: false; refused: Refused }>;
  /** Tells the metrics and the trace of a refusal the entry point found itself (an upload over its cap). */
  refused(req: IncomingMessage, traceContext: TraceContext, refused: Refused): void;
}

export const OCTET_STREAM = "application/octet-stream";
/** Past this, a too-large body is not read to its end: the connection is dropped. */
export const MAX_DRAIN_BYTES = 16 * 1024 * 1024;

export function mediaTypeOf(req: IncomingMessage): string | undefined {
  return (req.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase();
}

/**
 * Refuses what a cross-site page could make a browser send with its cookies: a mutation
 * from another origin, or a body that is neither JSON nor an octet-stream upload (HTML
 * forms can only send form bodies and text/plain without a CORS preflight, which this
 * server never approves).
 */
export function crossSiteRefusal(
  req: IncomingMessage,
  allowed: ReadonlySet<string>,
  options: { uploads?: boolean } = {},
): Refused | null {
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
      headers: {},
      reason: "csrf",
    };
  }
  const type = mediaTypeOf(req);
  if (type !== "application/json" && !(options.uploads && type === OCTET_STREAM)) {
    return {
      status: 415,
      code: "UNSUPPORTED_MEDIA_TYPE",
      message: options.uploads
        ? "Send procedure calls as application/json (uploads as application/octet-stream)."
        : "Send requests as application/json.",
      headers: {},
      reason: "media_type",
    };
  }
  return null;
}

type BodyResult = { ok: true; body: Buffer | undefined } | { ok: false };

/** Reads a request body up to a limit; past it, keeps draining so the client can read our 413. */
export function readBody(req: IncomingMessage, limit: number): Promise<BodyResult> {
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

/** A 413 for a body over `limit` bytes (`what` names the kind of body). */
export const bodyTooLarge = (limit: number, what = "Request bodies"): Refused => ({
  status: 413,
  code: "PAYLOAD_TOO_LARGE",
  message: `${what} are limited to ${limit} bytes.`,
  headers: { connection: "close" },
  reason: "body_too_large",
});

/**
 * The headers the errors of an answer need: a rate-limited call tells the client when to
 * come back, and a batch the longest wait among its calls. A 429 that carries no wait of
 * its own says a second.
 */
export function errorHeaders(errors: readonly TRPCError[]): Record<string, string> {
  let waitMs = 0;
  for (const error of errors) {
    waitMs = Math.max(waitMs, retryAfterMsOf(error) ?? (error.code === "TOO_MANY_REQUESTS" ? 1000 : 0));
  }
  return waitMs > 0 ? { "retry-after": String(retryAfterSeconds(waitMs)) } : {};
}

const tracer = trace.getTracer("@ticketing/host");

/**
 * A request refused before any procedure ran has no call span: it gets a span of its own,
 * in the caller's trace, so a 429 or 413 shows up where the caller looks for its call.
 */
function traceRefusal(req: IncomingMessage, parent: TraceContext, status: number, reason: Refusal): void {
  const span = tracer.startSpan(
    `${req.method ?? "GET"} refused`,
    {
      kind: SpanKind.SERVER,
      attributes: {
        "rpc.system": "trpc",
        "http.request.method": req.method ?? "GET",
        "url.path": (req.url ?? "/").split("?")[0] ?? "/",
        "http.response.status_code": status,
        "error.type": reason,
      },
    },
    parent,
  );
  span.end();
}

/** The host's guards, made once and shared by every entry point of one server. */
export function createGuards<TDescribed = undefined>(options: GuardOptions<TDescribed> = {}): Guards<TDescribed> {
  const allowed = new Set(options.allowedOrigins ?? []);
  const maxTimeoutMs = options.maxTimeoutMs ?? MAX_TIMEOUT_MS;
  const refused = (req: IncomingMessage, traceContext: TraceContext, refusal: Refused): void => {
    options.onRejected?.(refusal.reason);
    traceRefusal(req, traceContext, refusal.status, refusal.reason);
  };
  const refuse = (req: IncomingMessage, traceContext: TraceContext, refusal: Refused) => {
    // Nothing of the body is needed any more; it is read away so the client sees the answer.
    req.resume();
    refused(req, traceContext, refusal);
    return { ok: false as const, refused: refusal };
  };
  return {
    refused,
    async admit(req, spend) {
      // The deadline runs from arrival, so time spent reading the body counts against it.
      const arrived = Date.now();
      const described = options.describe ? options.describe(req) : (undefined as TDescribed);
      const traceContext = extractTraceContext(req.headers);
      const crossSite = crossSiteRefusal(req, allowed, { uploads: spend.uploads });
      if (crossSite) return refuse(req, traceContext, crossSite);
      const timeout = parseTimeoutHeader(req.headers[TIMEOUT_HEADER], maxTimeoutMs);
      if (!timeout.ok) {
        return refuse(req, traceContext, {
          status: 400,
          code: "BAD_REQUEST",
          message: timeout.message,
          headers: {},
          reason: "bad_deadline",
        });
      }
      const limitKey = options.rateLimit?.key(req, described);
      if (options.rateLimit && limitKey !== undefined) {
        const waitMs = await options.rateLimit.limiter.take(limitKey, spend.calls);
        if (waitMs > 0) {
          const seconds = retryAfterSeconds(waitMs);
          return refuse(req, traceContext, {
            status: 429,
            code: "TOO_MANY_REQUESTS",
            message: `Too many requests from your address; try again in ${seconds} s.`,
            headers: { "retry-after": String(seconds) },
            reason: "rate_limited",
          });
        }
      }
      const deadline = timeout.timeoutMs === undefined ? undefined : arrived + timeout.timeoutMs;
      return { ok: true, deadline, traceContext, described };
    },
    async readBody(req, limit, traceContext) {
      const read = await readBody(req, limit);
      if (read.ok) return read;
      const refusal = bodyTooLarge(limit);
      refused(req, traceContext, refusal);
      return { ok: false, refused: refusal };
    },
  };
}
