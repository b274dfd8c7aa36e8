import type { TRPCClientError } from "@trpc/client";
import type { AnyTRPCRouter } from "@trpc/server";

// Reading a failed call, with no runtime import of @trpc/client: a browser page that shows an
// error need not load the client package (it declares no sideEffects, so importing its error
// class brings all of it). Exported alone as @ticketing/rpc/errors for such pages. Like the
// package it knows nothing of tickets: the router it reads is the caller's type parameter.

/**
 * Whether a value is a failed call of a tRPC client, told by the name the class gives itself
 * (`instanceof` would need the class, and fails across two copies of the package).
 */
export function isRpcClientError<TRouter extends AnyTRPCRouter>(error: unknown): error is TRPCClientError<TRouter> {
  return error instanceof Error && error.name === "TRPCClientError";
}

/**
 * The tRPC error code a failed call came back with (NOT_FOUND, CONFLICT…), read from the
 * error shape's `data.code`; undefined when no tRPC answer came back at all (refused,
 * reset, a proxy's error page). Every client of this package asks the same question the
 * same way.
 */
export function rpcErrorCode(error: unknown): string | undefined {
  if (!isRpcClientError(error)) return undefined;
  const data: unknown = error.data;
  if (typeof data === "object" && data !== null && "code" in data && typeof data.code === "string") return data.code;
  return undefined;
}

/** A declared error as it travels: tagged by its reason, with the data a client acts on. */
export interface DeclaredError {
  reason: string;
}

/**
 * Reads the declared error that a failed call came back with, typed per procedure.
 * `TDeclared` maps each procedure name to the union of the errors it declares (the server
 * package exports it as a type, so a client imports it with `import type`: nothing to
 * generate). The server sends a declared error in its error shape's `data.failure`, and
 * tRPC's shape names the procedure in `data.path`; the reader answers only for an error of
 * the procedure it is asked about, so a batch's other failures are never mistaken for it.
 *
 *     const declaredError = declaredErrorReader<ProcedureFailures>();
 *     const failure = declaredError(error, "createBooking");
 *     if (failure?.reason === "SEATS_TAKEN") highlight(failure.seatIds);
 */
export function declaredErrorReader<TDeclared extends { [procedure: string]: DeclaredError }>() {
  return <P extends keyof TDeclared & string>(error: unknown, procedure: P): TDeclared[P] | undefined => {
    if (!isRpcClientError(error)) return undefined;
    const data: unknown = error.data;
    if (typeof data !== "object" || data === null) return undefined;
    if (!("path" in data) || data.path !== procedure) return undefined;
    if (!("failure" in data)) return undefined;
    const failure: unknown = data.failure;
    if (typeof failure !== "object" || failure === null || !("reason" in failure)) return undefined;
    if (typeof failure.reason !== "string") return undefined;
    // The server sends only errors the procedure declares (the shape TDeclared describes).
    return failure as TDeclared[P];
  };
}
