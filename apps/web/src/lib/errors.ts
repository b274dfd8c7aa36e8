import type { AppRouter, ProcedureFailures } from "@ticketing/api";
import { declaredErrorReader, isRpcClientError, rpcErrorCode } from "@ticketing/rpc/errors";
import type { TRPCClientError } from "@trpc/client";

// @ticketing/rpc/errors reads failed calls without importing @trpc/client: importing its error
// class brings the whole package (it declares no sideEffects, so nothing is shaken out: 11.6 kB
// gzip) into the first load of every page that shows an error, while the client itself loads
// only when a page calls the API (trpc/browser.ts).

/** A failed call of the router: its `data` is the router's error shape, inferred (no copy of it here). */
export function isRouterError(error: unknown): error is TRPCClientError<AppRouter> {
  return isRpcClientError<AppRouter>(error);
}

/** The RPC error code (CONFLICT, UNAUTHORIZED…), or undefined when the call never got an answer. */
export const errorCode = rpcErrorCode;

/**
 * The error a failed call declares, typed per procedure by the router:
 * `declaredError(error, "createBooking")?.reason === "SEATS_TAKEN"` gives the taken seat ids.
 */
export const declaredError = declaredErrorReader<ProcedureFailures>();

/** The first message per field of a BAD_REQUEST, keyed by the input's field names. */
export function fieldErrors(error: unknown): Record<string, string> {
  if (!isRouterError(error)) return {};
  const fields = error.data?.zodError?.fieldErrors ?? {};
  const first: Record<string, string> = {};
  for (const [name, messages] of Object.entries(fields)) {
    if (messages?.[0]) first[name] = messages[0];
  }
  return first;
}

/** A sentence for the person in front of the screen. */
export function describeError(error: unknown): string {
  const code = errorCode(error);
  if (code === undefined || code === "BAD_GATEWAY") {
    return "The ticketing service cannot be reached right now. Check your connection and try again.";
  }
  if (code === "INTERNAL_SERVER_ERROR") return "Something went wrong on our side. Please try again.";
  if (code === "TOO_MANY_REQUESTS") return "Too many requests. Wait a moment, then try again.";
  return error instanceof Error ? error.message : "Something went wrong.";
}

/** Where to send someone whose session is missing, so they land back here afterwards. */
export function signInUrl(returnTo: string): string {
  return `/sign-in?next=${encodeURIComponent(returnTo)}`;
}

/** Only same-site paths may follow sign-in: "//evil.example" and absolute URLs go home. */
export function safeReturnPath(next: string | undefined | null): string {
  if (!next?.startsWith("/") || next.startsWith("//") || next.startsWith("/\\")) return "/";
  return next;
}
