import type { PGlite, Transaction as PgliteTransaction } from "@electric-sql/pglite";
import { type Span, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";

// A client span per PGlite statement, shaped like the `pg` instrumentation's spans on
// PostgreSQL (the same database, run in process): `db.system.name` postgresql, the SQL text
// as sent — drizzle always sends values as parameters, which are never recorded — and the
// statement's operation in the name. Like the `pg` instrumentation with `requireParentSpan`,
// a statement outside any span (a background sweep) records nothing.

const tracer = trace.getTracer("@ticketing/db");

const DB_ATTRIBUTES = {
  system: "db.system.name",
  namespace: "db.namespace",
  queryText: "db.query.text",
  operation: "db.operation.name",
} as const;

const FIRST_WORD = /^\s*([A-Za-z]+)/;

/** The SQL command of a statement (SELECT, INSERT, WITH…), upper-cased; "QUERY" when none. */
function operationOf(sql: string): string {
  return FIRST_WORD.exec(sql)?.[1]?.toUpperCase() ?? "QUERY";
}

function statementSpan(sql: string): Span | undefined {
  if (trace.getActiveSpan() === undefined) return undefined;
  const operation = operationOf(sql);
  return tracer.startSpan(`pglite.query:${operation}`, {
    kind: SpanKind.CLIENT,
    attributes: {
      [DB_ATTRIBUTES.system]: "postgresql",
      [DB_ATTRIBUTES.namespace]: "pglite",
      [DB_ATTRIBUTES.operation]: operation,
      [DB_ATTRIBUTES.queryText]: sql,
    },
  });
}

async function traced<T>(sql: string, run: () => Promise<T>): Promise<T> {
  const span = statementSpan(sql);
  if (!span) return run();
  try {
    return await run();
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    span.setStatus({ code: SpanStatusCode.ERROR });
    span.setAttribute("error.type", typeof code === "string" ? code : "error");
    throw error;
  } finally {
    span.end();
  }
}

function tracedTransaction(tx: PgliteTransaction): PgliteTransaction {
  const query: PgliteTransaction["query"] = (sql, params, options) => traced(sql, () => tx.query(sql, params, options));
  const exec: PgliteTransaction["exec"] = (sql, options) => traced(sql, () => tx.exec(sql, options));
  return new Proxy(tx, {
    get(target, property) {
      if (property === "query") return query;
      if (property === "exec") return exec;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

/**
 * The PGlite client as drizzle sees it, with a span per statement (inside transactions too).
 * Every other member is the client's own, called on the client itself (PGlite keeps private
 * state that a proxy as `this` could not reach).
 */
export function tracedPglite(client: PGlite): PGlite {
  const query: PGlite["query"] = (sql, params, options) => traced(sql, () => client.query(sql, params, options));
  const exec: PGlite["exec"] = (sql, options) => traced(sql, () => client.exec(sql, options));
  const transaction: PGlite["transaction"] = (callback) => client.transaction((tx) => callback(tracedTransaction(tx)));
  return new Proxy(client, {
    get(target, property) {
      if (property === "query") return query;
      if (property === "exec") return exec;
      if (property === "transaction") return transaction;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
