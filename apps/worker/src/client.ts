import type { AppRouter, ProcedureFailures } from "@ticketing/api";
import { createRpcClient, declaredErrorReader, rpcErrorCode } from "@ticketing/rpc/client";
import { TRPCClientError } from "@trpc/client";
import superjson from "superjson";

export interface ApiClientOptions {
  /** Every instance of the API: calls are balanced across the healthy ones. */
  urls: readonly string[];
  /** WORKER_TOKEN: the service account's credential. */
  token: string;
  /** The deadline of a call: sent as rpc-timeout-ms, and the call fails locally when it passes. */
  timeoutMs: number;
  /** Told when an instance stops or starts answering (ejected / back after its /ready probe). */
  onServerChange?: (server: string, healthy: boolean) => void;
}

/**
 * The error a failed call declares, typed per procedure from the router's declarations:
 * `declaredError(error, "importEvents")?.reason === "IMPORT_RUNNING"`. Decisions are made on
 * reasons and data, never on message text.
 */
export const declaredError = declaredErrorReader<ProcedureFailures>();

/**
 * The worker's one tRPC client, typed by `AppRouter` alone (no code generation), built from
 * packages/rpc: round-robin over the healthy API instances with failover, a deadline per
 * call, an idempotency key on every mutation (kept across its retries), and retries of
 * what is safe to repeat. Longer outages are waited out one level up, by `callWithRetry`.
 */
export function createApiClient({ urls, token, timeoutMs, onServerChange }: ApiClientOptions) {
  if (urls.length === 0) throw new Error("createApiClient needs at least one API URL");
  return createRpcClient<AppRouter>({
    servers: urls,
    transformer: superjson,
    headers: () => ({ authorization: `Bearer ${token}` }),
    timeoutMs,
    ...(onServerChange && { onServerChange }),
  });
}

export type ApiClient = ReturnType<typeof createApiClient>;

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
  const code = rpcErrorCode(error);
  return code === undefined || UNAVAILABLE_CODES.has(code);
}
