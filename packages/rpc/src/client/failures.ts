import { TRPCClientError } from "@trpc/client";

/**
 * How a call failed, as far as repeating it is concerned:
 * - `refused`: the connection was never made, so the server never saw the request;
 * - `lost`: the connection broke with no response, so the server may or may not have run it;
 * - `status`: the server answered with this HTTP status;
 * - `aborted`: the caller (or its deadline) cancelled it.
 */
export type Failure =
  | { kind: "refused" }
  | { kind: "lost" }
  | { kind: "status"; status: number; retryAfterMs: number | undefined }
  | { kind: "aborted" };

const REFUSED_CODES = new Set(["ECONNREFUSED", "EADDRNOTAVAIL", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH"]);

function errorCodes(error: unknown, depth = 0): string[] {
  if (!error || typeof error !== "object" || depth > 6) return [];
  const own = (error as { code?: unknown }).code;
  const codes = typeof own === "string" ? [own] : [];
  const nested = (error as { errors?: unknown }).errors;
  if (Array.isArray(nested)) for (const inner of nested) codes.push(...errorCodes(inner, depth + 1));
  return [...codes, ...errorCodes((error as { cause?: unknown }).cause, depth + 1)];
}

function isAbort(error: unknown): boolean {
  for (let current = error, depth = 0; current && depth < 6; depth++) {
    if ((current as { name?: unknown }).name === "AbortError") return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/** Retry-After as milliseconds: delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * A non-tRPC answer (a proxy's or load balancer's 502 page, say): tRPC's links cannot
 * read it as JSON, so `statusAwareFetch` turns it into this error, keeping its status.
 */
export class HttpStatusError extends Error {
  override name = "HttpStatusError";
  constructor(
    readonly status: number,
    readonly retryAfterMs: number | undefined,
  ) {
    super(`The server answered HTTP ${status} without a procedure result.`);
  }
}

/** Wraps fetch so that an answer that is not JSON fails with its HTTP status. */
export function statusAwareFetch(base: typeof fetch = fetch): typeof fetch {
  return async (input, init) => {
    const response = await base(input, init);
    const type = response.headers.get("content-type") ?? "";
    if (!response.ok && !type.includes("json")) {
      await response.body?.cancel();
      throw new HttpStatusError(response.status, parseRetryAfter(response.headers.get("retry-after")));
    }
    return response;
  };
}

function causeOf<T>(error: unknown, type: abstract new (...args: never[]) => T): T | undefined {
  for (let current = error, depth = 0; current && depth < 6; depth++) {
    if (current instanceof type) return current;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

export function failureOf(error: unknown): Failure {
  const plain = causeOf(error, HttpStatusError);
  if (plain) return { kind: "status", status: plain.status, retryAfterMs: plain.retryAfterMs };
  if (!(error instanceof TRPCClientError)) return isAbort(error) ? { kind: "aborted" } : { kind: "lost" };
  const response = (error.meta as { response?: { status?: number; headers?: Headers } } | undefined)?.response;
  const data = error.data as { httpStatus?: unknown } | undefined | null;
  const status = typeof data?.httpStatus === "number" ? data.httpStatus : response?.status;
  if (status !== undefined) {
    return { kind: "status", status, retryAfterMs: parseRetryAfter(response?.headers?.get?.("retry-after")) };
  }
  if (isAbort(error)) return { kind: "aborted" };
  return errorCodes(error).some((code) => REFUSED_CODES.has(code)) ? { kind: "refused" } : { kind: "lost" };
}

/** Answers a retry may fix: a gateway or overload answer, or a rate limit. */
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([429, 502, 503, 504]);
