import { TRPCClientError } from "@trpc/client";

/**
 * The tRPC error code a failed call came back with (NOT_FOUND, CONFLICT…), read from the
 * error shape's `data.code`; undefined when no tRPC answer came back at all (refused,
 * reset, a proxy's error page). Every client of this package asks the same question the
 * same way.
 */
export function rpcErrorCode(error: unknown): string | undefined {
  if (!(error instanceof TRPCClientError)) return undefined;
  const data: unknown = error.data;
  if (typeof data === "object" && data !== null && "code" in data && typeof data.code === "string") return data.code;
  return undefined;
}
