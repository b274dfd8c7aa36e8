import type { AppRouter } from "@ticketing/api";
import { createTRPCClient, httpLink, TRPCClientError } from "@trpc/client";
import superjson from "superjson";

export interface ApiClientOptions {
  /** Every instance of the API; see `createApiClient` for how they are used. */
  urls: readonly string[];
  /** WORKER_TOKEN: the service account's credential. */
  token: string;
  /** A call that has not answered by then fails, and counts as the API being unavailable. */
  timeoutMs: number;
}

/** Call options that carry an idempotency key, so a retried mutation runs at most once. */
export const withIdempotencyKey = (idempotencyKey: string) => ({ context: { idempotencyKey } });

/**
 * The worker's one tRPC client, typed by `AppRouter` alone (no code generation). It calls
 * the first URL of the list; failing over to the others is the job of packages/rpc's
 * failover link, which belongs here once it exists.
 */
export function createApiClient({ urls, token, timeoutMs }: ApiClientOptions) {
  const [url] = urls;
  if (!url) throw new Error("createApiClient needs at least one API URL");
  return createTRPCClient<AppRouter>({
    links: [
      httpLink({
        url: `${url}/trpc`,
        transformer: superjson,
        headers: ({ op }) => {
          const key = op.context.idempotencyKey;
          return {
            authorization: `Bearer ${token}`,
            ...(typeof key === "string" && { "idempotency-key": key }),
          };
        },
        fetch: (input, init) => fetch(input, { ...init, signal: anySignal(init?.signal, timeoutMs) }),
      }),
    ],
  });
}

export type ApiClient = ReturnType<typeof createApiClient>;

function anySignal(signal: AbortSignal | null | undefined, timeoutMs: number): AbortSignal {
  const timeout = AbortSignal.timeout(timeoutMs);
  return signal ? AbortSignal.any([signal, timeout]) : timeout;
}

/** The RPC code a failed call carried (NOT_FOUND, UNAUTHORIZED…), or undefined when none came back. */
export function rpcCodeOf(error: unknown): string | undefined {
  if (!(error instanceof TRPCClientError)) return undefined;
  const data: unknown = error.data;
  if (typeof data === "object" && data !== null && "code" in data && typeof data.code === "string") return data.code;
  return undefined;
}

const UNAVAILABLE_CODES = new Set([
  "INTERNAL_SERVER_ERROR",
  "SERVICE_UNAVAILABLE",
  "BAD_GATEWAY",
  "GATEWAY_TIMEOUT",
  "TIMEOUT",
  "TOO_MANY_REQUESTS",
]);

/**
 * Whether a failure says "the API cannot serve right now" (worth waiting out and retrying)
 * rather than "this request is wrong": no answer at all (refused, reset, timed out), an
 * answer that is not tRPC's (a proxy's error page), or an overloaded or failing server.
 */
export function isUnavailable(error: unknown): boolean {
  if (!(error instanceof TRPCClientError)) return true;
  const code = rpcCodeOf(error);
  return code === undefined || UNAVAILABLE_CODES.has(code);
}
