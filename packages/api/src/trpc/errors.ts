import { TRPCError } from "@trpc/server";
import { DomainError } from "../domain/errors";

/** Finds a PostgreSQL SQLSTATE anywhere down an error's cause chain (drizzle wraps them). */
function sqlState(error: unknown): string | undefined {
  for (let current = error, depth = 0; current && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && /^[0-9A-Z]{5}$/.test(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * The one mapping from what went wrong to what the caller is told. Domain errors keep
 * their code and message; database errors become the code they mean, with a message
 * of our own — the driver's text (SQL, parameters) never reaches a client.
 */
export function toRpcError(error: TRPCError): TRPCError {
  const cause = error.cause;
  if (cause instanceof DomainError) return new TRPCError({ code: cause.code, message: cause.message, cause });
  if (cause instanceof TRPCError) return cause;
  switch (sqlState(cause)) {
    case "23505":
      return new TRPCError({ code: "CONFLICT", message: "That conflicts with data that already exists.", cause });
    case "40001":
    case "40P01":
      return new TRPCError({
        code: "CONFLICT",
        message: "Another request changed the same data at the same time; try again.",
        cause,
      });
    case "57014":
      return new TRPCError({ code: "TIMEOUT", message: "The request ran out of time.", cause });
    case "22P02":
    case "22003":
    case "22007":
    case "22008":
    case "22021":
      return new TRPCError({ code: "BAD_REQUEST", message: "A value in the request is not valid.", cause });
    default:
      return error;
  }
}

/**
 * A subscription's updates with the same mapping applied to failures while it streams: its
 * middleware only sees the call that starts it, so a refusal found on a later read (an
 * import that turns out to be someone else's) would otherwise reach the caller as an
 * internal error.
 */
export async function* withRpcErrors<T>(updates: AsyncIterable<T>): AsyncGenerator<T> {
  try {
    yield* updates;
  } catch (error) {
    throw toRpcError(
      error instanceof TRPCError ? error : new TRPCError({ code: "INTERNAL_SERVER_ERROR", cause: error }),
    );
  }
}
