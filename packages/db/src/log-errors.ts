import { DrizzleQueryError } from "drizzle-orm/errors";

/** The fields of a PostgreSQL error (pg's and PGlite's alike) that name things, never values. */
const NAMING_FIELDS = ["severity", "schema", "table", "column", "dataType", "constraint", "routine"] as const;

const SQLSTATE = /^[0-9A-Z]{5}$/;
const MAX_CAUSES = 8;

function causesOf(error: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let current = error; current != null && chain.length < MAX_CAUSES; ) {
    chain.push(current);
    current = (current as { cause?: unknown }).cause;
  }
  return chain;
}

function sqlStateOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && SQLSTATE.test(code) ? code : undefined;
}

/** The stack's frames without its first line, which repeats the message. */
function framesOf(error: unknown): string | undefined {
  const stack = error instanceof Error ? error.stack : undefined;
  if (!stack) return undefined;
  const frames = stack.split("\n").filter((line) => /^\s+at /.test(line));
  return frames.length > 0 ? frames.join("\n") : undefined;
}

/**
 * An error as a log line may carry it. A failed statement logs its SQLSTATE and the
 * constraint, table and column it names, and where it was thrown, never the statement's
 * parameters: drizzle wraps a driver error as `Failed query: <SQL> params: <values>`, and
 * the driver's own message and detail quote values too (`Key (email)=(…) already exists`,
 * `invalid input syntax for type uuid: "…"`), so none of those texts is logged. Any other
 * error logs its type, message and stack, with its causes.
 */
export function loggableError(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const chain = causesOf(error);
  const driverError = chain.find((link) => sqlStateOf(link) !== undefined);
  if (driverError !== undefined || chain.some((link) => link instanceof DrizzleQueryError)) {
    const fields: Record<string, unknown> = {
      type: error.name,
      message: "A database statement failed",
      sqlState: sqlStateOf(driverError) ?? null,
    };
    for (const name of NAMING_FIELDS) {
      const value = (driverError as Record<string, unknown> | undefined)?.[name];
      if (typeof value === "string" && value !== "") fields[name] = value;
    }
    const stack = framesOf(error);
    if (stack) fields.stack = stack;
    return fields;
  }
  const { cause, code } = error as { cause?: unknown; code?: unknown };
  return {
    type: error.name,
    message: error.message,
    ...(typeof code === "string" && { code }),
    ...(error.stack && { stack: error.stack }),
    ...(cause !== undefined && { cause: loggableError(cause) }),
  };
}
